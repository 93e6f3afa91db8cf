package org.imdp.routes;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;

import javax.sip.message.Request;
import javax.sip.message.Response;

import org.imdp.sipmsrp.SipMsrpEndpoint;
import org.imdp.sipmsrp.SipTestClient;
import org.imdp.sipmsrp.msrp.MsrpTestPeer;
import org.imdp.sipmsrp.sip.DigestAuthenticator;
import org.imdp.sipmsrp.sip.DigestCredentials;
import org.imdp.test.ServiceMainTestSupport;
import org.imdp.test.peers.Sipp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * IM Clients that register directly, without an S-CSCF (issue 11): the service trusts {@code 127.0.0.1/32} and
 * authenticates a REGISTER from anywhere else by digest against {@code imdp.sip.registrar.credentials}. The client is
 * SIPp on {@code 127.0.0.2}, answering the challenge with its own digest code; the push then goes to the contact it
 * registered. Wrong credentials, or a user registering another's address-of-record, get 403 and leave nothing
 * recorded.
 */
class DigestRegistrationRoutesTest extends ServiceMainTestSupport {

    private static final String REALM = "im.example.com";
    private static final String BOB = "sip:bob@127.0.0.1";
    private static final String CAROL = "sip:carol@127.0.0.1";
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** The IM Server part that deposits messages, and the IM Client's push side (its SIP UA and MSRP peer). */
    private SipTestClient trusted;
    private MsrpTestPeer peer;
    private SipTestClient stranger;

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        Properties p = serviceProperties("digest-registration-test");
        Path users = Path.of(p.getProperty("imdp.data-dir")).resolveSibling("users-" + UUID.randomUUID());
        try {
            Files.createDirectories(users.getParent());
            // SIPp answers MD5 only: bob has an MD5 line, so MD5 is what the service offers
            Files.writeString(users, "bob:" + REALM + ":" + DigestAuthenticator.ha1("MD5", "bob", REALM, "bob's secret")
                    + "\n", StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        p.put("imdp.sip.trusted-nodes", "127.0.0.1/32");
        p.put("imdp.sip.registrar.credentials", users.toString());
        p.put("imdp.sip.registrar.realm", REALM);
        return p;
    }

    @Override
    public boolean isUseAdviceWith() {
        return true;
    }

    private void start() throws Exception {
        withoutChargingEnabler();
        context.start();
        trusted = SipTestClient.start("127.0.0.1", sipPort());
        peer = new MsrpTestPeer().start(0);
        trusted.answerWithMsrp(peer.path(), "passive");
        stranger = SipTestClient.start("127.0.0.1", sipPort(), "127.0.0.2");
    }

    @AfterEach
    void stopPeers() {
        closeAll(trusted, stranger, peer);
    }

    @Test
    void a_client_that_authenticates_by_digest_registers_and_gets_its_messages_pushed() throws Exception {
        start();
        assertThat(trusted.sendMessage("sip:alice@127.0.0.1", BOB, "text/plain",
                "hello bob".getBytes(StandardCharsets.UTF_8))).isEqualTo(Response.ACCEPTED);

        try (Sipp client = Sipp.scenario("uac-register-digest.xml").localHost("127.0.0.2").remotePort(sipPort())
                .service("bob").set("contact", trusted.contact("bob"))
                .options("-au", "bob", "-ap", "bob's secret").runClient()) {
            client.assertSucceeded();
            assertThat(client.messages()).contains("SIP/2.0 401 Unauthorized").contains("algorithm=MD5")
                    .contains("Authorization: Digest");
        }
        await().atMost(WAIT).until(() -> store().count(BOB) == 0
                                         && trusted.received().stream().anyMatch(r -> r.method().equals(Request.BYE)));
        assertThat(peer.frames().stream().filter(f -> f.body().length > 0)).hasSize(1);
    }

    @Test
    void wrong_credentials_or_another_users_address_get_403_and_nothing_is_recorded() throws Exception {
        start();
        assertThat(trusted.sendMessage("sip:alice@127.0.0.1", CAROL, "text/plain",
                "hello carol".getBytes(StandardCharsets.UTF_8))).isEqualTo(Response.ACCEPTED);

        Response guessed = stranger.registerWithDigest(BOB, "<" + stranger.contact("bob") + ">", 600,
                new DigestCredentials("bob", "password", REALM));
        Response carols = stranger.registerWithDigest(CAROL, "<" + stranger.contact("carol") + ">", 600,
                new DigestCredentials("bob", "bob's secret", REALM));
        int message = stranger.sendMessage("sip:mallory@127.0.0.1", CAROL, "text/plain",
                "not from a trusted node".getBytes(StandardCharsets.UTF_8));

        assertThat(guessed.getStatusCode()).isEqualTo(Response.FORBIDDEN);
        assertThat(carols.getStatusCode()).isEqualTo(Response.FORBIDDEN);
        assertThat(message).as("MESSAGE is served to trusted nodes only").isEqualTo(Response.FORBIDDEN);
        assertThat(store().single("SELECT count(*) FROM registration")).isZero();
        assertThat(store().count(CAROL)).isEqualTo(1);
        assertThat(context.getEndpoint("sipmsrp:register", SipMsrpEndpoint.class).getRequestsForbidden()).isEqualTo(2);

        // bob's own registration with his password: recorded
        assertThat(stranger.registerWithDigest(BOB, "<" + stranger.contact("bob") + ">", 600,
                new DigestCredentials("bob", "bob's secret", REALM)).getStatusCode()).isEqualTo(Response.OK);
        assertThat(store().single("SELECT count(*) FROM registration")).isEqualTo(1);
        assertThat(stranger.received()).as("requests that reached the stranger").isEmpty();
    }
}
