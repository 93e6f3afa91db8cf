package org.imdp.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientConsumer;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.apache.camel.test.AvailablePortFinder;
import org.imdp.broker.EmbeddedBroker;
import org.imdp.cpim.CpimHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The store against a real embedded Artemis broker with a persistent journal. */
class DeferredStoreTest {

    private static final String BOB = "sip:bob@example.com";
    private static final String CAROL = "sip:carol@example.com";

    @TempDir
    Path dataDir;

    private EmbeddedBroker broker;
    private DeferredStore store;

    @BeforeEach
    void start() throws Exception {
        startBrokerAndStore(3);
    }

    @AfterEach
    void stop() {
        store.stop();
        broker.stop();
    }

    private void startBrokerAndStore(int maxPerRecipient) throws Exception {
        broker = new EmbeddedBroker(dataDir, "127.0.0.1", AvailablePortFinder.getNextAvailable(), List.of("im.charging"));
        broker.start();
        store = new DeferredStore(EmbeddedBroker.IN_VM_URL, Duration.ofHours(72), maxPerRecipient, 1000, "im.charging",
                Clock.systemUTC());
        store.start();
    }

    private static DeferredMessage message(String id, String recipient, String text) {
        return new DeferredMessage(id, "sip:alice@example.com", recipient, "text/plain",
                Instant.parse("2026-11-26T10:00:00Z"), null, text.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> ids(PushBatch batch) {
        return batch.getMessages().stream().map(DeferredMessage::messageId).toList();
    }

    @Test
    void checkout_returns_only_the_recipients_messages_oldest_first() throws Exception {
        store.store(message("m1", BOB, "one"));
        store.store(message("c1", CAROL, "for carol"));
        store.store(message("m2", BOB, "two"));
        store.store(message("m3", BOB, "three"));

        try (PushBatch batch = store.checkout(BOB, 100, Integer.MAX_VALUE, null)) {
            assertThat(ids(batch)).containsExactly("m1", "m2", "m3");
            DeferredMessage first = batch.getMessages().get(0);
            assertThat(new String(first.body(), StandardCharsets.UTF_8)).isEqualTo("one");
            assertThat(first.sender()).isEqualTo("sip:alice@example.com");
            assertThat(first.dateTime()).isEqualTo(Instant.parse("2026-11-26T10:00:00Z"));
        }
        assertThat(store.count(CAROL)).isEqualTo(1);
    }

    @Test
    void the_imdn_request_and_the_senders_other_cpim_headers_are_stored_with_the_message() throws Exception {
        CpimHeaders headers = new CpimHeaders(List.of(Map.entry("Subject", "lunch?"), Map.entry("imdn.Original-To", "<" + BOB + ">")),
                List.of(Map.entry("Content-Disposition", "notification")));
        store.store(new DeferredMessage("h1", "sip:alice@example.com", BOB, "text/plain",
                Instant.parse("2026-11-26T10:00:00Z"), "negative-delivery", "hi".getBytes(StandardCharsets.UTF_8), headers));

        try (PushBatch batch = store.checkout(BOB, 100, Integer.MAX_VALUE, null)) {
            DeferredMessage m = batch.getMessages().get(0);
            assertThat(m.dispositionNotification()).isEqualTo("negative-delivery");
            assertThat(m.cpimHeaders()).isEqualTo(headers);
        }
    }

    @Test
    void settle_removes_acknowledged_messages_and_records_the_event_in_one_transaction() throws Exception {
        store.store(message("m1", BOB, "one"));
        store.store(message("m2", BOB, "two"));
        store.store(message("m3", BOB, "three"));

        PushBatch batch = store.checkout(BOB, 100, Integer.MAX_VALUE, null);
        store.settle(batch, List.of("m1", "m2"), Map.of(), "{\"eventId\":\"e1\"}");

        assertThat(store.count(BOB)).isEqualTo(1);
        try (PushBatch rest = store.checkout(BOB, 100, Integer.MAX_VALUE, null)) {
            assertThat(ids(rest)).containsExactly("m3");
        }
        assertThat(drain("im.charging")).containsExactly("{\"eventId\":\"e1\"}");
    }

    @Test
    void refused_messages_leave_the_store_for_the_refused_queue_with_every_property_and_the_reason() throws Exception {
        store.store(message("m1", BOB, "one"));
        store.store(new DeferredMessage("m2", "sip:alice@example.com", BOB, "application/octet-stream",
                Instant.parse("2026-11-26T10:00:00Z"), "positive-delivery", new byte[] { 0, (byte) 0xff, 13, 10 }));
        store.store(message("m3", BOB, "three"));

        PushBatch batch = store.checkout(BOB, 100, Integer.MAX_VALUE, null);
        store.settle(batch, List.of("m1"), Map.of("m2", "MSRP 415 Unsupported media type"), "{\"eventId\":\"e2\"}");

        try (PushBatch rest = store.checkout(BOB, 100, Integer.MAX_VALUE, null)) {
            assertThat(ids(rest)).containsExactly("m3");
        }
        List<ClientMessage> refused = new ArrayList<>();
        drain(DeferredStore.REFUSED_QUEUE, m -> {
            refused.add(m);
            return "";
        });
        assertThat(refused).singleElement().satisfies(m -> {
            assertThat(m.getStringProperty(DeferredStore.PROP_REFUSAL)).isEqualTo("MSRP 415 Unsupported media type");
            assertThat(m.getStringProperty(DeferredStore.PROP_MESSAGE_ID)).isEqualTo("m2");
            assertThat(m.getStringProperty(DeferredStore.PROP_RECIPIENT)).isEqualTo(BOB);
            assertThat(m.getStringProperty(DeferredStore.PROP_SENDER)).isEqualTo("sip:alice@example.com");
            assertThat(m.getStringProperty(DeferredStore.PROP_CONTENT_TYPE)).isEqualTo("application/octet-stream");
            assertThat(m.getStringProperty(DeferredStore.PROP_DATE_TIME)).isEqualTo("2026-11-26T10:00:00Z");
            assertThat(m.getStringProperty(DeferredStore.PROP_DISPOSITION)).isEqualTo("positive-delivery");
            assertThat(m.isDurable()).isTrue();
            byte[] body = new byte[m.getBodyBuffer().readableBytes()];
            m.getBodyBuffer().readBytes(body);
            assertThat(body).containsExactly(0, 0xff, 13, 10);
        });
        assertThat(drain("im.charging")).containsExactly("{\"eventId\":\"e2\"}");
    }

    @Test
    void a_refusal_of_a_message_not_in_the_batch_settles_nothing() throws Exception {
        store.store(message("m1", BOB, "one"));

        PushBatch batch = store.checkout(BOB, 100, Integer.MAX_VALUE, null);
        assertThatThrownBy(() -> store.settle(batch, List.of("m1"), Map.of("other", "MSRP 413 Stop sending message"),
                "{\"eventId\":\"e3\"}")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("other");

        assertThat(store.count(BOB)).isEqualTo(1);
        assertThat(drain(DeferredStore.REFUSED_QUEUE)).isEmpty();
        assertThat(drain("im.charging")).isEmpty();
    }

    @Test
    void closing_without_settling_keeps_every_message_in_order() throws Exception {
        store.store(message("m1", BOB, "one"));
        store.store(message("m2", BOB, "two"));

        store.checkout(BOB, 100, Integer.MAX_VALUE, null).close();
        store.checkout(BOB, 1, Integer.MAX_VALUE, null).close();

        try (PushBatch again = store.checkout(BOB, 100, Integer.MAX_VALUE, null)) {
            assertThat(ids(again)).containsExactly("m1", "m2");
        }
        assertThat(drain("im.charging")).isEmpty();
    }

    @Test
    void checkout_stops_at_the_byte_budget_and_what_it_left_behind_comes_next_in_order() throws Exception {
        store.store(message("m1", BOB, "aaaa"));
        store.store(message("m2", BOB, "bbbb"));
        store.store(message("m3", BOB, "cccc"));

        PushBatch batch = store.checkout(BOB, 100, 8, null);
        assertThat(ids(batch)).containsExactly("m1", "m2");
        assertThat(batch.hasMore()).isTrue();
        // m3 was received from the broker and not taken: it goes back behind the unacknowledged m2
        store.settle(batch, List.of("m1"), Map.of(), null);

        try (PushBatch rest = store.checkout(BOB, 100, 8, null)) {
            assertThat(ids(rest)).containsExactly("m2", "m3");
            assertThat(rest.hasMore()).isFalse();
        }
    }

    @Test
    void a_message_larger_than_the_byte_budget_still_goes_alone() throws Exception {
        store.store(message("m1", BOB, "larger than the budget"));
        store.store(message("m2", BOB, "two"));

        try (PushBatch batch = store.checkout(BOB, 100, 4, null)) {
            assertThat(ids(batch)).containsExactly("m1");
            assertThat(batch.hasMore()).isTrue();
        }
        try (PushBatch again = store.checkout(BOB, 100, Integer.MAX_VALUE, null)) {
            assertThat(ids(again)).containsExactly("m1", "m2");
            assertThat(again.hasMore()).isFalse();
        }
    }

    @Test
    void a_checkout_at_its_message_count_says_it_left_messages_behind() throws Exception {
        store.store(message("m1", BOB, "one"));
        store.store(message("m2", BOB, "two"));

        try (PushBatch batch = store.checkout(BOB, 1, Integer.MAX_VALUE, null)) {
            assertThat(ids(batch)).containsExactly("m1");
            assertThat(batch.hasMore()).isTrue();
        }
        try (PushBatch batch = store.checkout(BOB, 2, Integer.MAX_VALUE, null)) {
            assertThat(batch.hasMore()).isFalse();
        }
    }

    @Test
    void over_quota_and_oversized_messages_are_refused_and_not_stored() throws Exception {
        store.store(message("m1", BOB, "one"));
        store.store(message("m2", BOB, "two"));
        store.store(message("m3", BOB, "three"));

        assertThatThrownBy(() -> store.store(message("m4", BOB, "four")))
                .isInstanceOfSatisfying(RejectedMessageException.class,
                        e -> assertThat(e.getReason()).isEqualTo(RejectedMessageException.Reason.OVER_QUOTA))
                .hasMessageContaining("imdp.store.max-per-recipient");
        assertThatThrownBy(() -> store.store(message("big", CAROL, "x".repeat(1001))))
                .isInstanceOfSatisfying(RejectedMessageException.class,
                        e -> assertThat(e.getSipStatus()).isEqualTo(413));
        assertThat(store.count(BOB)).isEqualTo(3);
        assertThat(store.count(CAROL)).isZero();
    }

    @Test
    void the_same_message_stored_twice_is_kept_once() throws Exception {
        store.store(message("m1", BOB, "one"));
        store.store(message("m1", BOB, "one"));
        assertThat(store.count(BOB)).isEqualTo(1);
    }

    @Test
    void stored_messages_survive_a_broker_restart() throws Exception {
        store.store(message("m1", BOB, "one"));
        store.store(message("m2", BOB, "two"));
        PushBatch held = store.checkout(BOB, 100, Integer.MAX_VALUE, null);
        assertThat(ids(held)).hasSize(2);

        // a crash in the middle of a push: nothing was settled
        store.stop();
        broker.stop();
        startBrokerAndStore(3);

        try (PushBatch batch = store.checkout(BOB, 100, Integer.MAX_VALUE, null)) {
            assertThat(ids(batch)).containsExactly("m1", "m2");
        }
    }

    @Test
    void an_expired_message_is_not_pushed_and_is_kept_on_the_expiry_queue() throws Exception {
        DeferredStore shortLived = new DeferredStore(EmbeddedBroker.IN_VM_URL, Duration.ofMillis(300), 3, 1000,
                "im.charging", Clock.systemUTC());
        shortLived.start();
        try {
            shortLived.store(message("old", BOB, "too late"));
            Thread.sleep(600);
            store.store(message("new", BOB, "in time"));
            try (PushBatch batch = store.checkout(BOB, 100, Integer.MAX_VALUE, null)) {
                assertThat(ids(batch)).containsExactly("new");
            }
        } finally {
            shortLived.stop();
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(drainBytes("im.deferred.expired"))
                .containsExactly("too late"));
    }

    @Test
    void a_recipient_without_messages_gets_an_empty_batch() throws Exception {
        try (PushBatch batch = store.checkout("sip:nobody@example.com", 100, Integer.MAX_VALUE, null)) {
            assertThat(batch.isEmpty()).isTrue();
        }
    }

    /** The text messages of {@code queue}, consumed. */
    private List<String> drain(String queue) throws Exception {
        return drain(queue, m -> m.getBodyBuffer().readNullableSimpleString().toString());
    }

    /** The bytes messages of {@code queue} (stored messages), consumed, as UTF-8 text. */
    private List<String> drainBytes(String queue) throws Exception {
        return drain(queue, m -> {
            byte[] body = new byte[m.getBodyBuffer().readableBytes()];
            m.getBodyBuffer().readBytes(body);
            return new String(body, StandardCharsets.UTF_8);
        });
    }

    private List<String> drain(String queue, java.util.function.Function<ClientMessage, String> text) throws Exception {
        List<String> texts = new ArrayList<>();
        try (ServerLocator locator = ActiveMQClient.createServerLocator(EmbeddedBroker.IN_VM_URL);
             ClientSessionFactory sf = locator.createSessionFactory();
             ClientSession session = sf.createSession(true, true)) {
            ClientConsumer consumer = session.createConsumer(queue);
            session.start();
            ClientMessage m;
            while ((m = consumer.receiveImmediate()) != null) {
                texts.add(text.apply(m));
                m.acknowledge();
            }
        }
        return texts;
    }
}
