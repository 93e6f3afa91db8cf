package org.imdp.store;

import java.util.Locale;

/**
 * Canonical recipient identities and the store queue of each one.
 * <p>
 * The store keeps one durable queue per recipient ({@code im.deferred.store.<key>}), so fetching one
 * recipient's messages costs what that recipient has stored, whatever the total (see README, "Store").
 */
public final class Recipients {

    /** Address prefix of the per-recipient queues; address settings match {@code im.deferred.store.#}. */
    public static final String STORE_PREFIX = "im.deferred.store.";

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

    /**
     * Name of the recipient's store queue. Characters that Artemis treats specially ({@code . * #}) and
     * anything outside {@code [a-z0-9@+-]} are written as {@code _xx} (hex), so the name stays one word
     * of the address hierarchy and is still readable in a console.
     */
    public static String storeQueue(String canonicalRecipient) {
        StringBuilder b = new StringBuilder(STORE_PREFIX.length() + canonicalRecipient.length() + 8).append(STORE_PREFIX);
        for (byte x : canonicalRecipient.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (x & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '@' || c == '+' || c == '-') {
                b.append(c);
            } else {
                b.append('_').append(Character.forDigit((c >> 4) & 0xf, 16)).append(Character.forDigit(c & 0xf, 16));
            }
        }
        return b.toString();
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
