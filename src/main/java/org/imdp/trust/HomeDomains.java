package org.imdp.trust;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import org.imdp.store.Recipients;
import org.imdp.store.RejectedMessageException;
import org.imdp.store.RejectedMessageException.Reason;

/**
 * The domains whose users this IM Server serves ({@code imdp.sip.home-domains}): only a recipient in one of them can
 * have messages stored or a registration recorded (routes {@code store} and {@code availability}). Any other, and a
 * tel: URI, which names no domain, is refused with 404 (RFC 3261 section 21.4.5: the domain of the Request-URI is not
 * one the server handles) before anything is stored. A domain is the host of the recipient's URI without its port,
 * compared without case; an IPv6 host is written in brackets ({@code [2001:db8::1]}); a subdomain is another domain.
 */
public final class HomeDomains {

    private final Set<String> domains;

    private HomeDomains(Set<String> domains) {
        this.domains = domains;
    }

    /**
     * @param list      comma separated domains; empty: the host of {@code serverUri}
     * @param serverUri the IM Server's own URI ({@code imdp.sip.server-uri})
     * @throws IllegalArgumentException when the list is empty and the server URI names no host
     */
    public static HomeDomains of(String list, String serverUri) {
        Set<String> domains = new TreeSet<>();
        Arrays.stream(list.split(",")).map(String::strip).filter(d -> !d.isEmpty())
                .map(d -> d.toLowerCase(Locale.ROOT)).forEach(domains::add);
        if (domains.isEmpty()) {
            String own = domain(serverUri);
            if (own == null) {
                throw new IllegalArgumentException("the server URI " + serverUri + " names no domain");
            }
            domains.add(own);
        }
        return new HomeDomains(Set.copyOf(domains));
    }

    /**
     * Lets a recipient of a home domain pass.
     *
     * @throws RejectedMessageException ({@link Reason#NOT_HOME_DOMAIN}) for a recipient of any other domain
     * @throws IllegalArgumentException when {@code recipient} is not a sip:, sips: or tel: URI
     */
    public void check(String recipient) {
        String key = Recipients.canonical(recipient);
        String domain = domain(key);
        if (domain == null || !domains.contains(domain)) {
            throw new RejectedMessageException(Reason.NOT_HOME_DOMAIN,
                    key + " is not in a home domain of this server " + this + " (imdp.sip.home-domains)");
        }
    }

    /** The host of a sip: or sips: URI, without port, in lower case; {@code null} for a tel: URI or none. */
    static String domain(String uri) {
        String s = uri.strip();
        int lt = s.indexOf('<');
        if (lt >= 0 && s.indexOf('>', lt) > lt) {
            s = s.substring(lt + 1, s.indexOf('>', lt));
        }
        int colon = s.indexOf(':');
        if (colon <= 0) {
            return null;
        }
        String scheme = s.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!scheme.equals("sip") && !scheme.equals("sips")) {
            return null;
        }
        String rest = s.substring(colon + 1);
        for (char end : new char[] {';', '?'}) {
            int i = rest.indexOf(end);
            if (i >= 0) {
                rest = rest.substring(0, i);
            }
        }
        String host = rest.substring(rest.lastIndexOf('@') + 1);
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            host = close < 0 ? host : host.substring(0, close + 1);
        } else if (host.indexOf(':') >= 0) {
            host = host.substring(0, host.indexOf(':'));
        }
        return host.isEmpty() ? null : host.toLowerCase(Locale.ROOT);
    }

    /** The domains, e.g. {@code [example.com, ims.example.net]}. */
    @Override
    public String toString() {
        return new TreeSet<>(domains).toString();
    }
}
