package org.imdp.routes;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;

import javax.sip.address.Address;
import javax.sip.header.WarningHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import io.micrometer.core.instrument.MeterRegistry;
import org.imdp.cpim.CpimMessage;
import org.imdp.sipmsrp.SipMsrpEndpoint;
import org.imdp.sipmsrp.SipTestClient;
import org.imdp.sipmsrp.msrp.MsrpTestPeer;
import org.imdp.store.DeferredStore;
import org.imdp.test.ServiceMainTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import gov.nist.javax.sip.header.extensions.ReferredByHeader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 11, the attacks on the SIP side, against the real routes, store and {@code sipmsrp} consumers: the service
 * trusts {@code 127.0.0.1/32} (the S-CSCF and the IM Server parts) and serves the home domain {@code example.com}. The
 * stranger is a SIP client on {@code 127.0.0.2}, another loopback address (Linux routes all of 127/8 on lo): what it
 * sends is refused 403 before routing and counted, and leaves nothing in the store. A trusted node's
 * P-Asserted-Identity is the sender the service records; a recipient outside the home domains is refused 404.
 */
class SipTrustRoutesTest extends ServiceMainTestSupport {

    private static final String ALICE = "sip:alice@example.com";
    private static final String MALLORY = "sip:mallory@example.com";
    private static final String BOB = "sip:bob@example.com";
    private static final String CAROL = "sip:carol@example.com";
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** The trusted node: the S-CSCF relaying what users send, and the recipients' IM Client behind it. */
    private SipTestClient trusted;
    private MsrpTestPeer peer;
    private SipTestClient stranger;

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        Properties p = serviceProperties("sip-trust-test");
        p.put("imdp.sip.trusted-nodes", "127.0.0.1/32");
        p.put("imdp.sip.home-domains", "example.com");
        return p;
    }

    @Override
    public boolean isUseAdviceWith() {
        return true;
    }

    private void start() throws Exception {
        // no Charging Enabler here: what is charged is not this test's concern
        withoutChargingEnabler();
        context.start();
        int sipPort = sipPort();
        trusted = SipTestClient.start("127.0.0.1", sipPort);
        peer = new MsrpTestPeer().start(0);
        trusted.answerWithMsrp(peer.path(), "passive");
        stranger = SipTestClient.start("127.0.0.1", sipPort, "127.0.0.2");
    }

    @AfterEach
    void stopPeers() {
        closeAll(trusted, stranger, peer);
    }

    /** Rows of a store table: no request of a stranger may add any. */
    private long rows(String table) throws Exception {
        return store().single("SELECT count(*) FROM " + table);
    }

    private MeterRegistry meters() {
        return context.getRegistry().findSingleByType(MeterRegistry.class);
    }

    private double forbidden(String method) {
        return meters().get("imdp.sip.requests.forbidden").tag("method", method).functionCounter().count();
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The first finding: a REGISTER for carol from an unrelated socket, with the attacker's own Contact, took
     * carol's messages. Now it is refused 403, as is its deregistration of carol; no registration is recorded, carol's
     * messages stay stored, and when carol's S-CSCF registers her, they are pushed to her client and nothing ever
     * reaches the attacker.
     */
    @Test
    void a_foreign_register_is_refused_403_and_nothing_is_delivered_to_the_attacker() throws Exception {
        start();
        assertThat(trusted.sendMessage(ALICE, CAROL, "text/plain", text("one"))).isEqualTo(Response.ACCEPTED);
        assertThat(trusted.sendMessage(ALICE, CAROL, "text/plain", text("two"))).isEqualTo(Response.ACCEPTED);

        Response taken = stranger.register(CAROL, 600);
        Response dropped = stranger.send(stranger.newRegister(CAROL, "*", 0));

        assertThat(taken.getStatusCode()).isEqualTo(Response.FORBIDDEN);
        assertThat(((WarningHeader) taken.getHeader(WarningHeader.NAME)).getText()).contains("not a trusted node");
        assertThat(dropped.getStatusCode()).isEqualTo(Response.FORBIDDEN);
        assertThat(rows("registration")).isZero();
        assertThat(rows("push_request")).isZero();
        assertThat(store().count(CAROL)).isEqualTo(2);
        assertThat(context.getEndpoint("sipmsrp:register", SipMsrpEndpoint.class).getRequestsForbidden()).isEqualTo(2);
        assertThat(forbidden("REGISTER")).isEqualTo(2.0);
        assertThat(forbidden("MESSAGE")).isZero();

        // carol's own registration, through the trusted node: her messages go to her client
        assertThat(trusted.register(CAROL, 600).getStatusCode()).isEqualTo(Response.OK);
        await().atMost(WAIT).until(() -> store().count(CAROL) == 0
                                         && trusted.received().stream().anyMatch(r -> r.method().equals(Request.BYE)));
        assertThat(peer.frames().stream().filter(f -> f.body().length > 0)).hasSize(2);
        assertThat(stranger.received()).as("requests that reached the attacker").isEmpty();
    }

    /**
     * A MESSAGE whose P-Asserted-Identity a stranger forged is refused before anything reads it: nothing is stored and
     * no push is asked for, whoever the recipient.
     */
    @Test
    void a_message_with_a_spoofed_p_asserted_identity_from_a_stranger_is_refused() throws Exception {
        start();
        assertThat(trusted.register(BOB, 600).getStatusCode()).isEqualTo(Response.OK);

        Request forged = stranger.assertIdentity(stranger.newMessage(MALLORY, BOB, "text/plain", text("pay me")), ALICE);
        Response refused = stranger.send(forged);

        assertThat(refused.getStatusCode()).isEqualTo(Response.FORBIDDEN);
        assertThat(rows("deferred_message")).isZero();
        assertThat(forbidden("MESSAGE")).isEqualTo(1.0);
        assertThat(trusted.received()).extracting(SipTestClient.Received::method).doesNotContain(Request.INVITE);
    }

    /**
     * From a trusted node, the P-Asserted-Identity is the sender: what is stored, the CPIM From and the Referred-By of
     * the push (and so the charging record and the IMDN target, which read the stored sender), whatever the From
     * says. A CPIM From that names another than the asserted identity is refused 400.
     */
    @Test
    void a_trusted_nodes_p_asserted_identity_is_the_recorded_sender() throws Exception {
        start();
        Request asserted = trusted.assertIdentity(trusted.newMessage(MALLORY, BOB, "text/plain", text("hi bob")), ALICE);
        assertThat(trusted.send(asserted).getStatusCode()).isEqualTo(Response.ACCEPTED);
        assertThat(store().pending(BOB, 10)).extracting(DeferredStore.PendingMessage::sender).containsExactly(ALICE);

        String cpim = "From: <" + MALLORY + ">\r\nTo: <" + BOB + ">\r\n\r\nContent-Type: text/plain\r\n\r\nforged";
        Request disagreeing = trusted.assertIdentity(trusted.newMessage(MALLORY, BOB, "message/cpim", text(cpim)), ALICE);
        Response refused = trusted.send(disagreeing);
        assertThat(refused.getStatusCode()).isEqualTo(Response.BAD_REQUEST);
        assertThat(((WarningHeader) refused.getHeader(WarningHeader.NAME)).getText()).contains(MALLORY, ALICE);
        assertThat(store().count(BOB)).isEqualTo(1);

        assertThat(trusted.register(BOB, 600).getStatusCode()).isEqualTo(Response.OK);
        await().atMost(WAIT).until(() -> store().count(BOB) == 0);
        CpimMessage pushed = CpimMessage.parse(peer.frames().stream().filter(f -> f.body().length > 0).findFirst()
                .orElseThrow().body());
        assertThat(pushed.header(CpimMessage.FROM)).contains(ALICE).doesNotContain("mallory");
        Request invite = trusted.awaitRequest(Request.INVITE, WAIT).request();
        Address referredBy = ((ReferredByHeader) invite.getHeader(ReferredByHeader.NAME)).getAddress();
        assertThat(referredBy.getURI()).hasToString(ALICE);
    }

    /**
     * A recipient outside the home domains, even from the trusted node: a MESSAGE and a REGISTER get 404 with a
     * Warning naming the key, nothing is stored or recorded, and both are counted.
     */
    @Test
    void a_recipient_outside_the_home_domains_is_refused_404_with_no_store_state() throws Exception {
        start();

        Response message = trusted.send(trusted.newMessage(ALICE, "sip:bob@example.org", "text/plain", text("x")));
        Response register = trusted.register("sip:dave@example.org", 600);

        assertThat(message.getStatusCode()).isEqualTo(Response.NOT_FOUND);
        assertThat(((WarningHeader) message.getHeader(WarningHeader.NAME)).getText())
                .contains("sip:bob@example.org", "imdp.sip.home-domains");
        assertThat(register.getStatusCode()).isEqualTo(Response.NOT_FOUND);
        assertThat(rows("deferred_message")).isZero();
        assertThat(rows("registration")).isZero();
        assertThat(rows("push_request")).isZero();
        assertThat(meters().get("imdp.intake.refused").tag("reason", "not_home_domain").counter().count())
                .isEqualTo(2.0);
    }
}
