package org.imdp.ops;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.apache.camel.test.AvailablePortFinder;
import org.imdp.broker.EmbeddedBroker;
import org.imdp.store.DeferredMessage;
import org.imdp.store.DeferredStore;
import org.imdp.store.DeferredStore.PendingMessage;
import org.imdp.store.PushBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The store's operator views and purge against a real embedded Artemis broker. */
class StoreOperationsTest {

    private static final String BOB = "sip:bob@example.com";
    private static final String CAROL = "sip:carol@example.com";
    private static final Instant SENT = Instant.parse("2026-11-26T10:00:00Z");

    @TempDir
    Path dataDir;

    private EmbeddedBroker broker;
    private DeferredStore store;

    @BeforeEach
    void start() throws Exception {
        broker = new EmbeddedBroker(dataDir, "127.0.0.1", AvailablePortFinder.getNextAvailable(),
                List.of("im.charging", "im.push"));
        broker.start();
        store = new DeferredStore(EmbeddedBroker.IN_VM_URL, Duration.ofHours(72), 100, 1000, "im.charging",
                Clock.systemUTC());
        store.start();
    }

    @AfterEach
    void stop() {
        store.stop();
        broker.stop();
    }

    private void store(String id, String recipient, String text) throws Exception {
        store.store(new DeferredMessage(id, "sip:alice@example.com", recipient, "text/plain", SENT, null,
                text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void pending_lists_metadata_oldest_first_and_takes_nothing_out() throws Exception {
        store("b1", BOB, "one");
        store("b2", BOB, "second");
        store("c1", CAROL, "for carol");

        List<PendingMessage> pending = store.pending(BOB, 10);

        assertThat(pending).extracting(PendingMessage::messageId).containsExactly("b1", "b2");
        PendingMessage first = pending.get(0);
        assertThat(first.sender()).isEqualTo("sip:alice@example.com");
        assertThat(first.contentType()).isEqualTo("text/plain");
        assertThat(first.dateTime()).isEqualTo(SENT);
        assertThat(first.size()).isEqualTo(3);
        assertThat(first.expiresAt()).isAfter(Instant.now().plus(Duration.ofHours(71)));
        assertThat(store.pending(BOB, 1)).hasSize(1);
        assertThat(store.count(BOB)).isEqualTo(2);
        try (PushBatch batch = store.checkout(BOB, 10, Integer.MAX_VALUE, null)) {
            assertThat(batch.getMessages()).hasSize(2);
        }
    }

    @Test
    void pending_of_a_recipient_without_messages_is_empty() throws Exception {
        assertThat(store.pending("sip:nobody@example.com", 10)).isEmpty();
    }

    @Test
    void purge_deletes_only_that_recipients_messages() throws Exception {
        store("b1", BOB, "one");
        store("b2", BOB, "two");
        store("c1", CAROL, "for carol");

        assertThat(store.purge(BOB)).isEqualTo(2);

        assertThat(store.count(BOB)).isZero();
        assertThat(store.count(CAROL)).isEqualTo(1);
        assertThat(store.purge(BOB)).isZero();
        assertThat(store.purge("sip:nobody@example.com")).isZero();
    }

    @Test
    void purge_leaves_the_messages_a_push_holds() throws Exception {
        store("b1", BOB, "one");
        store("b2", BOB, "two");
        try (PushBatch batch = store.checkout(BOB, 1, Integer.MAX_VALUE, null)) {
            assertThat(store.purge(BOB)).isZero();
        }
        assertThat(store.pending(BOB, 10)).extracting(PendingMessage::messageId).containsExactly("b1", "b2");
        assertThat(store.purge(BOB)).isEqualTo(2);
    }

    @Test
    void totals_count_store_queues_and_messages_but_not_the_other_queues() throws Exception {
        store("b1", BOB, "one");
        store("b2", BOB, "two");
        store("c1", CAROL, "for carol");
        try (PushBatch batch = store.checkout(CAROL, 10, Integer.MAX_VALUE, null)) {
            store.settle(batch, List.of(), Map.of(), "{\"charging\":\"event\"}");
        }

        DeferredStore.Totals totals = store.totals(1);

        assertThat(store.queueMessageCount("im.charging")).isEqualTo(1);
        assertThat(totals.storedMessages()).isEqualTo(3);
        assertThat(totals.recipients()).isEqualTo(2);
        assertThat(totals.largest()).containsExactly(java.util.Map.entry(BOB, 2L));
    }
}
