package org.imdp.sipmsrp.msrp;

import java.util.List;

/**
 * The parts of an MSRP URI that matter here: {@code msrp://host:port/session-id;tcp} (RFC 4975 §6), or
 * {@code msrps://...}, which is reached over TLS (RFC 4975 §14). Session ids are compared on their own, because
 * with CEMA (RFC 6714) or NAT the authority in an SDP path need not be the address the connection really comes
 * from.
 *
 * @param secure the scheme is msrps: the connection to this URI's host is TLS
 */
record MsrpUri(String host, int port, String sessionId, boolean secure) {

    private static final String SCHEME = "msrp://";
    private static final String SECURE_SCHEME = "msrps://";

    /** @throws IllegalArgumentException when {@code uri} is not an MSRP URI with host, port and session-id */
    static MsrpUri parse(String uri) {
        boolean secure = uri != null && uri.regionMatches(true, 0, SECURE_SCHEME, 0, SECURE_SCHEME.length());
        if (uri == null || !secure && !uri.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            throw new IllegalArgumentException("Not an msrp URI: " + uri);
        }
        int authorityStart = secure ? SECURE_SCHEME.length() : SCHEME.length();
        int slash = uri.indexOf('/', authorityStart);
        int semicolon = uri.indexOf(';', slash + 1);
        if (slash < 0 || semicolon < 0 || semicolon == slash + 1) {
            throw new IllegalArgumentException("MSRP URI without session-id and transport: " + uri);
        }
        String authority = uri.substring(authorityStart, slash);
        // drop a userinfo part, which RFC 4975 allows but which plays no part in connecting
        authority = authority.substring(authority.lastIndexOf('@') + 1);
        int colon = authority.lastIndexOf(':');
        if (colon <= 0 || authority.endsWith("]")) {
            throw new IllegalArgumentException("MSRP URI without port: " + uri);
        }
        String host = authority.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(authority.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("MSRP URI with a malformed port: " + uri);
        }
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("MSRP URI with a port out of range: " + uri);
        }
        return new MsrpUri(host, port, uri.substring(slash + 1, semicolon), secure);
    }

    /** @return the session-id of the first URI of a path header value (URIs separated by spaces), or null */
    static String firstSessionId(String path) {
        return sessionIdOrNull(path == null ? null : path.strip().split("\\s+")[0]);
    }

    /** @return the session-id of the last URI of a path header value or list: the far end, or null */
    static String lastSessionId(String path) {
        if (path == null) {
            return null;
        }
        String[] uris = path.strip().split("\\s+");
        return sessionIdOrNull(uris[uris.length - 1]);
    }

    static String lastSessionId(List<String> path) {
        return path == null || path.isEmpty() ? null : sessionIdOrNull(path.get(path.size() - 1));
    }

    private static String sessionIdOrNull(String uri) {
        try {
            return parse(uri).sessionId();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Formats our own URI, msrps when {@code secure}; an IPv6 literal goes in brackets. */
    static String format(String host, int port, String sessionId, boolean secure) {
        String authority = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return (secure ? SECURE_SCHEME : SCHEME) + authority + ":" + port + "/" + sessionId + ";tcp";
    }
}
