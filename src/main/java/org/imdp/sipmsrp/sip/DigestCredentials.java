package org.imdp.sipmsrp.sip;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.sip.header.AuthorizationHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ProxyAuthenticateHeader;
import javax.sip.header.ProxyAuthorizationHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * A SIP user's digest credentials (RFC 3261 section 22, RFC 2617, RFC 7616/8760 for SHA-256) and the answer to a
 * 401/407 challenge: an Authorization (401) or Proxy-Authorization (407) header for the re-sent request, with
 * {@code qop=auth} when the challenge offers it. The password only ever goes into the hash.
 */
public final class DigestCredentials {

    public static final String SCHEME = "Digest";
    public static final String MD5 = "MD5";
    public static final String SHA_256 = "SHA-256";
    private static final String QOP_AUTH = "auth";
    /** We answer each nonce once, so our nonce count is always 1. */
    private static final int NONCE_COUNT = 1;

    private final String username;
    private final String password;
    private final String realm;

    /**
     * @param realm the only realm these credentials are given to, or {@code null}/blank for whichever realm
     *              challenges
     */
    public DigestCredentials(String username, String password, String realm) {
        this.username = username;
        this.password = password;
        this.realm = realm == null || realm.isBlank() ? null : realm.trim();
    }

    /**
     * The header answering a 401/407 to {@code request}, or empty when none of its challenges is one we can answer
     * (not Digest, another realm than ours, an algorithm other than MD5 or SHA-256, a qop without {@code auth}).
     * SHA-256 is preferred over MD5 when both are offered (RFC 8760).
     */
    public Optional<AuthorizationHeader> answer(Response challenge, Request request, HeaderFactory headers)
            throws ParseException {
        boolean proxy = isProxy(challenge);
        Optional<WWWAuthenticateHeader> offer = challenges(challenge).stream().filter(this::answerable)
                .min((a, b) -> Boolean.compare(SHA_256.equalsIgnoreCase(algorithm(b)),
                        SHA_256.equalsIgnoreCase(algorithm(a))));
        if (offer.isEmpty()) {
            return Optional.empty();
        }
        WWWAuthenticateHeader c = offer.get();
        String algorithm = algorithm(c);
        String uri = request.getRequestURI().toString();
        String ha1 = hash(algorithm, username + ":" + c.getRealm() + ":" + password);
        String ha2 = hash(algorithm, request.getMethod() + ":" + uri);
        AuthorizationHeader answer = proxy
                ? headers.createProxyAuthorizationHeader(SCHEME) : headers.createAuthorizationHeader(SCHEME);
        answer.setUsername(username);
        answer.setRealm(c.getRealm());
        answer.setNonce(c.getNonce());
        answer.setURI(request.getRequestURI());
        answer.setAlgorithm(algorithm);
        if (c.getOpaque() != null) {
            answer.setOpaque(c.getOpaque());
        }
        if (c.getQop() != null) {
            String cnonce = SipAgent.newTag();
            String nc = String.format(Locale.ROOT, "%08x", NONCE_COUNT);
            answer.setQop(QOP_AUTH);
            answer.setCNonce(cnonce);
            answer.setNonceCount(NONCE_COUNT);
            answer.setResponse(hash(algorithm, ha1 + ":" + c.getNonce() + ":" + nc + ":" + cnonce + ":" + QOP_AUTH
                                               + ":" + ha2));
        } else {
            // RFC 2069 compatibility (RFC 2617 section 3.2.2.1)
            answer.setResponse(hash(algorithm, ha1 + ":" + c.getNonce() + ":" + ha2));
        }
        return Optional.of(answer);
    }

    /** Whether {@code request} already carries our answer to a challenge of this response's kind and realm. */
    public static boolean answered(Response challenge, Request request) {
        List<String> realms = challenges(challenge).stream().map(WWWAuthenticateHeader::getRealm).toList();
        List<AuthorizationHeader> sent = new ArrayList<>();
        request.getHeaders(isProxy(challenge) ? ProxyAuthorizationHeader.NAME : AuthorizationHeader.NAME)
                .forEachRemaining(h -> sent.add((AuthorizationHeader) h));
        return sent.stream().anyMatch(a -> realms.contains(a.getRealm()));
    }

    /**
     * Whether a challenge of this response says the nonce of our answer was stale ({@code stale=true}, RFC 7616
     * section 3.3): the credentials were right, the request may be answered again with the new nonce.
     */
    public static boolean stale(Response challenge) {
        return challenges(challenge).stream().anyMatch(WWWAuthenticateHeader::isStale);
    }

    private static boolean isProxy(Response challenge) {
        return challenge.getStatusCode() == Response.PROXY_AUTHENTICATION_REQUIRED;
    }

    /** The challenges of a 401 (WWW-Authenticate) or a 407 (Proxy-Authenticate), in order. */
    private static List<WWWAuthenticateHeader> challenges(Response challenge) {
        List<WWWAuthenticateHeader> offers = new ArrayList<>();
        challenge.getHeaders(isProxy(challenge) ? ProxyAuthenticateHeader.NAME : WWWAuthenticateHeader.NAME)
                .forEachRemaining(h -> offers.add((WWWAuthenticateHeader) h));
        return offers;
    }

    private boolean answerable(WWWAuthenticateHeader c) {
        return SCHEME.equalsIgnoreCase(c.getScheme()) && c.getNonce() != null && c.getRealm() != null
               && (realm == null || realm.equals(c.getRealm()))
               && (MD5.equalsIgnoreCase(algorithm(c)) || SHA_256.equalsIgnoreCase(algorithm(c)))
               && (c.getQop() == null || Arrays.stream(c.getQop().split(",")).map(String::trim)
                       .anyMatch(QOP_AUTH::equalsIgnoreCase));
    }

    private static String algorithm(WWWAuthenticateHeader c) {
        return c.getAlgorithm() == null ? MD5 : c.getAlgorithm().trim().toUpperCase(Locale.ROOT);
    }

    /** Lower-case hex of the digest of {@code text} in UTF-8 (RFC 7616 section 3.4.1 for SHA-256). */
    private static String hash(String algorithm, String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm)
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has " + algorithm, e);
        }
    }
}
