package org.imdp.routes;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import javax.sip.message.Request;
import javax.sip.message.Response;

import org.apache.camel.Exchange;
import org.imdp.test.ServiceMainTestSupport;
import org.imdp.cpim.CpimMessage;
import org.imdp.imdn.ImdnDocument;
import org.imdp.sipmsrp.SipTestClient;
import org.imdp.store.DeferredStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code routes/imdn.xml} on the real configuration, broker, store and {@code sipmsrp} component: messages that
 * expired or were refused for good reach their sender as an IMDN {@code failed} over SIP, played by a real second
 * SIP stack ({@link SipTestClient}) as the sender's client.
 */
class ImdnRoutesTest extends ServiceMainTestSupport {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String BOB = "sip:bob@example.com";
    private static final String FAILURE_REASON = "imdpImdnFailureReason";

    private SipTestClient sender;

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        Properties p = serviceProperties("imdn-routes-test");
        p.put("imdp.store.expiry", "1s");
        p.put("imdp.store.scan-period", "200ms");
        p.put("imdp.imdn.redelivery-delay", "100");
        p.put("imdp.imdn.max-redeliveries", "2");
        return p;
    }

    @BeforeEach
    void startSender() throws Exception {
        sender = SipTestClient.start("127.0.0.1", 9);
    }

    @AfterEach
    void stopSender() {
        sender.close();
    }

    private String alice() {
        return sender.contact("alice");
    }

    /** A stored message as the store writes it, put on im.deferred.refused as a refusing push would. */
    private void refuse(String messageId, String disposition) {
        Map<String, Object> properties = new HashMap<>(Map.of(DeferredStore.PROP_SENDER, alice(),
                DeferredStore.PROP_RECIPIENT, BOB, DeferredStore.PROP_CONTENT_TYPE, "text/plain",
                DeferredStore.PROP_MESSAGE_ID, messageId, DeferredStore.PROP_DATE_TIME, "2026-11-26T08:00:00Z",
                "imdpRefusal", "MSRP 415 Unsupported Media Type"));
        if (disposition != null) {
            properties.put(DeferredStore.PROP_DISPOSITION, disposition);
        }
        template.sendBodyAndHeaders("jms:queue:im.deferred.refused", "Hello".getBytes(StandardCharsets.UTF_8), properties);
    }

    /** The message-ids of the IMDN documents in the MESSAGEs the sender got, in arrival order. */
    private List<String> notifiedMessageIds() {
        return sender.received().stream().filter(r -> r.method().equals(Request.MESSAGE))
                .map(r -> CpimMessage.parse(r.request().getRawContent()))
                .map(cpim -> new String(cpim.body(), StandardCharsets.UTF_8))
                .map(xml -> xml.replaceAll("(?s).*<message-id>(.*)</message-id>.*", "$1"))
                .toList();
    }

    /** The next stored message on the IMDN dead-letter queue. */
    private Exchange parked() {
        Exchange parked = consumer.receive("jms:queue:im.imdn.dlq", WAIT.toMillis());
        assertThat(parked).as("a message on im.imdn.dlq").isNotNull();
        return parked;
    }

    @Test
    void a_refused_message_whose_sender_asked_for_negative_delivery_is_notified_failed() throws Exception {
        refuse("r1", "positive-delivery, negative-delivery");

        Request message = sender.awaitRequest(Request.MESSAGE, WAIT).request();
        assertThat(message.getRequestURI().toString()).isEqualTo(alice());
        CpimMessage cpim = CpimMessage.parse(message.getRawContent());
        assertThat(cpim.header("To")).isEqualTo("<" + alice() + ">");
        assertThat(cpim.contentType()).isEqualTo(ImdnDocument.MIME_TYPE);
        String xml = new String(cpim.body(), StandardCharsets.UTF_8);
        assertThat(xml).contains("<message-id>r1</message-id>", "<datetime>2026-11-26T08:00:00Z</datetime>",
                "<recipient-uri>sip:bob@example.com</recipient-uri>", "<failed/>");
    }

    @Test
    void without_negative_delivery_nothing_is_sent() throws Exception {
        refuse("quiet", "positive-delivery, display");
        refuse("no-request", null);
        // the queue is consumed in order: once the next notification arrived, the two before it were handled
        refuse("loud", "negative-delivery");

        await().atMost(WAIT).until(() -> notifiedMessageIds().contains("loud"));
        assertThat(notifiedMessageIds()).containsExactly("loud");
    }

    @Test
    void a_stored_message_that_expires_is_notified_failed() throws Exception {
        template.sendBodyAndHeaders("jms:queue:im.deferred.intake", "Hello".getBytes(StandardCharsets.UTF_8), Map.of(
                DeferredStore.PROP_SENDER, alice(), DeferredStore.PROP_RECIPIENT, BOB,
                DeferredStore.PROP_CONTENT_TYPE, "text/plain", DeferredStore.PROP_MESSAGE_ID, "x1",
                DeferredStore.PROP_DISPOSITION, "negative-delivery"));

        await().atMost(WAIT).until(() -> notifiedMessageIds().contains("x1"));
    }

    @Test
    void a_sender_that_refuses_the_notification_for_good_leaves_it_in_the_dead_letter_queue() throws Exception {
        sender.answerMessages(Response.NOT_FOUND);
        refuse("gone", "negative-delivery");

        Exchange parked = parked();
        assertThat(parked.getMessage().getHeader(DeferredStore.PROP_MESSAGE_ID)).isEqualTo("gone");
        assertThat(parked.getMessage().getHeader(FAILURE_REASON, String.class)).contains("404");
        assertThat(parked.getMessage().getBody(String.class)).isEqualTo("Hello");
        assertThat(notifiedMessageIds()).containsExactly("gone");
    }

    @Test
    void a_notification_that_fails_for_now_is_retried_with_the_same_id_then_parked() throws Exception {
        sender.answerMessages(Response.SERVICE_UNAVAILABLE);
        refuse("busy", "negative-delivery");

        assertThat(parked().getMessage().getHeader(FAILURE_REASON, String.class)).contains("503");
        List<String> ids = sender.received().stream().filter(r -> r.method().equals(Request.MESSAGE))
                .map(r -> CpimMessage.parse(r.request().getRawContent()).imdnHeader(CpimMessage.MESSAGE_ID)).toList();
        // the first attempt and imdp.imdn.max-redeliveries retries, all one notification
        assertThat(ids).hasSize(3).containsOnly(ids.get(0));
    }

    @Test
    void a_message_that_cannot_become_a_notification_is_parked_with_the_reason() throws Exception {
        template.sendBodyAndHeaders("jms:queue:im.deferred.refused", "Hello", Map.of(DeferredStore.PROP_SENDER, alice(),
                DeferredStore.PROP_RECIPIENT, BOB, DeferredStore.PROP_DISPOSITION, "negative-delivery"));

        assertThat(parked().getMessage().getHeader(FAILURE_REASON, String.class))
                .isEqualTo("property imdpMessageId is missing");
    }
}
