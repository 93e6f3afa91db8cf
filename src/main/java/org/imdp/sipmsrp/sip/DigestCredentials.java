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
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
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

    /** Why a challenge is not answered: the push fails with the challenge's status and this reason. */
    public static final class NotAnswered extends Exception {
        NotAnswered(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * @param realm the only realm these credentials are given to (required: credentials given to whichever realm
     *              challenges let any challenger guess the password offline or relay the answer)
     */
    public DigestCredentials(String username, String password, String realm) {
        if (realm == null || realm.isBlank()) {
            throw new IllegalArgumentException("digest credentials need the realm they are for");
        }
        this.username = username;
        this.password = password;
        this.realm = realm.trim();
    }

    /**
     * The header answering a 401/407 to {@code challenged}, for {@code request} (the request the credentials go into:
     * the challenged one sent again, or a new request of the dialog). Only a challenge that answers the request we
     * sent (same Call-ID, CSeq number and method), of our realm, Digest with MD5 or SHA-256 and a qop with
     * {@code auth} (or none) is answered, and only for a request to the same Request-URI with the same method as the
     * challenged one: the digest-uri of the answer (RFC 3261 section 22.4: the Request-URI) is always what we sent.
     * SHA-256 is preferred over MD5 when both are offered (RFC 8760).
     *
     * @throws NotAnswered saying why, when no challenge is one to answer
     */
    public AuthorizationHeader answer(Response challenge, Request challenged, Request request, HeaderFactory headers)
            throws ParseException, NotAnswered {
        if (!answers(challenge, challenged)) {
            throw new NotAnswered("the challenge does not answer the request sent (Call-ID or CSeq differ)");
        }
        if (!challenged.getMethod().equals(request.getMethod())
            || !challenged.getRequestURI().equals(request.getRequestURI())) {
            throw new NotAnswered("digest-uri " + request.getMethod() + " " + request.getRequestURI()
                                  + " is not the challenged " + challenged.getMethod() + " "
                                  + challenged.getRequestURI());
        }
        List<WWWAuthenticateHeader> offers = challenges(challenge);
        List<WWWAuthenticateHeader> ours = offers.stream().filter(c -> realm.equals(c.getRealm())).toList();
        if (ours.isEmpty()) {
            throw new NotAnswered("challenge for realm " + offers.stream().map(WWWAuthenticateHeader::getRealm).toList()
                                  + " not answered: the credentials are for realm \"" + realm + "\" (authRealm) only");
        }
        Optional<WWWAuthenticateHeader> offer = ours.stream().filter(DigestCredentials::answerable)
                .min((a, b) -> Boolean.compare(SHA_256.equalsIgnoreCase(algorithm(b)),
                        SHA_256.equalsIgnoreCase(algorithm(a))));
        if (offer.isEmpty()) {
            throw new NotAnswered("no Digest challenge with MD5 or SHA-256, qop=auth, for realm \"" + realm + "\"");
        }
        WWWAuthenticateHeader c = offer.get();
        boolean proxy = isProxy(challenge);
        String algorithm = algorithm(c);
        String uri = request.getRequestURI().toString();
        String ha1 = DigestAuthenticator.ha1(algorithm, username, c.getRealm(), password);
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
            answer.setResponse(DigestAuthenticator.response(algorithm, ha1, c.getNonce(), nc, cnonce,
                    request.getMethod(), uri));
        } else {
            // RFC 2069 compatibility (RFC 2617 section 3.2.2.1)
            answer.setResponse(hash(algorithm, ha1 + ":" + c.getNonce() + ":" + hash(algorithm, request.getMethod() + ":"
                                                                                    + uri)));
        }
        return answer;
    }

    /** Whether the response answers the request: the same Call-ID and CSeq (number and method). */
    private static boolean answers(Response response, Request request) {
        CallIdHeader responseCallId = (CallIdHeader) response.getHeader(CallIdHeader.NAME);
        CSeqHeader responseCseq = (CSeqHeader) response.getHeader(CSeqHeader.NAME);
        CSeqHeader requestCseq = (CSeqHeader) request.getHeader(CSeqHeader.NAME);
        return responseCallId != null && responseCseq != null && requestCseq != null
               && responseCallId.getCallId().equals(((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId())
               && responseCseq.getSeqNumber() == requestCseq.getSeqNumber()
               && responseCseq.getMethod().equals(requestCseq.getMethod());
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

    private static boolean answerable(WWWAuthenticateHeader c) {
        return SCHEME.equalsIgnoreCase(c.getScheme()) && c.getNonce() != null
               && (MD5.equalsIgnoreCase(algorithm(c)) || SHA_256.equalsIgnoreCase(algorithm(c)))
               && (c.getQop() == null || Arrays.stream(c.getQop().split(",")).map(String::trim)
                       .anyMatch(QOP_AUTH::equalsIgnoreCase));
    }

    private static String algorithm(WWWAuthenticateHeader c) {
        return c.getAlgorithm() == null ? MD5 : c.getAlgorithm().trim().toUpperCase(Locale.ROOT);
    }

    /** Lower-case hex of the digest of {@code text} in UTF-8 (RFC 7616 section 3.4.1 for SHA-256). */
    static String hash(String algorithm, String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm)
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has " + algorithm, e);
        }
    }
}
