package org.imdp.ch1;

import org.imdp.test.TestPorts;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBufUtil;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.imdp.ch1.codec.Diameter;
import org.imdp.ch1.codec.DiameterAvp;
import org.imdp.ch1.codec.DiameterMessage;
import org.imdp.ch1.support.AccountingEvents;
import org.imdp.ch1.support.TestDiameterServer;
import org.imdp.test.NettyLeakDetection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The ch1 producer and its peer state machine against {@link TestDiameterServer}s (primary and secondary). */
@ExtendWith(NettyLeakDetection.class)
class Ch1ProducerTest extends CamelTestSupport {

    private final TestDiameterServer primary = new TestDiameterServer("primary.localdomain");
    private final TestDiameterServer secondary = new TestDiameterServer("secondary.localdomain");
    private final String uri = "ch1:test?peers=" + primary.peer() + "," + secondary.peer()
            + "&requestTimeout=2s&watchdogInterval=500ms&reconnectDelayMin=100ms&reconnectDelayMax=400ms&maxFrameSize=4096";

    Ch1ProducerTest() throws InterruptedException {
    }

    @AfterEach
    void closeServers() {
        primary.close();
        secondary.close();
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:acr").to(uri);
            }
        };
    }

    private void awaitOpen(int peers) {
        Ch1Endpoint endpoint = context.getEndpoint(uri, Ch1Endpoint.class);
        await().atMost(10, TimeUnit.SECONDS).until(() -> endpoint.getOpenPeers().size() == peers);
    }

    private Exchange charge(String eventId) {
        return template.request("direct:acr", e -> e.getIn().setBody(AccountingEvents.push(eventId)));
    }

    @Test
    void cer_carries_the_capabilities_and_the_acr_goes_to_the_primary() {
        awaitOpen(2);
        DiameterMessage cer = primary.requests(Diameter.CMD_CAPABILITIES_EXCHANGE).get(0);
        assertThat(cer.avp(Diameter.ORIGIN_HOST).orElseThrow().asIdentity()).isEqualTo("im-deferred.localdomain");
        assertThat(cer.avp(Diameter.ORIGIN_REALM).orElseThrow().asIdentity()).isEqualTo("localdomain");
        assertThat(cer.avp(Diameter.HOST_IP_ADDRESS).orElseThrow().asAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(cer.avp(Diameter.VENDOR_ID).orElseThrow().asUnsigned32()).isZero();
        assertThat(cer.avp(Diameter.PRODUCT_NAME).orElseThrow().isMandatory()).isFalse();
        assertThat(cer.avp(Diameter.ACCT_APPLICATION_ID).orElseThrow().asUnsigned32()).isEqualTo(3);

        Exchange result = charge("primary");

        assertThat(result.getException()).isNull();
        assertThat(result.getMessage().getHeader(Ch1Constants.RESULT_CODE)).isEqualTo(2001L);
        assertThat(result.getMessage().getHeader(Ch1Constants.PEER)).isEqualTo(primary.peer());
        assertThat(result.getMessage().getHeader(Ch1Constants.ANSWER_ORIGIN_HOST)).isEqualTo("primary.localdomain");
        DiameterMessage acr = primary.requests(Diameter.CMD_ACCOUNTING).get(0);
        assertThat(acr.flags()).isEqualTo(DiameterMessage.FLAG_REQUEST | DiameterMessage.FLAG_PROXIABLE);
        assertThat(acr.applicationId()).isEqualTo(3);
        assertThat(secondary.requests(Diameter.CMD_ACCOUNTING)).isEmpty();
        Ch1Endpoint endpoint = context.getEndpoint(uri, Ch1Endpoint.class);
        assertThat(endpoint.getRecordsSent()).isEqualTo(1);
        assertThat(endpoint.getRecordsAccepted()).isEqualTo(1);
        assertThat(endpoint.answers(2001)).isEqualTo(1);
        assertThat(endpoint.getAnswersByResultCode()).isEqualTo("{2001=1}");
    }

    @Test
    void a_5xxx_answer_is_a_permanent_failure_with_the_result_code() {
        awaitOpen(2);
        primary.onAcr(primary.answering(5005));

        Exchange result = charge("rejected");

        assertThat(result.getException()).isInstanceOf(Ch1PermanentException.class).hasMessageContaining("5005");
        assertThat(((Ch1PermanentException) result.getException()).getResultCode()).isEqualTo(5005L);
        assertThat(context.getEndpoint(uri, Ch1Endpoint.class).getRecordsRefused()).isEqualTo(1);
    }

    @Test
    void a_3xxx_or_4xxx_answer_is_transient() {
        awaitOpen(2);
        primary.onAcr(primary.answering(4002));
        assertThat(charge("busy").getException()).isInstanceOf(Ch1TransientException.class).hasMessageContaining("4002");
        primary.onAcr(primary.answering(Diameter.DIAMETER_UNABLE_TO_DELIVER));
        assertThat(charge("unable").getException()).isInstanceOf(Ch1TransientException.class).hasMessageContaining("3002");
        assertThat(context.getEndpoint(uri, Ch1Endpoint.class).getRecordsFailed()).isEqualTo(2);
        assertThat(context.getEndpoint(uri, Ch1Endpoint.class).getAnswersByResultCode()).isEqualTo("{3002=1, 4002=1}");
    }

    @Test
    void a_request_lost_with_the_primary_is_resent_to_the_secondary_with_the_t_flag_and_the_same_end_to_end_id() {
        awaitOpen(2);
        primary.onAcr(TestDiameterServer.closingWithoutAnswer());

        Exchange result = charge("failover");

        assertThat(result.getException()).isNull();
        assertThat(result.getMessage().getHeader(Ch1Constants.PEER)).isEqualTo(secondary.peer());
        assertThat(result.getMessage().getHeader(Ch1Constants.RETRANSMITTED)).isEqualTo(true);
        DiameterMessage first = primary.requests(Diameter.CMD_ACCOUNTING).get(0);
        DiameterMessage resent = secondary.requests(Diameter.CMD_ACCOUNTING).get(0);
        assertThat(first.isRetransmit()).isFalse();
        assertThat(resent.isRetransmit()).isTrue();
        assertThat(resent.endToEnd()).isEqualTo(first.endToEnd());
        assertThat(resent.avp(Diameter.SESSION_ID).orElseThrow().asUtf8()).isEqualTo(first.avp(Diameter.SESSION_ID).orElseThrow().asUtf8());
    }

    @Test
    void an_answer_with_an_unknown_hop_by_hop_id_is_dropped_and_the_real_answer_still_counts() {
        awaitOpen(2);
        primary.onAcr((ctx, acr) -> {
            ctx.writeAndFlush(primary.answer(acr.withHopByHop(acr.hopByHop() + 1000), 5001));
            ctx.writeAndFlush(primary.answer(acr, Diameter.DIAMETER_SUCCESS));
        });

        Exchange result = charge("stray-answer");

        assertThat(result.getException()).isNull();
        assertThat(result.getMessage().getHeader(Ch1Constants.RESULT_CODE)).isEqualTo(2001L);
        assertThat(primary.connections()).isEqualTo(1);
    }

    @Test
    void an_unexpected_request_from_the_peer_gets_command_unsupported() throws Exception {
        awaitOpen(2);
        primary.send(primary.request(258, 1, 77)); // Re-Auth-Request: not for an accounting client

        DiameterMessage answer = await().atMost(5, TimeUnit.SECONDS).until(
                () -> primary.received().stream().filter(m -> !m.isRequest() && m.hopByHop() == 77).findFirst().orElse(null),
                m -> m != null);
        assertThat(answer.commandCode()).isEqualTo(258);
        assertThat(answer.isError()).isTrue();
        assertThat(answer.avp(Diameter.RESULT_CODE).orElseThrow().asUnsigned32()).isEqualTo(3001);
    }

    @Test
    void the_peers_watchdog_request_is_answered() {
        awaitOpen(2);
        primary.send(primary.request(Diameter.CMD_DEVICE_WATCHDOG, 0, 88));

        DiameterMessage dwa = await().atMost(5, TimeUnit.SECONDS).until(
                () -> primary.received().stream().filter(m -> !m.isRequest() && m.hopByHop() == 88).findFirst().orElse(null),
                m -> m != null);
        assertThat(dwa.avp(Diameter.RESULT_CODE).orElseThrow().asUnsigned32()).isEqualTo(2001);
    }

    @Test
    void an_idle_connection_is_watched_with_dwr_and_failed_over_when_the_peer_stops_answering() {
        awaitOpen(2);
        await().atMost(5, TimeUnit.SECONDS).until(() -> !primary.requests(Diameter.CMD_DEVICE_WATCHDOG).isEmpty());
        primary.answerWatchdog(false);

        // two watchdog intervals without an answer: the connection is dropped and opened again
        await().atMost(10, TimeUnit.SECONDS).until(() -> primary.connections() >= 2);
        primary.answerWatchdog(true);
        awaitOpen(2);
        assertThat(charge("after-watchdog").getException()).isNull();
    }

    @Test
    void garbage_from_the_peer_resets_the_connection_and_no_record_is_lost() throws Exception {
        awaitOpen(2);
        primary.onAcr((ctx, acr) -> ctx.writeAndFlush(ctx.alloc().buffer().writeBytes(
                ByteBufUtil.decodeHexDump("02000014" + "00000000000000000000000000000000"))));

        Exchange result = charge("garbage");

        // the connection was reset; the record went to the secondary with the T flag
        assertThat(result.getException()).isNull();
        assertThat(result.getMessage().getHeader(Ch1Constants.PEER)).isEqualTo(secondary.peer());
        assertThat(secondary.requests(Diameter.CMD_ACCOUNTING).get(0).isRetransmit()).isTrue();
        await().atMost(5, TimeUnit.SECONDS).until(() -> primary.connections() >= 2);
    }

    @Test
    void a_length_above_the_limit_resets_the_connection() {
        awaitOpen(2);
        primary.onAcr((ctx, acr) -> ctx.writeAndFlush(ctx.alloc().buffer().writeBytes(
                ByteBufUtil.decodeHexDump("01100000" + "00000000"))));

        Exchange result = charge("oversize");

        assertThat(result.getException()).isNull();
        assertThat(result.getMessage().getHeader(Ch1Constants.PEER)).isEqualTo(secondary.peer());
        await().atMost(5, TimeUnit.SECONDS).until(() -> primary.connections() >= 2);
    }

    @Test
    void a_malformed_answer_fails_the_request_for_a_retry_without_resetting() {
        awaitOpen(2);
        primary.onAcr((ctx, acr) -> ctx.writeAndFlush(ctx.alloc().buffer().writeBytes(ByteBufUtil.decodeHexDump(
                "01000020" + "0000010f" + "00000003" + String.format("%08x", acr.hopByHop()) + String.format("%08x", acr.endToEnd())
                        + "0000010c" + "40000010" + "000007d1"))));

        Exchange result = charge("malformed");

        assertThat(result.getException()).isInstanceOf(Ch1TransientException.class).hasMessageContaining("malformed answer");
        assertThat(primary.connections()).isEqualTo(1);
    }

    @Test
    void an_answer_whose_result_code_cannot_be_read_fails_the_request_for_a_retry() {
        awaitOpen(2);
        primary.onAcr(TestDiameterServer.answeringWithA3OctetResultCode());

        Exchange result = charge("three-octets");

        assertThat(result.getException()).isInstanceOf(Ch1TransientException.class)
                .hasMessageContaining("malformed answer from " + primary.peer())
                .hasMessageContaining(";three-octets")
                .hasMessageContaining("AVP 268 has 3 octets");
        assertThat(((Ch1TransientException) result.getException()).getResultCode()).isNull();
        Ch1Endpoint endpoint = context.getEndpoint(uri, Ch1Endpoint.class);
        assertThat(endpoint.getRecordsFailed()).isEqualTo(1);
        assertThat(endpoint.getRecordsAccepted()).isZero();
        // the peer is not at fault at the framing level: its connection stays up for the retry
        assertThat(primary.connections()).isEqualTo(1);
    }

    @Test
    void a_dead_primary_fails_over_to_the_secondary() throws Exception {
        String deadUri = "ch1:dead?peers=127.0.0.1:" + TestPorts.next() + "," + secondary.peer()
                + "&requestTimeout=2s&reconnectDelayMin=100ms&reconnectDelayMax=400ms";
        Exchange result = template.request(deadUri, e -> e.getIn().setBody(AccountingEvents.push("dead-primary")));

        assertThat(result.getException()).isNull();
        assertThat(result.getMessage().getHeader(Ch1Constants.PEER)).isEqualTo(secondary.peer());
        assertThat(context.getEndpoint(deadUri, Ch1Endpoint.class).getOpenPeers()).containsExactly(secondary.peer());
    }

    @Test
    void no_open_peer_within_the_request_timeout_is_transient() {
        String nowhere = "ch1:nowhere?peers=127.0.0.1:" + TestPorts.next() + "&requestTimeout=500ms&reconnectDelayMin=100ms";
        Exchange result = template.request(nowhere, e -> e.getIn().setBody(AccountingEvents.push("nowhere")));

        assertThat(result.getException()).isInstanceOf(Ch1NotSentException.class).hasMessageContaining("no open peer");
    }

    @Test
    void a_caller_that_keeps_its_event_elsewhere_fails_at_once_without_an_open_peer_instead_of_waiting() {
        // an hour of request timeout: only the fail-fast path can end this request within the test
        String nowhere = "ch1:nowhere-now?peers=127.0.0.1:" + TestPorts.next() + "&requestTimeout=1h&reconnectDelayMin=100ms";
        Exchange result = template.request(nowhere, e -> {
            e.getIn().setHeader(Ch1Constants.FAIL_WITHOUT_OPEN_PEER, true);
            e.getIn().setBody(AccountingEvents.push("nowhere-now"));
        });

        assertThat(result.getException()).isInstanceOf(Ch1NotSentException.class)
                .hasMessageContaining("no open peer").hasMessageContaining("not waiting for one");
    }

    /** {@code uri}, an endpoint towards the primary alone, once its connection is OPEN (one ACR charged through it). */
    private String openPrimaryOnly(String uri) {
        Ch1Endpoint endpoint = context.getEndpoint(uri, Ch1Endpoint.class);
        template.request(uri, e -> e.getIn().setBody(AccountingEvents.push("warm-up")));
        await().atMost(10, TimeUnit.SECONDS).until(() -> endpoint.getOpenPeers().size() == 1);
        return uri;
    }

    @Test
    void an_acr_written_and_never_answered_may_have_reached_the_peer() {
        String primaryOnly = openPrimaryOnly("ch1:primary-only?peers=" + primary.peer() + "&requestTimeout=500ms&reconnectDelayMin=100ms");
        primary.onAcr((ctx, acr) -> { });

        Exchange result = template.request(primaryOnly, e -> e.getIn().setBody(AccountingEvents.push("unanswered")));

        assertThat(result.getException()).isInstanceOf(Ch1TransientException.class).isNotInstanceOf(Ch1NotSentException.class)
                .hasMessageContaining("no answer from " + primary.peer());
    }

    @Test
    void an_acr_written_to_a_connection_that_then_closed_may_have_reached_the_peer_even_without_another_peer() {
        String primaryOnly = openPrimaryOnly("ch1:primary-closing?peers=" + primary.peer()
                + "&requestTimeout=1h&reconnectDelayMin=1h&reconnectDelayMax=1h");
        primary.onAcr(TestDiameterServer.closingWithoutAnswer());

        Exchange result = template.request(primaryOnly, e -> {
            e.getIn().setHeader(Ch1Constants.FAIL_WITHOUT_OPEN_PEER, true);
            e.getIn().setBody(AccountingEvents.push("written-then-closed"));
        });

        assertThat(result.getException()).isInstanceOf(Ch1TransientException.class).isNotInstanceOf(Ch1NotSentException.class)
                .hasMessageContaining("no open peer");
        assertThat(primary.requests(Diameter.CMD_ACCOUNTING)).hasSize(2);
    }

    @Test
    void a_peer_that_disconnects_gets_dpa_and_the_next_request_goes_to_the_secondary() {
        awaitOpen(2);
        primary.send(new DiameterMessage(DiameterMessage.FLAG_REQUEST, Diameter.CMD_DISCONNECT_PEER, 0, 99, 99, List.of(
                DiameterAvp.identity(Diameter.ORIGIN_HOST, 0, true, "primary.localdomain"),
                DiameterAvp.identity(Diameter.ORIGIN_REALM, 0, true, "localdomain"),
                DiameterAvp.enumerated(Diameter.DISCONNECT_CAUSE, 0, true, Diameter.DISCONNECT_CAUSE_REBOOTING))));
        DiameterMessage dpa = await().atMost(5, TimeUnit.SECONDS).until(
                () -> primary.received().stream().filter(m -> !m.isRequest() && m.hopByHop() == 99).findFirst().orElse(null),
                m -> m != null);
        assertThat(dpa.avp(Diameter.RESULT_CODE).orElseThrow().asUnsigned32()).isEqualTo(2001);

        Exchange result = charge("after-dpr");
        assertThat(result.getMessage().getHeader(Ch1Constants.PEER)).isEqualTo(secondary.peer());
    }

    @Test
    void stopping_sends_dpr_to_every_open_peer() {
        awaitOpen(2);
        context.stop();
        assertThat(primary.requests(Diameter.CMD_DISCONNECT_PEER)).hasSize(1);
        assertThat(secondary.requests(Diameter.CMD_DISCONNECT_PEER)).hasSize(1);
    }

    @Test
    void a_body_that_is_not_an_accounting_event_is_a_permanent_failure() {
        Exchange result = template.request("direct:acr", e -> e.getIn().setBody(42));
        assertThat(result.getException()).isInstanceOf(Ch1PermanentException.class).hasMessageContaining("AccountingEvent");
    }
}
