package org.imdp.sipmsrp.sdp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the push needs from an IM Client's SDP answer: the first {@code m=message} line with an MSRP protocol and
 * its media-level attributes. Only the lines read here are interpreted; anything else is ignored, as SDP
 * requires for unknown attributes.
 */
public final class SdpAnswer {

    /**
     * The MSRP media description.
     *
     * @param port        m= port (0 = media refused; 9 is the RFC 4145 discard port used by an active side)
     * @param protocol    m= protocol, e.g. {@code TCP/MSRP} or {@code TCP/TLS/MSRP}
     * @param path        a=path URIs in order (the first is the next hop; relays make it longer)
     * @param setup       a=setup, or {@code null} when absent or unknown (RFC 4975 then means: the offerer connects)
     * @param acceptTypes a=accept-types, empty when absent
     * @param maxSize     a=max-size in octets, or {@code null}
     * @param address     the c= connection address of the media (media level, else session level), or {@code null}
     * @param cema        the media carries {@code a=msrp-cema} (RFC 6714)
     */
    public record MsrpMedia(int port, String protocol, List<String> path, SdpSetup setup, List<String> acceptTypes,
            Long maxSize, String address, boolean cema) {

        /**
         * True when the answerer takes {@code type} (a bare type/subtype, e.g. {@code message/cpim}): listed, or
         * matched by {@code *} or its {@code type/*} (RFC 4975 section 8.6).
         */
        public boolean accepts(String type) {
            String anySubtype = type.substring(0, type.indexOf('/') + 1) + "*";
            return acceptTypes.stream().anyMatch(t -> t.equals("*") || t.equalsIgnoreCase(anySubtype)
                                                      || t.equalsIgnoreCase(type));
        }

        /**
         * True when both sides support CEMA (RFC 6714: we {@code offered} it and the answer carries it) and the
         * answer names an address: the connection then goes to c= and m=, not to the a=path authority.
         */
        public boolean cemaAgreed(boolean offered) {
            return offered && cema && address != null;
        }

        /** True when we open the TCP connection: the answer says passive, or does not say. */
        public boolean weConnect() {
            return setup != SdpSetup.ACTIVE;
        }
    }

    private final MsrpMedia msrp;

    private SdpAnswer(MsrpMedia msrp) {
        this.msrp = msrp;
    }

    /** The MSRP media, if the answer has an accepted (port not 0) {@code m=message ... MSRP} line. */
    public Optional<MsrpMedia> msrp() {
        return Optional.ofNullable(msrp);
    }

    /** Parses an SDP body; {@code null} or empty gives an answer without MSRP. */
    public static SdpAnswer parse(String sdp) {
        if (sdp == null) {
            return new SdpAnswer(null);
        }
        MediaBuilder current = null;
        String sessionAddress = null;
        for (String raw : sdp.split("\r?\n")) {
            String line = raw.trim();
            if (line.length() < 2 || line.charAt(1) != '=') {
                continue;
            }
            char type = line.charAt(0);
            String value = line.substring(2);
            if (type == 'm') {
                if (current != null && current.accepted()) {
                    break;
                }
                current = MediaBuilder.fromMediaLine(value, sessionAddress);
            } else if (type == 'a' && current != null) {
                current.attribute(value);
            } else if (type == 'c') {
                String address = connectionAddress(value);
                if (current == null) {
                    sessionAddress = address;
                } else {
                    current.address = address;
                }
            }
        }
        return new SdpAnswer(current != null && current.accepted() ? current.build() : null);
    }

    /** The address of a c= line ({@code IN IP4 192.0.2.1}, RFC 4566 §5.7), or {@code null} when it has none. */
    private static String connectionAddress(String value) {
        String[] f = value.trim().split("\\s+");
        // a multicast TTL or count after a slash means nothing for MSRP over TCP
        return f.length < 3 ? null : f[2].split("/")[0];
    }

    /** Collects one media section; only a message/MSRP one with a non-zero port is kept. */
    private static final class MediaBuilder {
        private final boolean msrp;
        private final int port;
        private final String protocol;
        private final List<String> path = new ArrayList<>();
        private final List<String> acceptTypes = new ArrayList<>();
        private SdpSetup setup;
        private Long maxSize;
        private String address;
        private boolean cema;

        private MediaBuilder(boolean msrp, int port, String protocol, String address) {
            this.msrp = msrp;
            this.port = port;
            this.protocol = protocol;
            this.address = address;
        }

        static MediaBuilder fromMediaLine(String value, String sessionAddress) {
            String[] f = value.trim().split("\\s+");
            if (f.length < 3) {
                return new MediaBuilder(false, 0, null, null);
            }
            int port;
            try {
                // "port/count" is allowed by RFC 4566; the count is irrelevant for MSRP
                port = Integer.parseInt(f[1].split("/")[0]);
            } catch (NumberFormatException e) {
                return new MediaBuilder(false, 0, null, null);
            }
            boolean msrp = f[0].equalsIgnoreCase(SdpOffer.MEDIA) && f[2].toUpperCase(Locale.ROOT).endsWith("/MSRP");
            return new MediaBuilder(msrp, port, f[2], sessionAddress);
        }

        boolean accepted() {
            return msrp && port != 0;
        }

        void attribute(String value) {
            int colon = value.indexOf(':');
            String name = (colon < 0 ? value : value.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
            String arg = colon < 0 ? "" : value.substring(colon + 1).trim();
            switch (name) {
                case "path" -> path.addAll(words(arg));
                case "accept-types" -> acceptTypes.addAll(words(arg));
                case "setup" -> setup = SdpSetup.parse(arg);
                case "max-size" -> maxSize = parseSize(arg);
                case SdpOffer.MSRP_CEMA -> cema = true;
                default -> {
                    // other attributes do not change what the push does
                }
            }
        }

        private static Long parseSize(String arg) {
            try {
                return Long.parseLong(arg);
            } catch (NumberFormatException e) {
                return null;
            }
        }

        private static List<String> words(String arg) {
            return arg.isEmpty() ? List.of() : Arrays.asList(arg.split("\\s+"));
        }

        MsrpMedia build() {
            return new MsrpMedia(port, protocol, List.copyOf(path), setup, List.copyOf(acceptTypes), maxSize, address,
                    cema);
        }
    }
}
