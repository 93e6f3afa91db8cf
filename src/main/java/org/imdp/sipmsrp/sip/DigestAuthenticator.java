package org.imdp.sipmsrp.sip;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ToHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * The server side of SIP digest authentication (RFC 3261 section 22, RFC 7616, RFC 8760 for SHA-256), for IM Clients
 * that register directly instead of through an S-CSCF: a request without credentials gets a 401 challenge, one with
 * credentials is checked against a credentials file, and an authenticated user may register only its own
 * address-of-record.
 * <p>
 * The credentials file has Apache {@code htdigest}'s format, one user per line: {@code username:realm:HA1}, where HA1
 * is the lower-case hex of H(username:realm:password), MD5 (32 digits, what {@code htdigest} writes) or SHA-256 (64
 * digits); a user may have a line of each. An algorithm is challenged when every user has a line of it (give every
 * user both to offer SHA-256 first and MD5 for older clients). Empty lines and lines starting with {@code #} are skipped. Every line must
 * be of this authenticator's realm: a file written for another realm is refused at start. The password is never
 * stored.
 * <p>
 * A username with an {@code @} names the address-of-record {@code user@host} it may register; one without names the
 * user part only (any host, which the application limits to its home domains).
 * <p>
 * Nonces are stateless: the time they were made and an HMAC-SHA-256 over that time, the client's address and the
 * realm, with a key made at start. A nonce is good for {@code nonceLifetime} from the address it was given to; after
 * that a request with otherwise right credentials gets a new challenge with {@code stale=true} (RFC 7616 section
 * 3.3). Only {@code qop=auth} is accepted; the digest-uri must be the request's Request-URI (RFC 3261 section 22.4).
 */
public final class DigestAuthenticator {

    private static final String SCHEME = DigestCredentials.SCHEME;
    private static final String QOP_AUTH = "auth";
    private static final String HMAC = "HmacSHA256";
    /** Octets of the nonce's HMAC kept: 128 bits. */
    private static final int MAC_LENGTH = 16;
    private static final Pattern HEX_MD5 = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern HEX_SHA_256 = Pattern.compile("[0-9a-f]{64}");

    private final String realm;
    /** HA1 by algorithm, then by username. */
    private final Map<String, Map<String, String>> ha1;
    private final Duration nonceLifetime;
    private final Clock clock;
    private final SecretKeySpec nonceKey;
    /** The algorithms challenged, preferred first. */
    private final List<String> offered;

    /** What a request's credentials come to. */
    public enum Verdict {
        /** Right credentials for the request, with a fresh nonce: serve it. */
        AUTHENTICATED,
        /** No credentials for this realm: answer 401 with a challenge. */
        CHALLENGE,
        /** Right credentials with a nonce that ran out: answer 401 with a new challenge, {@code stale=true}. */
        STALE,
        /** Wrong credentials, an unknown user, a nonce not ours, another digest-uri, or a foreign address-of-record. */
        REFUSED
    }

    /** A request's verdict, the user it authenticated as (when it did) and why it was refused (when it was). */
    public record Check(Verdict verdict, String username, String reason) {
    }

    DigestAuthenticator(String realm, Map<String, Map<String, String>> ha1, Duration nonceLifetime, Clock clock) {
        if (realm == null || realm.isBlank()) {
            throw new IllegalArgumentException("digest authentication needs a realm");
        }
        this.realm = realm;
        this.ha1 = ha1;
        this.nonceLifetime = nonceLifetime;
        this.clock = clock;
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        this.nonceKey = new SecretKeySpec(key, HMAC);
        this.offered = offered(ha1);
    }

    /**
     * SHA-256 then MD5 (RFC 8760 section 2.4: the preferred first), each when every user listed has credentials of it:
     * a client answers the first it supports, so an algorithm some user lacks would lock that user out. When no
     * algorithm is every user's, both are offered and each user can answer only its own.
     */
    private static List<String> offered(Map<String, Map<String, String>> ha1) {
        Set<String> users = new HashSet<>();
        ha1.values().forEach(byUser -> users.addAll(byUser.keySet()));
        List<String> everyones = Stream.of(DigestCredentials.SHA_256, DigestCredentials.MD5)
                .filter(a -> ha1.getOrDefault(a, Map.of()).keySet().containsAll(users)).toList();
        return everyones.isEmpty() ? Stream.of(DigestCredentials.SHA_256, DigestCredentials.MD5)
                .filter(ha1::containsKey).toList() : everyones;
    }

    /**
     * Reads the credentials file.
     *
     * @throws IllegalArgumentException naming the file and line when it cannot be read or a line is not
     *                                  {@code username:realm:HA1} of this realm
     */
    public static DigestAuthenticator fromFile(Path file, String realm, Duration nonceLifetime, Clock clock) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the digest credentials file " + file + ": " + e, e);
        }
        Map<String, Map<String, String>> ha1 = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int last = line.lastIndexOf(':');
            int middle = last < 0 ? -1 : line.lastIndexOf(':', last - 1);
            String where = file + " line " + (i + 1);
            if (middle <= 0) {
                throw new IllegalArgumentException(where + " is not username:realm:HA1");
            }
            String username = line.substring(0, middle);
            String lineRealm = line.substring(middle + 1, last);
            String hash = line.substring(last + 1).toLowerCase(Locale.ROOT);
            if (!lineRealm.equals(realm)) {
                throw new IllegalArgumentException(where + " is for realm \"" + lineRealm + "\", not \"" + realm + "\"");
            }
            String algorithm = HEX_MD5.matcher(hash).matches() ? DigestCredentials.MD5
                    : HEX_SHA_256.matcher(hash).matches() ? DigestCredentials.SHA_256 : null;
            if (algorithm == null) {
                throw new IllegalArgumentException(where + ": HA1 must be 32 (MD5) or 64 (SHA-256) hex digits");
            }
            ha1.computeIfAbsent(algorithm, a -> new HashMap<>()).put(username, hash);
        }
        if (ha1.isEmpty()) {
            throw new IllegalArgumentException("the digest credentials file " + file + " lists no user");
        }
        return new DigestAuthenticator(realm, ha1, nonceLifetime, clock);
    }

    public String realm() {
        return realm;
    }

    /** Users listed, of either algorithm. */
    public long users() {
        return ha1.values().stream().flatMap(m -> m.keySet().stream()).distinct().count();
    }

    /**
     * Checks the credentials of {@code request} from {@code source} for this realm; for a REGISTER also that the
     * authenticated user registers its own address-of-record (the To).
     */
    public Check check(Request request, InetAddress source) {
        AuthorizationHeader credentials = ours(request);
        if (credentials == null) {
            return new Check(Verdict.CHALLENGE, null, "no credentials for realm \"" + realm + "\"");
        }
        String username = credentials.getUsername();
        String algorithm = credentials.getAlgorithm() == null ? DigestCredentials.MD5
                : credentials.getAlgorithm().trim().toUpperCase(Locale.ROOT);
        String userHa1 = ha1.getOrDefault(algorithm, Map.of()).get(username);
        if (userHa1 == null) {
            return refused(username, "no " + algorithm + " credentials for user \"" + username + "\"");
        }
        if (credentials.getURI() == null || !credentials.getURI().equals(request.getRequestURI())) {
            return refused(username, "digest-uri " + credentials.getURI() + " is not the Request-URI "
                                     + request.getRequestURI());
        }
        String nc = credentials.getParameter("nc");
        if (!QOP_AUTH.equalsIgnoreCase(credentials.getQop()) || credentials.getCNonce() == null || nc == null) {
            return refused(username, "credentials without qop=auth, cnonce and nc");
        }
        Long madeAt = nonceTime(credentials.getNonce(), source);
        if (madeAt == null) {
            return refused(username, "a nonce that is not ours for this address");
        }
        String expected = response(algorithm, userHa1, credentials.getNonce(), nc, credentials.getCNonce(),
                request.getMethod(), request.getRequestURI().toString());
        if (credentials.getResponse() == null || !MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.US_ASCII),
                credentials.getResponse().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII))) {
            return refused(username, "wrong credentials for user \"" + username + "\"");
        }
        if (clock.millis() - madeAt > nonceLifetime.toMillis()) {
            return new Check(Verdict.STALE, username, "the nonce ran out");
        }
        if (Request.REGISTER.equals(request.getMethod())) {
            String aor = addressOfRecord(((ToHeader) request.getHeader(ToHeader.NAME)).getAddress().getURI());
            if (aor == null || !ownAddressOfRecord(username, aor)) {
                return refused(username, "user \"" + username + "\" may not register " + aor);
            }
        }
        return new Check(Verdict.AUTHENTICATED, username, null);
    }

    /** Adds the challenges to a 401 for a request from {@code source}, one per algorithm offered, preferred first. */
    public void challenge(Response response, InetAddress source, boolean stale, HeaderFactory headers)
            throws ParseException {
        String nonce = nonce(source);
        for (String algorithm : offered) {
            WWWAuthenticateHeader challenge = headers.createWWWAuthenticateHeader(SCHEME);
            challenge.setRealm(realm);
            challenge.setNonce(nonce);
            challenge.setAlgorithm(algorithm);
            challenge.setQop(QOP_AUTH);
            if (stale) {
                challenge.setStale(true);
            }
            response.addHeader(challenge);
        }
    }

    /** The Authorization header of this realm, Digest scheme, or {@code null}. */
    private AuthorizationHeader ours(Request request) {
        Iterator<?> headers = request.getHeaders(AuthorizationHeader.NAME);
        while (headers.hasNext()) {
            AuthorizationHeader h = (AuthorizationHeader) headers.next();
            if (SCHEME.equalsIgnoreCase(h.getScheme()) && realm.equals(h.getRealm())) {
                return h;
            }
        }
        return null;
    }

    private static Check refused(String username, String reason) {
        return new Check(Verdict.REFUSED, username, reason);
    }

    /**
     * The request-digest with {@code qop=auth} (RFC 7616 section 3.4.1): KD(HA1, nonce:nc:cnonce:qop:H(method:uri)).
     */
    static String response(String algorithm, String ha1, String nonce, String nc, String cnonce, String method,
                           String uri) {
        String ha2 = DigestCredentials.hash(algorithm, method + ":" + uri);
        return DigestCredentials.hash(algorithm, ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":" + QOP_AUTH + ":" + ha2);
    }

    /** HA1 = H(username:realm:password), for writing a credentials file. */
    public static String ha1(String algorithm, String username, String realm, String password) {
        return DigestCredentials.hash(algorithm, username + ":" + realm + ":" + password);
    }

    /** A new nonce for {@code source}: the time in milliseconds and the HMAC over it, base64url. */
    String nonce(InetAddress source) {
        long now = clock.millis();
        ByteBuffer nonce = ByteBuffer.allocate(Long.BYTES + MAC_LENGTH);
        nonce.putLong(now).put(mac(now, source), 0, MAC_LENGTH);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(nonce.array());
    }

    /** When a nonce was made, if it is one of ours for {@code source}; {@code null} otherwise. */
    private Long nonceTime(String nonce, InetAddress source) {
        byte[] raw;
        try {
            raw = nonce == null ? null : Base64.getUrlDecoder().decode(nonce);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (raw == null || raw.length != Long.BYTES + MAC_LENGTH) {
            return null;
        }
        long madeAt = ByteBuffer.wrap(raw).getLong();
        byte[] mac = new byte[MAC_LENGTH];
        System.arraycopy(mac(madeAt, source), 0, mac, 0, MAC_LENGTH);
        byte[] given = new byte[MAC_LENGTH];
        System.arraycopy(raw, Long.BYTES, given, 0, MAC_LENGTH);
        return MessageDigest.isEqual(mac, given) && madeAt <= clock.millis() ? madeAt : null;
    }

    private byte[] mac(long time, InetAddress source) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(nonceKey);
            mac.update(ByteBuffer.allocate(Long.BYTES).putLong(time).array());
            mac.update(source == null ? new byte[0] : source.getAddress());
            mac.update(realm.getBytes(StandardCharsets.UTF_8));
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has " + HMAC, e);
        }
    }

    /** {@code user@host} of a SIP or SIPS URI, {@code null} for another URI or one without a user. */
    private static String addressOfRecord(URI uri) {
        if (uri instanceof SipURI sip && sip.getUser() != null) {
            return sip.getUser() + "@" + sip.getHost();
        }
        return null;
    }

    /** The user part compared as it is, the host without regard to case (RFC 3261 section 19.1.4). */
    private static boolean ownAddressOfRecord(String username, String aor) {
        int at = username.lastIndexOf('@');
        int aorAt = aor.lastIndexOf('@');
        String user = at < 0 ? username : username.substring(0, at);
        return aor.substring(0, aorAt).equals(user)
               && (at < 0 || aor.substring(aorAt + 1).equalsIgnoreCase(username.substring(at + 1)));
    }
}
