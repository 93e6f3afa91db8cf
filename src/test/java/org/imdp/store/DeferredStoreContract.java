package org.imdp.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultMessage;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.imdp.charging.ChargingRecords;
import org.imdp.cpim.CpimHeaders;
import org.imdp.registration.Registrations;
import org.imdp.registration.RegistrationsFullException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the store guarantees, on every database it runs on: each subclass gives it one. */
abstract class DeferredStoreContract {

    static final String BOB = "sip:bob@example.com";
    static final String CAROL = "sip:carol@example.com";
    static final Duration EXPIRY = Duration.ofHours(72);
    static final Duration CHARGING_GRACE = Duration.ofSeconds(10);
    static final int MAX_FAILURES = 3;

    @TempDir
    Path dataDir;

    /** The time as the store sees it: moved by the tests that need expiry or a grace period to pass. */
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T10:00:00Z"));
    final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    StoreDatabase database;
    DeferredStore store;
    /** The charging records a settle's outbox writes, in the store's database. */
    ChargingRecords records;

    /** The JDBC URL of a fresh, empty store; empty for the embedded SQLite file in {@link #dataDir}. */
    abstract String newStoreUrl();

    @BeforeEach
    void start() {
        startStore(newStoreUrl());
    }

    void startStore(String url) {
        database = new StoreDatabase(url, "", "", dataDir, 4);
        database.start();
        store = new DeferredStore(database, EXPIRY, 3, 1000, MAX_FAILURES, clock);
        store.start();
        records = new ChargingRecords(store, CHARGING_GRACE, clock);
    }

    @AfterEach
    void stop() {
        store.stop();
        database.stop();
    }

    static DeferredMessage message(String id, String recipient, String text) {
        return new DeferredMessage(id, "sip:alice@example.com", recipient, "text/plain",
                Instant.parse("2026-11-26T10:00:00Z"), null, text.getBytes(StandardCharsets.UTF_8));
    }

    static List<String> ids(PushBatch batch) {
        return batch.getMessages().stream().map(DeferredMessage::messageId).toList();
    }

    @Test
    void checkout_returns_only_the_recipients_messages_oldest_first() throws Exception {
        store.store(message("m1", BOB, "one"));
        store.store(message("c1", CAROL, "for carol"));
        store.store(message("m2", BOB, "two"));
        store.store(message("m3", BOB, "three"));

        PushBatch batch = store.checkout(BOB, 100, Integer.MAX_VALUE);
        assertThat(ids(batch)).containsExactly("m1", "m2", "m3");
        DeferredMessage first = batch.getMessages().get(0);
        assertThat(new String(first.body(), StandardCharsets.UTF_8)).isEqualTo("one");
        assertThat(first.sender()).isEqualTo("sip:alice@example.com");
        assertThat(first.recipient()).isEqualTo(BOB);
        assertThat(first.contentType()).isEqualTo("text/plain");
        assertThat(first.dateTime()).isEqualTo(Instant.parse("2026-11-26T10:00:00Z"));
        assertThat(store.count(CAROL)).isEqualTo(1);
    }

    @Test
    void the_imdn_request_the_senders_other_cpim_headers_and_binary_content_are_stored_with_the_message() throws Exception {
        CpimHeaders headers = new CpimHeaders(List.of(Map.entry("Subject", "lunch?"), Map.entry("imdn.Original-To", "<" + BOB + ">")),
                List.of(Map.entry("Content-Disposition", "notification")));
        store.store(new DeferredMessage("h1", "sip:alice@example.com", BOB, "application/octet-stream",
                Instant.parse("2026-11-26T10:00:00.123456Z"), "negative-delivery", new byte[] {0, (byte) 0xff, 13, 10}, headers));

        DeferredMessage m = store.checkout(BOB, 100, Integer.MAX_VALUE).getMessages().get(0);
        assertThat(m.dispositionNotification()).isEqualTo("negative-delivery");
        assertThat(m.cpimHeaders()).isEqualTo(headers);
        assertThat(m.body()).containsExactly(0, 0xff, 13, 10);
        assertThat(m.dateTime()).isEqualTo(Instant.parse("2026-11-26T10:00:00.123456Z"));
    }

    @Test
    void settle_removes_acknowledged_messages_and_writes_the_charging_record_in_one_transaction() throws Exception {
        store.store(message("m1", BOB, "one"));
        store.store(message("m2", BOB, "two"));
        store.store(message("m3", BOB, "three"));

        PushBatch batch = store.checkout(BOB, 100, Integer.MAX_VALUE);
        store.settle(batch, List.of("m1", "m2"), Map.of(), null, records.outbox("e1", "{\"eventId\":\"e1\"}"));

        assertThat(store.count(BOB)).isEqualTo(1);
        assertThat(ids(store.checkout(BOB, 100, Integer.MAX_VALUE))).containsExactly("m3");
        assertThat(records.count()).isEqualTo(1);
    }

    @Test
    void a_settle_that_fails_changes_nothing() throws Exception {
        store.store(message("m1", BOB, "one"));
        store.store(message("m2", BOB, "two"));
        PushBatch batch = store.checkout(BOB, 100, Integer.MAX_VALUE);
        store.settle(batch, List.of(), Map.of(), null, records.outbox("e1", "{}"));

        // the same event id again: the charging record cannot be written, so m1 is not removed either
        assertThatThrownBy(() -> store.settle(batch, List.of("m1"), Map.of(), null, records.outbox("e1", "{}")))
                .isInstanceOf(java.sql.SQLException.class);
        assertThat(ids(store.checkout(BOB, 100, Integer.MAX_VALUE))).containsExactly("m1", "m2");
        assertThat(records.count()).isEqualTo(1);
    }

    @Test
    void a_charging_record_is_left_to_its_push_for_the_grace_period_then_due_for_the_relay() throws Exception {
        store.store(message("m1", BOB, "one"));
        store.settle(store.checkout(BOB, 100, Integer.MAX_VALUE), List.of("m1"), Map.of(), null, records.outbox("e1", "{\"eventId\":\"e1\"}"));

        assertThat(records.due(10)).isEmpty();
        now.set(now.get().plus(CHARGING_GRACE));
        assertThat(records.due(10)).containsExactly(new ChargingRecords.ChargingRecord("e1", "{\"eventId\":\"e1\"}", true));

        records.charged("e1");
        // the delete rides along with the writer's next transaction
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> records.count() == 0);
        assertThat(records.due(10)).isEmpty();
    }

    @Test
    void a_charging_record_whose_acr_never_left_is_due_as_not_sent_and_the_others_as_possibly_sent() throws Exception {
        store.store(message("m1", BOB, "one"));
        store.store(message("m2", BOB, "two"));
        store.settle(store.checkout(BOB, 1, Integer.MAX_VALUE), List.of("m1"), Map.of(), null, records.outbox("e1", "{\"eventId\":\"e1\"}"));
        store.settle(store.checkout(BOB, 1, Integer.MAX_VALUE), List.of("m2"), Map.of(), null, records.outbox("e2", "{\"eventId\":\"e2\"}"));

        records.notSent("e2");
        now.set(now.get().plus(CHARGING_GRACE));
        // the update rides along with the writer's next transaction
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> records.due(10).stream().anyMatch(r -> !r.possiblySent()));
        assertThat(records.due(10)).containsExactlyInAnyOrder(
                new ChargingRecords.ChargingRecord("e1", "{\"eventId\":\"e1\"}", true),
                new ChargingRecords.ChargingRecord("e2", "{\"eventId\":\"e2\"}", false));
    }

    @Test
    void the_message_sessions_keep_stopping_at_is_refused_for_good_at_the_third_time_and_the_rest_flows() throws Exception {
        store.store(message("m1", BOB, "one"));
        store.store(message("m2", BOB, "two"));
        store.store(message("m3", BOB, "three"));

        // m1 acknowledged, then the session stops at m2 (m3 never sent)
        store.settle(store.checkout(BOB, 100, Integer.MAX_VALUE), List.of("m1"), Map.of(), "no answer to the SEND of m2", List.of());
        for (int session = 2; session <= MAX_FAILURES; session++) {
            assertThat(store.refused(10)).as("after %d sessions", session - 1).isEmpty();
            PushBatch batch = store.checkout(BOB, 100, Integer.MAX_VALUE);
            assertThat(ids(batch)).containsExactly("m2", "m3");
            store.settle(batch, List.of(), Map.of(), "no answer to the SEND of m2", List.of());
        }

        assertThat(store.refused(10)).singleElement().satisfies(r -> {
            assertThat(r.message().messageId()).isEqualTo("m2");
            assertThat(r.refusal()).isEqualTo("not delivered in " + MAX_FAILURES
                                              + " sessions in a row: no answer to the SEND of m2");
        });
        assertThat(ids(store.checkout(BOB, 100, Integer.MAX_VALUE))).containsExactly("m3");
    }

    @Test
    void a_session_that_did_not_stop_early_counts_no_failure() throws Exception {
        store.store(message("m1", BOB, "one"));
        store.store(message("m2", BOB, "two"));
        for (int session = 1; session <= MAX_FAILURES; session++) {
            // no reason to stop: e.g. a session cut short by the session budget, whose rest follows
            store.settle(store.checkout(BOB, 100, Integer.MAX_VALUE), List.of(), Map.of(), null, List.of());
        }
        assertThat(store.refused(10)).isEmpty();
        assertThat(store.count(BOB)).isEqualTo(2);
    }

    @Test
    void refused_messages_are_not_pushed_again_and_leave_for_the_refused_queue_with_every_property_and_the_reason()
            throws Exception {
        store.store(message("m1", BOB, "one"));
        store.store(new DeferredMessage("m2", "sip:alice@example.com", BOB, "application/octet-stream",
                Instant.parse("2026-11-26T10:00:00Z"), "positive-delivery", new byte[] {0, (byte) 0xff, 13, 10}));
        store.store(message("m3", BOB, "three"));

        PushBatch batch = store.checkout(BOB, 100, Integer.MAX_VALUE);
        store.settle(batch, List.of("m1"), Map.of("m2", "MSRP 415 Unsupported media type"), null, records.outbox("e2", "{}"));

        assertThat(ids(store.checkout(BOB, 100, Integer.MAX_VALUE))).containsExactly("m3");
        List<DeferredStore.StoredMessage> refused = store.refused(10);
        assertThat(refused).singleElement().satisfies(r -> assertThat(r.refusal()).isEqualTo("MSRP 415 Unsupported media type"));

        DefaultMessage out = new DefaultMessage(new DefaultCamelContext());
        out.setHeader("left over", "from the timer");
        DeferredStore.toQueueMessage(refused.get(0), out);
        assertThat(out.getHeaders()).containsOnly(
                Map.entry(DeferredStore.PROP_REFUSAL, "MSRP 415 Unsupported media type"),
                Map.entry(DeferredStore.PROP_MESSAGE_ID, "m2"),
                Map.entry(DeferredStore.PROP_RECIPIENT, BOB),
                Map.entry(DeferredStore.PROP_SENDER, "sip:alice@example.com"),
                Map.entry(DeferredStore.PROP_CONTENT_TYPE, "application/octet-stream"),
                Map.entry(DeferredStore.PROP_DATE_TIME, "2026-11-26T10:00:00Z"),
                Map.entry(DeferredStore.PROP_DISPOSITION, "positive-delivery"),
                Map.entry(DeferredStore.DUPLICATE_ID, "refused|" + BOB + "|sip:alice@example.com|m2"));
        assertThat((byte[]) out.getBody()).containsExactly(0, 0xff, 13, 10);

        store.remove(refused.get(0).rowId());
        assertThat(store.refused(10)).isEmpty();
        assertThat(store.count(BOB)).isEqualTo(1);
    }

    @Test
    void a_refusal_of_a_message_not_in_the_batch_settles_nothing() throws Exception {
        store.store(message("m1", BOB, "one"));

        PushBatch batch = store.checkout(BOB, 100, Integer.MAX_VALUE);
        assertThatThrownBy(() -> store.settle(batch, List.of("m1"), Map.of("other", "MSRP 413 Stop sending message"),
                null, records.outbox("e3", "{}"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("other");

        assertThat(store.count(BOB)).isEqualTo(1);
        assertThat(store.refused(10)).isEmpty();
        assertThat(records.count()).isZero();
    }

    @Test
    void a_push_that_never_settles_leaves_every_message_stored_in_order() throws Exception {
        store.store(message("m1", BOB, "one"));
        store.store(message("m2", BOB, "two"));

        store.checkout(BOB, 100, Integer.MAX_VALUE);
        store.checkout(BOB, 1, Integer.MAX_VALUE);

        assertThat(ids(store.checkout(BOB, 100, Integer.MAX_VALUE))).containsExactly("m1", "m2");
        assertThat(records.count()).isZero();
    }

    @Test
    void checkout_stops_at_the_byte_budget_and_what_it_left_behind_comes_next_in_order() throws Exception {
        store.store(message("m1", BOB, "aaaa"));
        store.store(message("m2", BOB, "bbbb"));
        store.store(message("m3", BOB, "cccc"));

        PushBatch batch = store.checkout(BOB, 100, 8);
        assertThat(ids(batch)).containsExactly("m1", "m2");
        assertThat(batch.hasMore()).isTrue();
        store.settle(batch, List.of("m1"), Map.of(), null, List.of());

        PushBatch rest = store.checkout(BOB, 100, 8);
        assertThat(ids(rest)).containsExactly("m2", "m3");
        assertThat(rest.hasMore()).isFalse();
    }

    @Test
    void a_message_larger_than_the_byte_budget_still_goes_alone() throws Exception {
        store.store(message("m1", BOB, "larger than the budget"));
        store.store(message("m2", BOB, "two"));

        PushBatch batch = store.checkout(BOB, 100, 4);
        assertThat(ids(batch)).containsExactly("m1");
        assertThat(batch.hasMore()).isTrue();
        PushBatch again = store.checkout(BOB, 100, Integer.MAX_VALUE);
        assertThat(ids(again)).containsExactly("m1", "m2");
        assertThat(again.hasMore()).isFalse();
    }

    @Test
    void a_checkout_at_its_message_count_says_it_left_messages_behind() throws Exception {
        store.store(message("m1", BOB, "one"));
        store.store(message("m2", BOB, "two"));

        PushBatch one = store.checkout(BOB, 1, Integer.MAX_VALUE);
        assertThat(ids(one)).containsExactly("m1");
        assertThat(one.hasMore()).isTrue();
        assertThat(store.checkout(BOB, 2, Integer.MAX_VALUE).hasMore()).isFalse();
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
                        e -> assertThat(e.getReason()).isEqualTo(RejectedMessageException.Reason.TOO_LARGE));
        assertThat(store.count(BOB)).isEqualTo(3);
        assertThat(store.count(CAROL)).isZero();
    }

    @Test
    void concurrent_intakes_share_commits_yet_each_gets_its_own_answer_and_the_quota_holds() throws Exception {
        java.util.concurrent.ExecutorService senders = java.util.concurrent.Executors.newFixedThreadPool(16);
        try {
            List<java.util.concurrent.Future<String>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                // 10 for bob (quota 3), 30 for 15 others (2 each), one of them twice (a retransmission)
                int o = i == 39 ? 38 : i;
                DeferredMessage m = i < 10 ? message("b" + i, BOB, "x")
                        : message("o" + o, "sip:other" + (o % 15) + "@example.com", "x");
                answers.add(senders.submit(() -> {
                    try {
                        store.store(m);
                        return "stored";
                    } catch (RejectedMessageException e) {
                        return e.getReason().name();
                    }
                }));
            }
            List<String> outcomes = new java.util.ArrayList<>();
            for (var a : answers) {
                outcomes.add(a.get(30, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertThat(outcomes.subList(0, 10)).containsOnly("stored", "OVER_QUOTA").filteredOn("stored"::equals).hasSize(3);
            assertThat(outcomes.subList(10, 40)).containsOnly("stored");
        } finally {
            senders.shutdownNow();
        }
        assertThat(store.count(BOB)).isEqualTo(3);
        assertThat(store.totals(0).storedMessages()).isEqualTo(3 + 29);
    }

    @Test
    void the_same_message_stored_twice_is_kept_once_but_the_same_id_for_another_recipient_is_another_message() throws Exception {
        store.store(message("m1", BOB, "one"));
        store.store(message("m1", BOB, "one"));
        store.store(message("m1", CAROL, "one"));
        assertThat(store.count(BOB)).isEqualTo(1);
        assertThat(store.count(CAROL)).isEqualTo(1);
    }

    /**
     * Issue 10: imdn.Message-ID is unique per sender (RFC 5438), not across senders. Another sender's message with an id
     * already stored for the recipient was answered as stored and dropped; it is another message.
     */
    @Test
    void the_same_id_from_two_senders_is_two_messages() throws Exception {
        store.store(message("m1", BOB, "from alice"));
        store.store(new DeferredMessage("m1", "sip:carol@example.com", BOB, "text/plain",
                Instant.parse("2026-11-26T10:00:00Z"), null, "from carol".getBytes(StandardCharsets.UTF_8)));

        assertThat(store.count(BOB)).isEqualTo(2);
        assertThat(store.pending(BOB, 10)).extracting(DeferredStore.PendingMessage::sender)
                .containsExactly("sip:alice@example.com", "sip:carol@example.com");
    }

    /**
     * A push tells its messages apart by id: the second sender's message with the same id is not in the same session
     * (settling the first by id would otherwise touch both), it ends the batch there and is first in the next push.
     */
    @Test
    void the_same_id_from_two_senders_goes_out_in_consecutive_pushes_in_order() throws Exception {
        store.store(message("m1", BOB, "from alice"));
        store.store(new DeferredMessage("m1", "sip:carol@example.com", BOB, "text/plain",
                Instant.parse("2026-11-26T10:00:00Z"), null, "from carol".getBytes(StandardCharsets.UTF_8)));
        store.store(message("m2", BOB, "after both"));

        PushBatch first = store.checkout(BOB, 100, Integer.MAX_VALUE);
        assertThat(first.getMessages()).extracting(DeferredMessage::sender).containsExactly("sip:alice@example.com");
        assertThat(first.hasMore()).isTrue();
        store.settle(first, List.of("m1"), Map.of(), null, records.outbox("e1", "{\"eventId\":\"e1\"}"));

        PushBatch second = store.checkout(BOB, 100, Integer.MAX_VALUE);
        assertThat(second.getMessages()).extracting(DeferredMessage::sender, DeferredMessage::messageId)
                .containsExactly(tuple("sip:carol@example.com", "m1"), tuple("sip:alice@example.com", "m2"));
        assertThat(second.hasMore()).isFalse();
    }

    /**
     * One sender, one id, another content (or content type): the sender broke the id's promise. Neither is dropped in
     * silence: the first stays, the second is refused saying why (400 over SIP, the dead-letter queue over JMS).
     */
    @Test
    void a_senders_id_used_again_for_another_content_is_refused_and_the_first_stays() throws Exception {
        store.store(message("m1", BOB, "one"));

        assertThatThrownBy(() -> store.store(message("m1", BOB, "another one")))
                .isInstanceOfSatisfying(RejectedMessageException.class, e -> {
                    assertThat(e.getReason()).isEqualTo(RejectedMessageException.Reason.INVALID);
                })
                .hasMessageContaining("message id m1 of sip:alice@example.com is already stored for " + BOB);
        DeferredMessage otherType = new DeferredMessage("m1", "sip:alice@example.com", BOB, "text/html",
                Instant.parse("2026-11-26T10:00:00Z"), null, "one".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> store.store(otherType)).isInstanceOf(RejectedMessageException.class);
        assertThat(store.count(BOB)).isEqualTo(1);
        assertThat(new String(store.checkout(BOB, 10, Integer.MAX_VALUE).getMessages().get(0).body(),
                StandardCharsets.UTF_8)).isEqualTo("one");
    }

    /** A copy of the message that filled the quota gets what the message got: stored, not 486. */
    @Test
    void a_copy_of_a_stored_message_is_accepted_even_at_the_quota() throws Exception {
        store.store(message("m1", BOB, "one"));
        store.store(message("m2", BOB, "two"));
        store.store(message("m3", BOB, "three"));

        store.store(message("m3", BOB, "three"));
        assertThat(store.count(BOB)).isEqualTo(3);
    }

    /**
     * The schema change of V5 (the identity is recipient, sender and id) keeps every stored row of an older store, with
     * its id (the storage order), its failures and its refusal, and new rows come after them.
     */
    @Test
    void a_store_of_schema_v3_is_migrated_with_every_row_in_order() throws Exception {
        StoreDatabase older = new StoreDatabase(database.isSqlite() ? "jdbc:sqlite:" + dataDir.resolve("v3.db")
                : newStoreUrl(), "", "", dataDir, 2);
        String url = older.url();
        org.flywaydb.core.Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration")
                .placeholders(older.isSqlite() ? Map.of("row_id", "INTEGER PRIMARY KEY", "octets", "BLOB")
                        : Map.of("row_id", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "octets", "BYTEA"))
                .target("3").load().migrate();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
             java.sql.PreparedStatement insert = c.prepareStatement("INSERT INTO deferred_message (recipient, message_id,"
                     + " sender, content_type, date_time, expires_at, size, body, failures, refusal)"
                     + " VALUES (?, ?, 'sip:alice@example.com', 'text/plain', '2026-11-26T10:00:00Z', ?, 3, ?, ?, ?)")) {
            String[][] rows = {{"m1", "2", null}, {"m2", "0", "MSRP 415 Unsupported media type"}, {"m3", "1", null}};
            for (String[] row : rows) {
                insert.setString(1, BOB);
                insert.setString(2, row[0]);
                insert.setLong(3, now.get().plus(EXPIRY).toEpochMilli());
                insert.setBytes(4, row[0].getBytes(StandardCharsets.UTF_8));
                insert.setInt(5, Integer.parseInt(row[1]));
                insert.setString(6, row[2]);
                insert.executeUpdate();
            }
            try (java.sql.Statement delete = c.createStatement()) {
                delete.execute("DELETE FROM deferred_message WHERE message_id = 'm1'");
            }
        }
        stop();
        startStore(url);

        store.store(message("m1", BOB, "one again"));
        assertThat(ids(store.checkout(BOB, 10, Integer.MAX_VALUE))).containsExactly("m3", "m1");
        assertThat(store.refused(10)).singleElement().satisfies(r -> {
            assertThat(r.message().messageId()).isEqualTo("m2");
            assertThat(r.refusal()).isEqualTo("MSRP 415 Unsupported media type");
        });
        store.store(new DeferredMessage("m3", "sip:carol@example.com", BOB, "text/plain",
                Instant.parse("2026-11-26T10:00:00Z"), null, "from carol".getBytes(StandardCharsets.UTF_8)));
        assertThat(store.count(BOB)).isEqualTo(3);
        // the global counts were seeded from the rows the older store held (m2 refused, m3; then m1 and carol's m3)
        assertThat(new StoreCapacity(database, 10, 1000, 10).usage()).isEqualTo(new StoreCapacity.Usage(4, 3 + 3 + 9 + 10, 1));
    }

    void startStoreWithCaps(long maxMessages, long maxBytes, long maxRecipients) {
        String url = database.url();
        stop();
        database = new StoreDatabase(url, "", "", dataDir, 4);
        database.start();
        store = new DeferredStore(database, EXPIRY, 3, 1000, MAX_FAILURES, clock,
                new StoreCapacity(database, maxMessages, maxBytes, maxRecipients));
        store.start();
        records = new ChargingRecords(store, CHARGING_GRACE, clock);
    }

    static void assertStoreFull(ThrowingCallable store, String key) {
        assertThatThrownBy(store).isInstanceOfSatisfying(RejectedMessageException.class, e -> {
            assertThat(e.getReason()).isEqualTo(RejectedMessageException.Reason.STORE_FULL);
        }).hasMessageContaining(key);
    }

    @Test
    void the_global_caps_refuse_with_507_and_their_counts_follow_every_insert_and_delete() throws Exception {
        startStoreWithCaps(4, 1000, 2);
        StoreCapacity capacity = new StoreCapacity(database, 4, 1000, 2);
        store.store(message("m1", BOB, "one"));
        store.store(message("c1", CAROL, "for carol"));
        String dave = "sip:dave@example.com";
        assertStoreFull(() -> store.store(message("d1", dave, "new recipient")), "imdp.store.max-recipients 2");
        store.store(message("m2", BOB, "two"));
        store.store(message("m3", BOB, "three"));
        assertStoreFull(() -> store.store(message("c2", CAROL, "fifth")), "imdp.store.max-messages 4");
        // a copy of a stored message is still taken as stored, full or not
        store.store(message("m1", BOB, "one"));
        assertThat(capacity.usage()).isEqualTo(new StoreCapacity.Usage(4, 3 + 9 + 3 + 5, 2));
        assertThat(capacity.reached(capacity.usage())).isEqualTo("imdp.store.max-messages 4, imdp.store.max-recipients 2");

        // what leaves the store makes room: a push's settle, an operator's purge, a relay's remove
        store.settle(store.checkout(BOB, 2, Integer.MAX_VALUE), List.of("m1", "m2"), Map.of(), null, List.of());
        assertThat(capacity.usage()).isEqualTo(new StoreCapacity.Usage(2, 9 + 5, 2));
        store.purge(CAROL);
        assertThat(capacity.usage()).isEqualTo(new StoreCapacity.Usage(1, 5, 1));
        store.store(message("d1", dave, "new recipient"));
        store.remove(store.checkout(BOB, 1, Integer.MAX_VALUE).rowId("m3"));
        assertThat(capacity.usage()).isEqualTo(new StoreCapacity.Usage(1, 13, 1));
        assertThat(capacity.reached(capacity.usage())).isEmpty();
        assertThat(store.count(dave)).isEqualTo(1);
    }

    @Test
    void the_byte_cap_counts_the_message_that_would_pass_it() throws Exception {
        startStoreWithCaps(100, 10, 100);
        store.store(message("m1", BOB, "12345678"));
        assertStoreFull(() -> store.store(message("m2", CAROL, "abc")), "imdp.store.max-bytes 10");
        store.store(message("m3", CAROL, "ab"));
        assertThat(new StoreCapacity(database, 100, 10, 100).usage()).isEqualTo(new StoreCapacity.Usage(2, 10, 2));
    }

    @Test
    void stored_messages_and_charging_records_survive_a_restart_in_the_middle_of_a_push() throws Exception {
        String url = database.url();
        store.store(message("m1", BOB, "one"));
        store.store(message("m2", BOB, "two"));
        store.store(message("m3", BOB, "three"));
        store.settle(store.checkout(BOB, 1, Integer.MAX_VALUE), List.of("m1"), Map.of(), null, records.outbox("e1", "{}"));
        assertThat(ids(store.checkout(BOB, 100, Integer.MAX_VALUE))).hasSize(2);

        // nothing of the second push was settled
        stop();
        startStore(url);

        assertThat(ids(store.checkout(BOB, 100, Integer.MAX_VALUE))).containsExactly("m2", "m3");
        assertThat(records.count()).isEqualTo(1);
    }

    @Test
    void an_expired_message_is_not_pushed_and_is_due_for_the_expired_queue() throws Exception {
        store.store(message("old", BOB, "too late"));
        now.set(now.get().plus(EXPIRY));
        store.store(message("new", BOB, "in time"));

        assertThat(ids(store.checkout(BOB, 100, Integer.MAX_VALUE))).containsExactly("new");
        assertThat(store.expiredCount()).isEqualTo(1);
        List<DeferredStore.StoredMessage> expired = store.expired(10);
        assertThat(expired).singleElement().satisfies(e -> {
            assertThat(e.message().messageId()).isEqualTo("old");
            assertThat(e.expiresAt()).isEqualTo(now.get());
            assertThat(e.refusal()).isNull();
        });
        DefaultMessage out = new DefaultMessage(new DefaultCamelContext());
        DeferredStore.toQueueMessage(expired.get(0), out);
        assertThat(out.getHeader(DeferredStore.DUPLICATE_ID)).isEqualTo("expired|" + BOB + "|sip:alice@example.com|old");
        assertThat(out.getHeaders()).doesNotContainKey(DeferredStore.PROP_REFUSAL);
    }

    @Test
    void operations_see_metadata_totals_and_the_largest_recipients_and_purge_one_recipient() throws Exception {
        store.store(message("m1", BOB, "one"));
        store.store(message("m2", BOB, "two!"));
        store.store(message("c1", CAROL, "for carol"));

        assertThat(store.pending(BOB, 10)).extracting(DeferredStore.PendingMessage::messageId, DeferredStore.PendingMessage::size)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("m1", 3), org.assertj.core.groups.Tuple.tuple("m2", 4));
        assertThat(store.pending(BOB, 10).get(0).expiresAt()).isEqualTo(now.get().plus(EXPIRY));
        DeferredStore.Totals totals = store.totals(1);
        assertThat(totals.recipients()).isEqualTo(2);
        assertThat(totals.storedMessages()).isEqualTo(3);
        assertThat(totals.largest()).containsExactly(Map.entry(BOB, 2L));
        assertThat(store.totals(0).largest()).isEmpty();

        assertThat(store.purge(BOB)).isEqualTo(2);
        assertThat(store.count(BOB)).isZero();
        assertThat(store.count(CAROL)).isEqualTo(1);
        store.probe();
    }

    @Test
    void a_recipient_without_messages_gets_an_empty_batch() throws Exception {
        assertThat(store.checkout("sip:nobody@example.com", 100, Integer.MAX_VALUE).isEmpty()).isTrue();
    }

    // ---------------------------------------------------------------------------------------------------------
    // push requests: one per recipient, one session per recipient across instances (leases)
    // ---------------------------------------------------------------------------------------------------------

    static final Duration LEASE = Duration.ofSeconds(30);

    @Test
    void push_requests_of_one_recipient_merge_into_one_with_the_newest_contact() throws Exception {
        PushRequests requests = new PushRequests(store, clock);
        requests.request(BOB, "sip:bob@192.0.2.1");
        requests.request(BOB, "sip:bob@192.0.2.2");
        requests.request(CAROL, "sip:carol@192.0.2.3");

        List<PushRequests.Claim> claims = requests.claim("a", 10, LEASE);
        assertThat(claims).extracting(PushRequests.Claim::recipient, PushRequests.Claim::contact)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(BOB, "sip:bob@192.0.2.2"),
                        org.assertj.core.groups.Tuple.tuple(CAROL, "sip:carol@192.0.2.3"));
        assertThat(requests.count()).isEqualTo(2);
    }

    @Test
    void a_leased_request_is_claimed_by_no_one_else_until_its_lease_runs_out_unrenewed() throws Exception {
        PushRequests requests = new PushRequests(store, clock);
        requests.request(BOB, "sip:bob@192.0.2.1");
        assertThat(requests.claim("a", 10, LEASE)).hasSize(1);
        assertThat(requests.claim("b", 10, LEASE)).as("while a's session runs").isEmpty();

        now.set(now.get().plusSeconds(20));
        requests.renew("a", LEASE);
        now.set(now.get().plusSeconds(20));
        assertThat(requests.claim("b", 10, LEASE)).as("a renewed its lease").isEmpty();

        now.set(now.get().plusSeconds(31));
        assertThat(requests.claim("b", 10, LEASE)).as("a died: its lease ran out").extracting(PushRequests.Claim::recipient)
                .containsExactly(BOB);
    }

    @Test
    void a_request_during_the_session_makes_the_recipient_due_again_when_it_ends() throws Exception {
        PushRequests requests = new PushRequests(store, clock);
        requests.request(BOB, "sip:bob@192.0.2.1");
        PushRequests.Claim first = requests.claim("a", 10, LEASE).get(0);
        requests.request(BOB, "sip:bob@192.0.2.9");
        assertThat(requests.claim("a", 10, LEASE)).as("one session at a time").isEmpty();

        requests.done(first, "a").get();
        PushRequests.Claim second = requests.claim("a", 10, LEASE).get(0);
        assertThat(second.contact()).isEqualTo("sip:bob@192.0.2.9");
        requests.done(second, "a").get();
        assertThat(requests.count()).isZero();
    }

    @Test
    void a_timed_retry_waits_for_its_time_and_a_new_request_brings_it_forward() throws Exception {
        PushRequests requests = new PushRequests(store, clock);
        requests.request(BOB, "sip:bob@192.0.2.1");
        PushRequests.Claim claim = requests.claim("a", 10, LEASE).get(0);
        requests.again(claim, "a", now.get().plusSeconds(60).toEpochMilli(), 1);
        assertThat(requests.claim("a", 10, LEASE)).isEmpty();

        now.set(now.get().plusSeconds(60));
        PushRequests.Claim retry = requests.claim("a", 10, LEASE).get(0);
        assertThat(retry.retries()).isEqualTo(1);
        requests.again(retry, "a", now.get().plusSeconds(120).toEpochMilli(), 2);

        requests.request(BOB, "sip:bob@192.0.2.1");
        assertThat(requests.claim("a", 10, LEASE)).as("the REGISTER pushes now").extracting(PushRequests.Claim::retries)
                .containsExactly(0);
    }

    @Test
    void a_withdrawn_request_is_gone_and_its_running_session_is_not_followed() throws Exception {
        PushRequests requests = new PushRequests(store, clock);
        requests.request(BOB, "sip:bob@192.0.2.1");
        requests.cancel(BOB);
        assertThat(requests.count()).isZero();

        requests.request(BOB, "sip:bob@192.0.2.1");
        PushRequests.Claim running = requests.claim("a", 10, LEASE).get(0);
        requests.cancel(BOB);
        requests.again(running, "a", now.get().plusSeconds(60).toEpochMilli(), 1);
        assertThat(requests.count()).isZero();
    }

    @Test
    void an_instance_that_starts_again_takes_back_its_leases_at_once() throws Exception {
        PushRequests requests = new PushRequests(store, clock);
        requests.request(BOB, "sip:bob@192.0.2.1");
        assertThat(requests.claim("host/127.0.0.1:5060", 10, LEASE)).hasSize(1);

        assertThat(requests.release("host/127.0.0.1:5060")).isEqualTo(1);
        assertThat(requests.claim("host/127.0.0.1:5060", 10, LEASE)).hasSize(1);
    }

    // ---------------------------------------------------------------------------------------------------------
    // registrations: shared by every instance using the store, bounded, cleaned up
    // ---------------------------------------------------------------------------------------------------------

    static final String BOB_CONTACT = "sip:bob@192.0.2.1:5070;transport=tcp";
    /** How long a count of the registrations is used for the limit (the service: imdp.store.scan-period). */
    static final Duration RECOUNT = Duration.ofSeconds(1);

    Registrations registrations(int maxEntries) {
        return new Registrations(store, clock, false, maxEntries, RECOUNT);
    }

    long registrationRows() throws Exception {
        return store.single("SELECT count(*) FROM registration");
    }

    @Test
    void a_registration_is_found_under_the_recipients_canonical_form_and_a_refresh_moves_it() throws Exception {
        Registrations registrations = registrations(10);
        assertThat(registrations.update("<sip:bob@Example.COM;user=phone>", BOB_CONTACT, 600, null)).isTrue();
        assertThat(registrations.contactOf(BOB)).isEqualTo(BOB_CONTACT);
        assertThat(registrations.isRegistered(CAROL)).isFalse();

        now.set(now.get().plusSeconds(500));
        assertThat(registrations.update(BOB, " sip:bob@192.0.2.9 ", 600, null)).as("a refresh pushes again").isTrue();
        now.set(now.get().plusSeconds(599));
        assertThat(registrations.contactOf(BOB)).as("the refresh's lifetime counts from the refresh")
                .isEqualTo("sip:bob@192.0.2.9");
        assertThat(registrations.size()).isEqualTo(1);
        assertThat(registrationRows()).isEqualTo(1);
    }

    @Test
    void an_expired_registration_is_never_returned_and_the_cleanup_deletes_only_expired_ones() throws Exception {
        Registrations registrations = registrations(10);
        registrations.update(BOB, BOB_CONTACT, 600, null);
        registrations.update(CAROL, "sip:carol@192.0.2.3", 3600, null);
        // no Expires at all: the default lifetime
        registrations.update("sip:dave@example.com", "sip:dave@192.0.2.4", null, null);

        now.set(now.get().plusSeconds(599));
        assertThat(registrations.cleanup()).isEmpty();
        assertThat(registrations.contactOf(BOB)).isEqualTo(BOB_CONTACT);

        now.set(now.get().plusSeconds(1));
        assertThat(registrations.contactOf(BOB)).as("ran out, before any cleanup").isNull();
        assertThat(registrations.size()).isEqualTo(2);
        assertThat(registrationRows()).isEqualTo(3);

        assertThat(registrations.cleanup()).containsExactly(BOB);
        assertThat(registrationRows()).isEqualTo(2);
        assertThat(registrations.contactOf(CAROL)).isEqualTo("sip:carol@192.0.2.3");

        now.set(now.get().plusSeconds(Registrations.DEFAULT_EXPIRES));
        assertThat(registrations.contactOf("sip:dave@example.com")).isNull();
        assertThat(registrations.cleanup()).containsExactlyInAnyOrder(CAROL, "sip:dave@example.com");
        assertThat(registrationRows()).isZero();
    }

    @Test
    void a_deregistration_by_expires_0_or_contact_star_deletes_the_row() throws Exception {
        Registrations registrations = registrations(10);
        registrations.update(BOB, BOB_CONTACT, 600, null);
        registrations.update(CAROL, "sip:carol@192.0.2.3", 600, null);

        assertThat(registrations.update(BOB, BOB_CONTACT, 0, null)).isFalse();
        assertThat(registrations.update(CAROL, "*", 600, null)).isFalse();

        assertThat(registrations.contactOf(BOB)).isNull();
        assertThat(registrations.contactOf(CAROL)).isNull();
        assertThat(registrationRows()).as("deleted at once, not left to the cleanup").isZero();
        // a deregistration of a recipient that is not registered is no error
        assertThat(registrations.update(BOB, BOB_CONTACT, 0, null)).isFalse();
    }

    @Test
    void over_the_limit_a_new_recipient_is_refused_until_the_first_registration_runs_out_while_the_registered_ones_refresh()
            throws Exception {
        Registrations registrations = registrations(2);
        registrations.update(BOB, BOB_CONTACT, 600, null);
        now.set(now.get().plusSeconds(100));
        registrations.update(CAROL, "sip:carol@192.0.2.3", 3600, null);

        assertThatThrownBy(() -> registrations.update("sip:dave@example.com", "sip:dave@192.0.2.4", 600, null))
                .isInstanceOfSatisfying(RegistrationsFullException.class, e -> {
                    assertThat(e.getReason()).isEqualTo(RejectedMessageException.Reason.REGISTRATIONS_FULL);
                    // bob's registration runs out first, in 500 s
                    assertThat(e.roomIn()).isEqualTo(Duration.ofSeconds(500));
                })
                .hasMessageContaining("sip:dave@example.com").hasMessageContaining("imdp.registration.max-entries 2");
        assertThat(registrations.contactOf("sip:dave@example.com")).isNull();

        // the registered ones still refresh, with another contact too
        assertThat(registrations.update(BOB, "sip:bob@192.0.2.9", 600, null)).isTrue();
        assertThat(registrations.contactOf(BOB)).isEqualTo("sip:bob@192.0.2.9");

        // an expired registration makes room at once, before the cleanup deleted it
        now.set(now.get().plusSeconds(600));
        assertThat(registrations.contactOf(BOB)).isNull();
        assertThat(registrations.update("sip:dave@example.com", "sip:dave@192.0.2.4", 600, null)).isTrue();
        // and so does a deregistration
        assertThatThrownBy(() -> registrations.update(BOB, BOB_CONTACT, 600, null))
                .isInstanceOf(RejectedMessageException.class);
        registrations.update(CAROL, "*", 0, null);
        assertThat(registrations.update(BOB, BOB_CONTACT, 600, null)).isTrue();
        assertThat(registrations.size()).isEqualTo(2);
    }

    @Test
    void the_limit_counts_again_each_period_and_in_between_only_this_instances_own_changes() throws Exception {
        Registrations here = registrations(2);
        Registrations elsewhere = registrations(2);
        here.update(BOB, BOB_CONTACT, 600, null);
        here.update(BOB, BOB_CONTACT, 0, null);
        here.update(BOB, BOB_CONTACT, 600, null);
        elsewhere.update(CAROL, "sip:carol@192.0.2.3", 600, null);
        assertThatThrownBy(() -> elsewhere.update("sip:dave@example.com", "sip:dave@192.0.2.4", 600, null))
                .as("counted bob, then added carol").isInstanceOf(RejectedMessageException.class);

        // within the period this instance knows only its own registration: the limit is passed by carol's
        assertThat(here.update("sip:dave@example.com", "sip:dave@192.0.2.4", 600, null)).isTrue();
        assertThat(here.size()).isEqualTo(3);

        now.set(now.get().plus(RECOUNT));
        assertThatThrownBy(() -> here.update("sip:erin@example.com", "sip:erin@192.0.2.5", 600, null))
                .as("counted again").isInstanceOf(RejectedMessageException.class);
    }

    @Test
    void without_the_requirement_a_contact_without_the_im_feature_tag_registers() throws Exception {
        Registrations registrations = registrations(10);

        assertThat(registrations.update(BOB, BOB_CONTACT, 600, false)).isTrue();
        assertThat(registrations.contactOf(BOB)).isEqualTo(BOB_CONTACT);
    }

    @Test
    void with_the_requirement_only_an_im_contact_or_an_unknown_one_registers() throws Exception {
        Registrations registrations = new Registrations(store, clock, true, 10, RECOUNT);

        assertThat(registrations.update(BOB, BOB_CONTACT, 600, false)).isFalse();
        assertThat(registrations.isRegistered(BOB)).isFalse();
        assertThat(registrations.update(BOB, BOB_CONTACT, 600, true)).isTrue();
        // a refresh without the tag neither pushes again nor drops the IM Client's binding
        assertThat(registrations.update(BOB, "sip:scscf.example.com", 600, false)).isFalse();
        assertThat(registrations.contactOf(BOB)).isEqualTo(BOB_CONTACT);
        // from the JMS queue: no Contact header to judge
        assertThat(registrations.update(CAROL, "sip:carol@192.0.2.3", 600, null)).isTrue();
        // a deregistration counts whatever the tag
        assertThat(registrations.update(BOB, BOB_CONTACT, 0, false)).isFalse();
        assertThat(registrations.isRegistered(BOB)).isFalse();
    }

    @Test
    void a_registration_survives_a_restart_of_the_store() throws Exception {
        String url = database.url();
        registrations(10).update(BOB, BOB_CONTACT, 600, null);

        stop();
        startStore(url);

        assertThat(registrations(10).contactOf(BOB)).isEqualTo(BOB_CONTACT);
    }
}
