package org.imdp.sipmsrp.sip;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An allow-list of networks (CIDR blocks, IPv4 and IPv6): the nodes whose SIP requests a consumer serves. Written as a
 * comma separated list of literal addresses, each with an optional prefix length ({@code 10.0.0.0/8},
 * {@code 192.0.2.7}, {@code 2001:db8::/32}, {@code ::1}); an address without one is that address alone. Host names
 * are refused: a name resolves differently over time, an allow-list must not.
 */
public final class TrustedNodes {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    /** The loopback networks: what is trusted by default when the SIP stack listens on a loopback address. */
    public static final TrustedNodes LOOPBACK = parse("127.0.0.0/8, ::1");
    /** No node at all: every request is refused. */
    public static final TrustedNodes NONE = new TrustedNodes(List.of());

    /** One network: its address (masked to the prefix) and the prefix length in bits. */
    private record Network(byte[] address, int prefix, String text) {
        boolean contains(byte[] other) {
            if (other.length != address.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (other[i] != address[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xff << (8 - rest) & 0xff;
            return (other[full] & mask) == (address[full] & mask);
        }
    }

    private final List<Network> networks;

    private TrustedNodes(List<Network> networks) {
        this.networks = List.copyOf(networks);
    }

    /**
     * @param list comma separated CIDR blocks or addresses; blank = {@link #NONE}
     * @throws IllegalArgumentException naming the first entry that is not a literal address with a prefix that fits it
     */
    public static TrustedNodes parse(String list) {
        List<Network> networks = new ArrayList<>();
        if (list != null) {
            for (String entry : list.split(",")) {
                String e = entry.strip();
                if (!e.isEmpty()) {
                    networks.add(network(e));
                }
            }
        }
        return new TrustedNodes(networks);
    }

    private static Network network(String entry) {
        int slash = entry.indexOf('/');
        String host = slash < 0 ? entry : entry.substring(0, slash).strip();
        if (!IPV4.matcher(host).matches() && !IPV6.matcher(host).matches()) {
            throw new IllegalArgumentException("trusted node " + entry + " is not an IPv4 or IPv6 address (no host names)");
        }
        byte[] address;
        try {
            // a literal: no name lookup
            address = InetAddress.getByName(host).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("trusted node " + entry + " is not an IPv4 or IPv6 address", e);
        }
        int bits = address.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(entry.substring(slash + 1).strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("trusted node " + entry + ": the prefix length is not a number");
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("trusted node " + entry + ": the prefix length must be 0 to " + bits);
            }
        }
        return new Network(address, prefix, entry);
    }

    /** Whether {@code source} lies in one of the networks ({@code null}: no). */
    public boolean contains(InetAddress source) {
        if (source == null) {
            return false;
        }
        byte[] bytes = source.getAddress();
        for (Network n : networks) {
            if (n.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return networks.isEmpty();
    }

    /** The list as configured, e.g. {@code [127.0.0.0/8, ::1]}. */
    @Override
    public String toString() {
        return networks.stream().map(Network::text).toList().toString();
    }
}
