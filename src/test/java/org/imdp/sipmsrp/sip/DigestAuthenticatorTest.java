package org.imdp.sipmsrp.sip;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import javax.sip.SipFactory;
import javax.sip.address.AddressFactory;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.imdp.sipmsrp.sip.DigestAuthenticator.Verdict;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The server side of digest: challenges, and the check of an answer written by the service's own digest client
 * ({@link DigestCredentials}), which SIPp's answers meet too (DigestRegistrationRoutesTest). The request-digest is
 * pinned to RFC 7616's worked example.
 */
class DigestAuthenticatorTest {

    private static final String REALM = "im.example.com";
    private static final InetAddress CLIENT = address("127.0.0.2");

    @TempDir
    Path dir;

    private MessageFactory messages;
    private HeaderFactory headers;
    private AddressFactory addresses;
    private MutableClock clock;
    private DigestAuthenticator authenticator;

    /** A clock the test moves. */
    private static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-12-08T10:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        messages = factory.createMessageFactory();
        headers = factory.createHeaderFactory();
        addresses = factory.createAddressFactory();
        clock = new MutableClock();
        Path file = Files.writeString(dir.resolve("users"), String.join("\n",
                "# written with htdigest and sha256sum",
                "bob@example.com:" + REALM + ":" + DigestAuthenticator.ha1("MD5", "bob@example.com", REALM, "bob's secret"),
                "bob@example.com:" + REALM + ":"
                + DigestAuthenticator.ha1("SHA-256", "bob@example.com", REALM, "bob's secret"),
                "",
                "carol:" + REALM + ":" + DigestAuthenticator.ha1("MD5", "carol", REALM, "carol's secret"),
                "carol:" + REALM + ":" + DigestAuthenticator.ha1("SHA-256", "carol", REALM, "carol's secret")));
        authenticator = DigestAuthenticator.fromFile(file, REALM, Duration.ofMinutes(5), clock);
    }

    @Test
    void the_request_digest_is_rfc_7616s_worked_example() {
        // RFC 7616 section 3.9.1: user Mufasa, password "Circle of Life", realm http-auth@example.org, GET /dir/index.html
        String nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
        String cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
        String realm = "http-auth@example.org";
        assertThat(DigestAuthenticator.response("MD5", DigestAuthenticator.ha1("MD5", "Mufasa", realm, "Circle of Life"),
                nonce, "00000001", cnonce, "GET", "/dir/index.html")).isEqualTo("8ca523f5e9506fed4657c9700eebdbec");
        assertThat(DigestAuthenticator.response("SHA-256",
                DigestAuthenticator.ha1("SHA-256", "Mufasa", realm, "Circle of Life"), nonce, "00000001", cnonce, "GET",
                "/dir/index.html")).isEqualTo("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
    }

    @Test
    void a_register_without_credentials_is_challenged_sha_256_first_then_md5() throws Exception {
        Request register = register("sip:bob@example.com", 1);
        assertThat(authenticator.check(register, CLIENT).verdict()).isEqualTo(Verdict.CHALLENGE);

        Response challenge = challenge(register, false);
        List<WWWAuthenticateHeader> offers = offers(challenge);
        assertThat(offers).extracting(WWWAuthenticateHeader::getAlgorithm).containsExactly("SHA-256", "MD5");
        assertThat(offers).allSatisfy(c -> {
            assertThat(c.getRealm()).isEqualTo(REALM);
            assertThat(c.getQop()).isEqualTo("auth");
            assertThat(c.isStale()).isFalse();
        });
    }

    @Test
    void an_algorithm_is_offered_only_when_every_user_has_credentials_of_it() throws Exception {
        Path md5Only = Files.writeString(dir.resolve("md5-only"), String.join("\n",
                "bob:" + REALM + ":" + DigestAuthenticator.ha1("MD5", "bob", REALM, "bob's secret"),
                "bob:" + REALM + ":" + DigestAuthenticator.ha1("SHA-256", "bob", REALM, "bob's secret"),
                "dan:" + REALM + ":" + DigestAuthenticator.ha1("MD5", "dan", REALM, "dan's secret")));
        authenticator = DigestAuthenticator.fromFile(md5Only, REALM, Duration.ofMinutes(5), clock);
        assertThat(offers(challenge(register("sip:dan@example.com", 1), false)))
                .extracting(WWWAuthenticateHeader::getAlgorithm).containsExactly("MD5");
        assertThat(authenticator.check(answered("sip:dan@example.com", "dan", "dan's secret"), CLIENT).verdict())
                .isEqualTo(Verdict.AUTHENTICATED);
    }

    @Test
    void the_right_answer_authenticates_its_user_and_a_wrong_password_is_refused() throws Exception {
        DigestAuthenticator.Check bob = authenticator.check(answered("sip:bob@example.com", "bob@example.com",
                "bob's secret"), CLIENT);
        assertThat(bob.verdict()).isEqualTo(Verdict.AUTHENTICATED);
        assertThat(bob.username()).isEqualTo("bob@example.com");
        // a user part alone registers that user in any domain (the application limits the domains)
        assertThat(authenticator.check(answered("sip:carol@example.com", "carol", "carol's secret"), CLIENT).verdict())
                .isEqualTo(Verdict.AUTHENTICATED);

        DigestAuthenticator.Check guess = authenticator.check(answered("sip:bob@example.com", "bob@example.com",
                "password"), CLIENT);
        assertThat(guess.verdict()).isEqualTo(Verdict.REFUSED);
        assertThat(guess.reason()).contains("wrong credentials");
        assertThat(authenticator.check(answered("sip:mallory@example.com", "mallory", "x"), CLIENT).reason())
                .contains("no SHA-256 credentials for user \"mallory\"");
    }

    @Test
    void a_user_registers_only_its_own_address_of_record() throws Exception {
        DigestAuthenticator.Check asCarol = authenticator.check(answered("sip:carol@example.com", "bob@example.com",
                "bob's secret"), CLIENT);
        assertThat(asCarol.verdict()).isEqualTo(Verdict.REFUSED);
        assertThat(asCarol.reason()).isEqualTo("user \"bob@example.com\" may not register carol@example.com");
        assertThat(authenticator.check(answered("sip:bob@elsewhere.example", "bob@example.com", "bob's secret"), CLIENT)
                .verdict()).isEqualTo(Verdict.REFUSED);
        assertThat(authenticator.check(answered("sip:bob@EXAMPLE.com", "bob@example.com", "bob's secret"), CLIENT)
                .verdict()).isEqualTo(Verdict.AUTHENTICATED);
    }

    @Test
    void a_nonce_works_only_from_the_address_it_was_given_to_and_for_its_lifetime() throws Exception {
        Request answered = answered("sip:bob@example.com", "bob@example.com", "bob's secret");
        assertThat(authenticator.check(answered, address("127.0.0.3")).reason()).contains("nonce that is not ours");

        clock.now = clock.now.plus(Duration.ofMinutes(5)).plusSeconds(1);
        assertThat(authenticator.check(answered, CLIENT).verdict()).isEqualTo(Verdict.STALE);
        // the new challenge says so, and its nonce works again
        Request again = register("sip:bob@example.com", 3);
        Response stale = challenge(again, true);
        assertThat(offers(stale)).allSatisfy(c -> assertThat(c.isStale()).isTrue());
        Request answer = register("sip:bob@example.com", 4);
        answer.addHeader(new DigestCredentials("bob@example.com", "bob's secret", REALM).answer(stale, again, answer,
                headers));
        assertThat(authenticator.check(answer, CLIENT).verdict()).isEqualTo(Verdict.AUTHENTICATED);
    }

    @Test
    void an_answer_for_another_request_uri_or_without_qop_is_refused() throws Exception {
        Request answered = answered("sip:bob@example.com", "bob@example.com", "bob's secret");
        answered.setRequestURI(addresses.createURI("sip:other.example.com"));
        assertThat(authenticator.check(answered, CLIENT).reason()).startsWith("digest-uri sip:example.com");

        Request withoutQop = answered("sip:bob@example.com", "bob@example.com", "bob's secret");
        AuthorizationHeader credentials = (AuthorizationHeader) withoutQop.getHeader(AuthorizationHeader.NAME);
        credentials.removeParameter("qop");
        assertThat(authenticator.check(withoutQop, CLIENT).reason()).contains("qop=auth");
    }

    @Test
    void a_credentials_file_of_another_realm_or_with_a_bad_line_is_refused_naming_the_line() throws Exception {
        Path foreign = Files.writeString(dir.resolve("foreign"), "bob:other.example.com:"
                + DigestAuthenticator.ha1("MD5", "bob", "other.example.com", "x") + "\n");
        assertThatThrownBy(() -> DigestAuthenticator.fromFile(foreign, REALM, Duration.ofMinutes(5), clock))
                .hasMessage(foreign + " line 1 is for realm \"other.example.com\", not \"" + REALM + "\"");
        Path plain = Files.writeString(dir.resolve("plain"), "# users\nbob:" + REALM + ":bob's secret\n");
        assertThatThrownBy(() -> DigestAuthenticator.fromFile(plain, REALM, Duration.ofMinutes(5), clock))
                .hasMessage(plain + " line 2: HA1 must be 32 (MD5) or 64 (SHA-256) hex digits");
        Path empty = Files.writeString(dir.resolve("empty"), "# nobody yet\n");
        assertThatThrownBy(() -> DigestAuthenticator.fromFile(empty, REALM, Duration.ofMinutes(5), clock))
                .hasMessageContaining("lists no user");
    }

    /** A REGISTER of {@code aor} from the client, answered by the service's digest client with these credentials. */
    private Request answered(String aor, String username, String password) throws Exception {
        Request challenged = register(aor, 1);
        Response challenge = challenge(challenged, false);
        Request answer = register(aor, 2);
        answer.addHeader(new DigestCredentials(username, password, REALM).answer(challenge, challenged, answer, headers));
        return answer;
    }

    private Response challenge(Request request, boolean stale) throws Exception {
        Response response = messages.createResponse(Response.UNAUTHORIZED, request);
        authenticator.challenge(response, CLIENT, stale, headers);
        return response;
    }

    private static List<WWWAuthenticateHeader> offers(Response challenge) {
        List<WWWAuthenticateHeader> offers = new java.util.ArrayList<>();
        challenge.getHeaders(WWWAuthenticateHeader.NAME).forEachRemaining(h -> offers.add((WWWAuthenticateHeader) h));
        return offers;
    }

    private Request register(String aor, int cseq) throws Exception {
        String host = aor.substring(aor.indexOf('@') + 1);
        return messages.createRequest("REGISTER sip:" + host.toLowerCase(java.util.Locale.ROOT) + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.2:5062;branch=z9hG4bK-" + cseq + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <" + aor + ">;tag=1\r\n"
                + "To: <" + aor + ">\r\n"
                + "Call-ID: digest-test@127.0.0.2\r\n"
                + "CSeq: " + cseq + " REGISTER\r\n"
                + "Contact: <sip:bob@127.0.0.2:5062>\r\n"
                + "Content-Length: 0\r\n\r\n");
    }

    private static InetAddress address(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
