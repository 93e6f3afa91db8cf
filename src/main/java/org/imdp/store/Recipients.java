package org.imdp.store;

import java.util.Locale;

/**
 * Canonical recipient identities: the key of the deferred store.
 */
public final class Recipients {

    private Recipients() {
    }

    /**
     * The identity a store is keyed by: {@code scheme:user@host[:port]} with the scheme and host in lower
     * case and URI parameters, headers and a display name removed, so that a Request-URI
     * {@code sip:bob@Example.com;user=phone} and a REGISTER To {@code <sip:bob@example.com>} meet.
     *
     * @throws IllegalArgumentException when {@code uri} is not a sip:, sips: or tel: URI
     */
    public static String canonical(String uri) {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("recipient URI is missing");
        }
        String s = uri.trim();
        int lt = s.indexOf('<');
        if (lt >= 0) {
            int gt = s.indexOf('>', lt);
            if (gt < 0) {
                throw new IllegalArgumentException("recipient URI has '<' without '>': " + uri);
            }
            s = s.substring(lt + 1, gt);
        }
        int colon = s.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("recipient is not a URI: " + uri);
        }
        String scheme = s.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!scheme.equals("sip") && !scheme.equals("sips") && !scheme.equals("tel")) {
            throw new IllegalArgumentException("recipient URI scheme must be sip, sips or tel: " + uri);
        }
        String rest = s.substring(colon + 1);
        int end = indexOfAny(rest, ";?");
        if (end >= 0) {
            rest = rest.substring(0, end);
        }
        int at = rest.lastIndexOf('@');
        String user = at >= 0 ? rest.substring(0, at + 1) : "";
        String host = (at >= 0 ? rest.substring(at + 1) : rest).toLowerCase(Locale.ROOT);
        // a sip: URI without a user names a server, not somebody to keep messages for
        if (host.isEmpty() || at == 0 || (at < 0 && !scheme.equals("tel"))) {
            throw new IllegalArgumentException("recipient URI lacks a user or host: " + uri);
        }
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c <= ' ' || c == '<' || c == '>' || c == '"' || c == 0x7f) {
                throw new IllegalArgumentException("recipient URI contains an illegal character: " + uri.strip());
            }
        }
        return scheme + ":" + user + host;
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }
}
