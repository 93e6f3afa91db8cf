package org.imdp.routes;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.ToDefinition;
import org.imdp.cpim.CpimMessage;
import org.imdp.sipmsrp.SipTestClient;
import org.imdp.sipmsrp.msrp.MsrpTestPeer;
import org.imdp.store.DeferredMessage;
import org.imdp.store.DeferredStore;
import org.imdp.test.ServiceMainTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 10, the push as the service runs it: the real routes, store and broker, the real {@code sipmsrp:push}, a real
 * SIP client ({@link SipTestClient}) and MSRP client ({@link MsrpTestPeer}) on loopback. What a client acknowledged
 * leaves the store after one session, whatever stops the session and whichever 2xx the client acknowledges with.
 */
class PushSettleTest extends ServiceMainTestSupport {

    private static final String BOB = "sip:bob@example.com";
    private static final String ALICE = "sip:alice@example.com";
    private static final Duration WAIT = Duration.ofSeconds(20);

    private SipTestClient client;
    private MsrpTestPeer peer;

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        Properties p = serviceProperties("push-settle-test");
        // two of the 500-octet messages of the backlog fit in a session, three do not
        p.put("imdp.push.max-session-bytes", "1024");
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
        client = SipTestClient.start("127.0.0.1",
                sipPort());
        peer = new MsrpTestPeer().start(0);
        client.answerWithMsrp(peer.path(), "passive");
    }

    @AfterEach
    void stopPeers() {
        if (client != null) {
            client.close();
        }
        if (peer != null) {
            peer.close();
        }
    }

    private long stored() throws Exception {
        return store().count(BOB);
    }

    /** Bob's IM Client is available at the SIP test client: a push follows. */
    private void available() {
        template.sendBodyAndHeaders("jms:queue:im.availability", "",
                Map.of("imdpRecipient", BOB, "imdpContact", client.contact("bob")));
    }

    /** How many dialogs got a request of {@code method} (by Call-ID: a retransmission does not count). */
    private long received(String method) {
        return client.received().stream().filter(r -> r.method().equals(method))
                .map(r -> r.request().getHeader(javax.sip.header.CallIdHeader.NAME).toString()).distinct().count();
    }

    /** How many times the client got the message with this imdn.Message-ID (each fits in one SEND here). */
    private long delivered(String messageId) {
        return peer.frames().stream().filter(f -> f.body().length > 0)
                .filter(f -> messageId.equals(CpimMessage.parse(f.body()).header(CpimMessage.IMDN_MESSAGE_ID))).count();
    }

    private static DeferredMessage message(String id, String contentType, String text) {
        return new DeferredMessage(id, ALICE, BOB, contentType, Instant.parse("2026-11-26T08:00:00Z"), null,
                text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A stored message that cannot be wrapped (a row from before the intake refused it: U+0085 in its Content-Type)
     * stops the push at it; the message before it, acknowledged with MSRP 200, is removed by that session's settle
     * and is not delivered again by the next push. Before the fix the session failed unsettled and the first message
     * was delivered again on every push.
     */
    /** Hawtio's diagram of route push is the ladder: its steps carry the change request's step numbers, in flow order. */
    @Test
    void the_push_route_names_the_ladder_steps_in_flow_order() throws Exception {
        start();
        List<String> steps = context.getCamelContextExtension().getContextPlugin(Model.class).getRouteDefinition("push")
                .getOutputs().stream().filter(ProcessorDefinition::hasCustomIdAssigned)
                .map(step -> step.getId() + (step instanceof ToDefinition to ? " " + to.getUri() : ""))
                .toList();
        assertThat(steps).containsSubsequence("step-1-4-invite-to-msrp-200s sipmsrp:push",
                "settle-before-bye direct:settle", "step-5-bye sipmsrp:bye",
                "steps-6-7-charge-after-bye seda:charge-after-bye?blockWhenFull=true");
    }

    @Test
    void a_message_that_cannot_be_wrapped_does_not_keep_the_acknowledged_ones_before_it() throws Exception {
        start();
        store().store(message("ps-0001", "text/plain", "one"));
        store().store(message("ps-0002", "text/plain\u0085", "two"));
        store().store(message("ps-0003", "text/plain", "three"));

        available();
        await().atMost(WAIT).until(() -> stored() == 2 && received("BYE") == 1);
        assertThat(delivered("ps-0001")).isEqualTo(1);

        available();
        await().atMost(WAIT).until(() -> received("BYE") == 2);
        assertThat(delivered("ps-0001")).as("an acknowledged message is not pushed again").isEqualTo(1);
        assertThat(stored()).isEqualTo(2);
        assertThat(store().pending(BOB, 10)).extracting(DeferredStore.PendingMessage::messageId)
                .containsExactly("ps-0002", "ps-0003");
    }

    /**
     * A client that acknowledges every SEND with 202: a backlog over the session budget (three messages, two per
     * session) leaves the store in two sessions, each message delivered once. Before the fix the session counted as
     * complete while nothing was removed, so the next one followed at once with the same messages, in a loop.
     */
    @Test
    void a_client_acknowledging_with_202_empties_a_backlog_in_one_pass() throws Exception {
        start();
        peer.answerWith(202);
        List<String> ids = List.of("bl-0001", "bl-0002", "bl-0003");
        for (String id : ids) {
            store().store(message(id, "text/plain", "x".repeat(500)));
        }

        available();
        await().atMost(WAIT).until(() -> stored() == 0);

        assertThat(ids).allSatisfy(id -> assertThat(delivered(id)).as(id).isEqualTo(1));
        assertThat(received("INVITE")).isEqualTo(2);
    }
}
