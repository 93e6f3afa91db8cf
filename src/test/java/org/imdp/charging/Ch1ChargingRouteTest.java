package org.imdp.charging;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelHandlerContext;
import jakarta.jms.TextMessage;
import org.apache.camel.CamelContext;
import org.imdp.ch1.Ch1Endpoint;
import org.imdp.ch1.codec.Diameter;
import org.imdp.ch1.codec.DiameterMessage;
import org.imdp.ch1.support.TestDiameterServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * routes/charging.xml with the service's embedded Artemis broker and a Diameter server built from the
 * codec, which can hold back its answer or answer any Result-Code.
 */
class Ch1ChargingRouteTest extends ChargingRouteTestSupport {

    private final TestDiameterServer cdf = new TestDiameterServer("cdf.localdomain");

    Ch1ChargingRouteTest() throws InterruptedException {
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext context = super.createCamelContext();
        context.getShutdownStrategy().setTimeout(3);
        return context;
    }

    @Override
    Properties ch1Properties() {
        Properties props = new Properties();
        props.put("imdp.ch1.peers", cdf.peer());
        props.put("imdp.ch1.request-timeout", "1s");
        props.put("imdp.ch1.redelivery-delay", "100");
        props.put("imdp.ch1.max-redelivery-delay", "400");
        props.put("imdp.ch1.reconnect-delay-min", "100ms");
        props.put("imdp.ch1.reconnect-delay-max", "400ms");
        return props;
    }

    @AfterEach
    void stopCdf() {
        context.stop(); // the route before its peer, as before the broker
        cdf.close();
    }

    @Test
    void an_event_leaves_the_queue_only_after_aca_2001() throws Exception {
        BlockingQueue<Object[]> held = new LinkedBlockingQueue<>();
        cdf.onAcr((ctx, acr) -> held.add(new Object[] {ctx, acr}));

        publish(ChargingEvents.push("held"));

        Object[] acr = held.poll(10, TimeUnit.SECONDS);
        assertThat(acr).as("ACR received").isNotNull();
        // unanswered: the event is still on im.charging (delivered, not acknowledged)
        assertThat(messages("im.charging")).isEqualTo(1);
        DiameterMessage request = (DiameterMessage) acr[1];
        assertThat(request.avp(Diameter.SESSION_ID).orElseThrow().asUtf8()).endsWith(";held");

        ((ChannelHandlerContext) acr[0]).writeAndFlush(cdf.answer(request, Diameter.DIAMETER_SUCCESS));

        await().atMost(10, TimeUnit.SECONDS).until(() -> messages("im.charging") == 0);
        assertThat(messages("im.charging.dlq")).isZero();
    }

    /** The push's own ACR goes out only on an OPEN connection (it never waits for one): wait for CER/CEA. */
    private void awaitOpenPeer() {
        await().atMost(10, TimeUnit.SECONDS).until(() -> ch1Endpoints().anyMatch(e -> openPeers(e) > 0));
    }

    /** The endpoint's OPEN peers; -1 while it cannot tell. */
    private static int openPeers(Ch1Endpoint endpoint) {
        try {
            return endpoint.getOpenPeers().size();
        } catch (Exception failure) {
            return -1;
        }
    }

    @Test
    void the_push_charges_its_record_at_once_and_the_2001_deletes_it() throws Exception {
        cdf.onAcr(cdf.answering(Diameter.DIAMETER_SUCCESS));
        awaitOpenPeer();
        ChargingEvent event = ChargingEvents.push("at-once");
        record(event);

        template.sendBody("direct:charge", event);

        await().atMost(10, TimeUnit.SECONDS).until(() -> records.count() == 0);
        assertThat(cdf.requests(Diameter.CMD_ACCOUNTING)).singleElement().satisfies(acr -> {
            assertThat(acr.isRetransmit()).isFalse();
            assertThat(acr.avp(Diameter.SESSION_ID).orElseThrow().asUtf8()).endsWith(";at-once");
        });
        // the record never goes through the queue: the relay has nothing left to send, also after the grace period
        await().during(CHARGING_GRACE.multipliedBy(2)).atMost(CHARGING_GRACE.multipliedBy(4))
                .until(() -> cdf.requests(Diameter.CMD_ACCOUNTING).size() == 1 && messages("im.charging") == 0);
    }

    @Test
    void a_record_the_push_could_not_charge_is_relayed_to_the_queue_and_charged_again_with_the_t_flag() throws Exception {
        BlockingQueue<DiameterMessage> acrs = new LinkedBlockingQueue<>();
        cdf.onAcr((ctx, acr) -> {
            acrs.add(acr);
            ctx.writeAndFlush(cdf.answer(acr, acrs.size() < 2 ? 3002 : Diameter.DIAMETER_SUCCESS));
        });
        awaitOpenPeer();
        ChargingEvent event = ChargingEvents.push("relayed");
        record(event);

        template.sendBody("direct:charge", event);
        assertThat(records.count()).as("kept after the failed ACR").isEqualTo(1);

        await().atMost(15, TimeUnit.SECONDS).until(() -> acrs.size() == 2 && records.count() == 0
                                                        && messages("im.charging") == 0);
        assertThat(acrs).extracting(DiameterMessage::isRetransmit).containsExactly(false, true);
        assertThat(acrs).extracting(m -> m.avp(Diameter.SESSION_ID).orElseThrow().asUtf8()).containsOnly(
                acrs.peek().avp(Diameter.SESSION_ID).orElseThrow().asUtf8());
        assertThat(messages("im.charging.dlq")).isZero();
    }

    /** The Charging Enabler down: its peer answers every CER with 5012, so no connection is OPEN. */
    private void chargingEnablerDown() {
        cdf.refuseConnections(true);
        await().atMost(10, TimeUnit.SECONDS).until(() -> ch1Endpoints().allMatch(e -> openPeers(e) == 0));
    }

    private java.util.stream.Stream<Ch1Endpoint> ch1Endpoints() {
        return context.getEndpoints().stream().filter(e -> e instanceof Ch1Endpoint).map(e -> (Ch1Endpoint) e);
    }

    /** Every ACR the Charging Enabler gets, each answered 2001. */
    private BlockingQueue<DiameterMessage> acrsAnswered2001() {
        BlockingQueue<DiameterMessage> acrs = new LinkedBlockingQueue<>();
        cdf.onAcr((ctx, acr) -> {
            acrs.add(acr);
            ctx.writeAndFlush(cdf.answer(acr, Diameter.DIAMETER_SUCCESS));
        });
        return acrs;
    }

    /** The Charging Enabler got one ACR of the event, its first sending: without the T flag. */
    private void assertChargedOnceWithoutT(BlockingQueue<DiameterMessage> acrs) throws Exception {
        assertThat(acrs).hasSize(1);
        assertThat(acrs.peek().isRetransmit()).as("T flag of the first ACR the Charging Enabler gets").isFalse();
        assertThat(messages("im.charging.dlq")).isZero();
    }

    @Test
    void a_record_whose_acr_never_left_is_relayed_and_charged_without_the_t_flag() throws Exception {
        BlockingQueue<DiameterMessage> acrs = acrsAnswered2001();
        awaitOpenPeer();
        chargingEnablerDown();
        ChargingEvent event = ChargingEvents.push("never-left");
        record(event);

        template.sendBody("direct:charge", event);
        assertThat(ch1Endpoints().mapToLong(Ch1Endpoint::getRecordsFailed).sum()).as("the push's ACR failed").isEqualTo(1);
        cdf.refuseConnections(false);

        await().atMost(15, TimeUnit.SECONDS).until(() -> acrs.size() == 1 && records.count() == 0
                                                        && messages("im.charging") == 0);
        assertChargedOnceWithoutT(acrs);
    }

    @Test
    void an_event_whose_earlier_deliveries_never_sent_it_is_charged_without_the_t_flag() throws Exception {
        BlockingQueue<DiameterMessage> acrs = acrsAnswered2001();
        awaitOpenPeer();
        chargingEnablerDown();

        publish(ChargingEvents.push("delivered-unsent"));
        // two deliveries found no open peer within the request timeout, and were rolled back
        await().atMost(15, TimeUnit.SECONDS).until(() -> ch1Endpoints().mapToLong(Ch1Endpoint::getRecordsFailed).sum() >= 2);
        cdf.refuseConnections(false);

        await().atMost(15, TimeUnit.SECONDS).until(() -> acrs.size() == 1 && messages("im.charging") == 0);
        assertChargedOnceWithoutT(acrs);
    }

    @Test
    void a_transient_answer_is_retried_with_the_t_flag_until_2001() throws Exception {
        BlockingQueue<DiameterMessage> acrs = new LinkedBlockingQueue<>();
        cdf.onAcr((ctx, acr) -> {
            acrs.add(acr);
            ctx.writeAndFlush(cdf.answer(acr, acrs.size() < 3 ? 4002 : Diameter.DIAMETER_SUCCESS));
        });

        publish(ChargingEvents.push("retried"));

        await().atMost(15, TimeUnit.SECONDS).until(() -> acrs.size() == 3 && messages("im.charging") == 0);
        assertThat(acrs).extracting(DiameterMessage::isRetransmit).containsExactly(false, true, true);
        assertThat(acrs).extracting(m -> m.avp(Diameter.SESSION_ID).orElseThrow().asUtf8()).containsOnly(
                acrs.peek().avp(Diameter.SESSION_ID).orElseThrow().asUtf8());
        assertThat(messages("im.charging.dlq")).isZero();
    }

    @Test
    void an_event_that_keeps_failing_for_now_does_not_hold_back_the_events_behind_it() throws Exception {
        BlockingQueue<DiameterMessage> stuck = new LinkedBlockingQueue<>();
        BlockingQueue<DiameterMessage> next = new LinkedBlockingQueue<>();
        cdf.onAcr((ctx, acr) -> {
            boolean isStuck = acr.avp(Diameter.SESSION_ID).orElseThrow().asUtf8().endsWith(";stuck");
            (isStuck ? stuck : next).add(acr);
            // DIAMETER_TOO_BUSY (RFC 6733 section 7.1.3) to the first event, every time
            ctx.writeAndFlush(cdf.answer(acr, isStuck ? 3004 : Diameter.DIAMETER_SUCCESS));
        });

        publish(ChargingEvents.push("stuck"));
        publish(ChargingEvents.push("next"));

        // one consumer (imdp.charging.consumers = 1): the second event is charged while the first waits for its redelivery
        await().atMost(15, TimeUnit.SECONDS).until(() -> !next.isEmpty() && messages("im.charging") == 1);
        int triedBefore = stuck.size();
        assertThat(triedBefore).isPositive();
        // and the first keeps being retried, each time marked as a possible duplicate
        await().atMost(15, TimeUnit.SECONDS).until(() -> stuck.size() > triedBefore);
        List<Boolean> tFlags = stuck.stream().map(DiameterMessage::isRetransmit).toList();
        assertThat(tFlags.get(0)).isFalse();
        assertThat(tFlags.subList(1, tFlags.size())).isNotEmpty().containsOnly(true);
        assertThat(next).hasSize(1);
        assertThat(messages("im.charging")).isEqualTo(1);
        assertThat(messages("im.charging.dlq")).isZero();
    }

    @Test
    void an_answer_that_cannot_be_read_keeps_the_event_on_the_queue_until_a_2001() throws Exception {
        BlockingQueue<DiameterMessage> acrs = new LinkedBlockingQueue<>();
        cdf.onAcr((ctx, acr) -> {
            acrs.add(acr);
            if (acrs.size() == 1) {
                TestDiameterServer.answeringWithA3OctetResultCode().onAcr(ctx, acr);
            } else {
                ctx.writeAndFlush(cdf.answer(acr, Diameter.DIAMETER_SUCCESS));
            }
        });

        publish(ChargingEvents.push("unreadable"));

        await().atMost(15, TimeUnit.SECONDS).until(() -> acrs.size() == 2 && messages("im.charging") == 0);
        assertThat(acrs).extracting(DiameterMessage::isRetransmit).containsExactly(false, true);
        assertThat(messages("im.charging.dlq")).isZero();
    }

    @Test
    void a_5xxx_answer_sends_the_original_event_to_the_dead_letter_queue_with_the_reason() throws Exception {
        cdf.onAcr(cdf.answering(5012));
        String event = json.writeValueAsString(ChargingEvents.push("refused"));

        publish(event);

        await().atMost(10, TimeUnit.SECONDS).until(() -> messages("im.charging.dlq") == 1);
        assertThat(messages("im.charging")).isZero();
        TextMessage dead = (TextMessage) receive("im.charging.dlq");
        assertThat(dead.getText()).isEqualTo(event);
        assertThat(dead.getStringProperty("imdpChargingFailureReason")).contains("Result-Code 5012").contains(";refused");
        // moved back to im.charging by an operator, its ACR carries the T flag
        assertThat(dead.getBooleanProperty("imdpPossiblySent")).isTrue();
        assertThat(cdf.requests(Diameter.CMD_ACCOUNTING)).hasSize(1);
    }

    @Test
    void an_event_that_is_not_json_goes_to_the_dead_letter_queue() throws Exception {
        publish("{not json");

        await().atMost(10, TimeUnit.SECONDS).until(() -> messages("im.charging.dlq") == 1);
        assertThat(((TextMessage) receive("im.charging.dlq")).getStringProperty("imdpChargingFailureReason")).isNotBlank();
        assertThat(cdf.requests(Diameter.CMD_ACCOUNTING)).isEmpty();
    }

    @Test
    void a_restart_before_the_answer_sends_the_record_again_with_the_same_session_id_and_the_t_flag() throws Exception {
        BlockingQueue<DiameterMessage> acrs = new LinkedBlockingQueue<>();
        cdf.onAcr((ctx, acr) -> acrs.add(acr));
        publish(ChargingEvents.push("restarted"));
        DiameterMessage first = acrs.poll(10, TimeUnit.SECONDS);
        assertThat(first).isNotNull();

        context.getRouteController().stopRoute("charging", 3, TimeUnit.SECONDS);
        assertThat(messages("im.charging")).isEqualTo(1);
        cdf.onAcr((ctx, acr) -> {
            acrs.add(acr);
            ctx.writeAndFlush(cdf.answer(acr, Diameter.DIAMETER_SUCCESS));
        });
        context.getRouteController().startRoute("charging");

        await().atMost(15, TimeUnit.SECONDS).until(() -> messages("im.charging") == 0);
        // every later send (retries before the stop, the send after the restart) is the same record, marked as a possible duplicate
        assertThat(acrs).isNotEmpty().allSatisfy(acr -> {
            assertThat(acr.isRetransmit()).isTrue();
            assertThat(acr.avp(Diameter.SESSION_ID).orElseThrow().asUtf8())
                    .isEqualTo(first.avp(Diameter.SESSION_ID).orElseThrow().asUtf8());
        });
        assertThat(messages("im.charging.dlq")).isZero();
    }

    @Test
    void a_stop_before_the_answer_leaves_the_event_on_the_queue() throws Exception {
        BlockingQueue<DiameterMessage> held = new LinkedBlockingQueue<>();
        cdf.onAcr((ctx, acr) -> held.add(acr));
        publish(ChargingEvents.push("interrupted"));
        assertThat(held.poll(10, TimeUnit.SECONDS)).isNotNull();

        context.stop();

        assertThat(messages("im.charging")).isEqualTo(1);
        assertThat(messages("im.charging.dlq")).isZero();
    }
}
