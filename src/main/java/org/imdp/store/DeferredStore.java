package org.imdp.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.Message;
import org.apache.camel.support.service.ServiceSupport;
import org.imdp.cpim.CpimHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deferred-message store: one SQL table keyed by recipient (embedded SQLite or PostgreSQL, {@link StoreDatabase}).
 * Fetching one recipient's messages goes through the {@code (recipient, sender, message_id)} index, so it costs what
 * that recipient has stored, whatever the total.
 * <p>
 * A push takes a recipient's messages out with {@link #checkout} (they stay stored) and {@link #settle}s it in one
 * transaction: the acknowledged messages are deleted, the refused ones are marked for the IMDN route, and what the
 * application hands the settle to write with them (its outbox: the push's charging record) is written. The
 * one-push-per-recipient rule is kept by the leases of {@link PushRequests}, in the
 * same database. Every write goes through one writer thread that commits what arrived meanwhile together (group
 * commit); reads use the connection pool.
 * <p>
 * What leaves the store for a queue (expired and refused messages, and what an outbox wrote, e.g. charging records
 * not charged at once) is read by a relay route, sent, and then deleted here: a crash in between sends it once more, with the same duplicate-detection
 * id, which the broker drops.
 */
public final class DeferredStore extends ServiceSupport {

    /** Message properties of a stored message on a queue (also the JMS intake's property names). */
    public static final String PROP_RECIPIENT = "imdpRecipient";
    public static final String PROP_SENDER = "imdpSender";
    public static final String PROP_CONTENT_TYPE = "imdpContentType";
    public static final String PROP_MESSAGE_ID = "imdpMessageId";
    public static final String PROP_DATE_TIME = "imdpDateTime";
    public static final String PROP_DISPOSITION = "imdpDisposition";
    /** The other headers of the sender's own CPIM document, {@link CpimHeaders#serialize} form. */
    public static final String PROP_CPIM_HEADERS = "imdpCpimHeaders";
    /** On a refused message: why the client refused it, e.g. "MSRP 415 Unsupported media type". */
    public static final String PROP_REFUSAL = "imdpRefusal";
    /** Artemis' duplicate-detection property: a second copy sent by a relay after a crash is dropped. */
    public static final String DUPLICATE_ID = "_AMQ_DUPL_ID";

    /** How long a write (an intake, a settle) waits for its commit before it fails. */
    public static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(DeferredStore.class);
    /** Messages written in one transaction at most. */
    private static final int MAX_GROUP = 200;
    private static final String COLUMNS = "id, recipient, message_id, sender, content_type, date_time, disposition, "
                                          + "cpim_headers, expires_at, refusal, body";

    private final StoreDatabase db;
    private final Duration expiry;
    private final int maxPerRecipient;
    private final int maxMessageSize;
    private final int maxMessageFailures;
    private final Clock clock;
    private final StoreCapacity capacity;
    private final BlockingQueue<PendingWrite> writes = new LinkedBlockingQueue<>();
    private Thread writer;

    /**
     * @param maxMessageFailures after how many sessions in a row that stopped at one message (not the client's
     *                           decision) that message is refused for good
     */
    public DeferredStore(StoreDatabase db, Duration expiry, int maxPerRecipient, int maxMessageSize,
                         int maxMessageFailures, Clock clock) {
        this(db, expiry, maxPerRecipient, maxMessageSize, maxMessageFailures, clock,
                new StoreCapacity(db, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE));
    }

    /** @param capacity the global caps on what the store holds, checked in each insert's transaction */
    public DeferredStore(StoreDatabase db, Duration expiry, int maxPerRecipient, int maxMessageSize,
                         int maxMessageFailures, Clock clock, StoreCapacity capacity) {
        this.capacity = capacity;
        this.db = db;
        this.expiry = expiry;
        this.maxPerRecipient = maxPerRecipient;
        this.maxMessageSize = maxMessageSize;
        this.maxMessageFailures = maxMessageFailures;
        this.clock = clock;
    }

    /** A message as it is stored: its row, when it expires, and why it was refused (or {@code null}). */
    public record StoredMessage(long rowId, DeferredMessage message, Instant expiresAt, String refusal) {
    }

    /**
     * Stores one message durably (committed when this returns). A message is identified by its recipient, its sender
     * and its id (imdn.Message-ID is unique per sender, RFC 5438 section 6.3): one that is already stored with the
     * same content type and content (a retransmitted or redelivered intake) is not stored again, and this returns as
     * if it had been, whatever the quota; one with the same identity but another content is refused, since the
     * sender used one id for two messages and storing either silently would lose the other.
     *
     * @throws RejectedMessageException when it is too large, the recipient's quota or a global cap is used up
     *                                  ({@link StoreCapacity}), or its sender already
     *                                  used its id for another message stored for the recipient
     * @throws SQLException             when the database refused the write or did not commit it within
     *                                  {@link #WRITE_TIMEOUT} (nothing of it is stored then)
     */
    public void store(DeferredMessage m) throws SQLException, InterruptedException {
        if (m.size() > maxMessageSize) {
            throw new RejectedMessageException(RejectedMessageException.Reason.TOO_LARGE,
                    "message of " + m.size() + " octets exceeds imdp.store.max-message-size " + maxMessageSize);
        }
        if (write(c -> insert(c, m)) instanceof RejectedMessageException overQuota) {
            throw overQuota;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Group commit: every write (intake, settle, the relays' deletes) is done by the store's writer thread, many in
    // one transaction: all that arrived while the previous transaction committed share one commit (one fsync)
    // instead of queueing for the database's write lock one by one. Reads use the pool directly.
    // ---------------------------------------------------------------------------------------------------------

    /** One write, run in the writer's open transaction; what it returns is handed back to its caller. */
    @FunctionalInterface
    public interface Work {
        Object run(Connection c) throws SQLException;
    }

    private record PendingWrite(Work work, CompletableFuture<Object> done) {
    }

    /**
     * Runs {@code work} in the writer's next transaction and waits until it is committed (or failed). Also the write
     * path of the store's other tables ({@link PushRequests}, {@code org.imdp.registration.Registrations}).
     */
    public Object write(Work work) throws SQLException, InterruptedException {
        if (!isRunAllowed()) {
            throw new SQLException("the deferred store is not running");
        }
        PendingWrite pending = new PendingWrite(work, new CompletableFuture<>());
        writes.put(pending);
        try {
            return pending.done().get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new SQLTimeoutException("the store's database did not commit within " + WRITE_TIMEOUT);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e.getCause() instanceof SQLException sql ? sql : new SQLException(e.getCause());
        }
    }

    /** The writer thread: takes what arrived, writes it in one transaction, answers each waiting caller. */
    private void writeLoop() {
        List<PendingWrite> group = new ArrayList<>(MAX_GROUP);
        while (isRunAllowed() || !writes.isEmpty()) {
            try {
                PendingWrite first = writes.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                writes.drainTo(group, MAX_GROUP - 1);
                write(group);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                group.clear();
            }
        }
        PendingWrite left;
        while ((left = writes.poll()) != null) {
            left.done().completeExceptionally(new SQLException("the deferred store stopped"));
        }
    }

    /** One transaction for the whole group; if it fails, each write alone, so one cannot fail the others. */
    private void write(List<PendingWrite> group) {
        Object[] results = new Object[group.size()];
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                for (int i = 0; i < results.length; i++) {
                    results[i] = group.get(i).work().run(c);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException | RuntimeException e) {
            if (group.size() > 1) {
                group.forEach(p -> write(List.of(p)));
            } else {
                group.get(0).done().completeExceptionally(e);
            }
            return;
        }
        for (int i = 0; i < results.length; i++) {
            group.get(i).done().complete(results[i]);
        }
    }

    private static final String INSERT = "INSERT INTO deferred_message (recipient, message_id, sender, content_type, "
            + "date_time, disposition, cpim_headers, expires_at, size, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            + "ON CONFLICT (recipient, sender, message_id) DO NOTHING";

    /**
     * Inserts one message in the open transaction, or returns why it is refused (over quota, counting what this
     * transaction wrote before it; its id used for another message): a refusal does not roll back the others. A copy
     * of a stored message is dropped before the quota is counted, so that a retransmission of the message that
     * filled the quota gets the same answer as the message did.
     */
    private RejectedMessageException insert(Connection c, DeferredMessage m) throws SQLException {
        Boolean same = sameAsStored(c, m);
        if (same != null) {
            return duplicate(m, same);
        }
        long stored = count(c, m.recipient());
        if (stored >= maxPerRecipient) {
            return new RejectedMessageException(RejectedMessageException.Reason.OVER_QUOTA,
                    "recipient " + m.recipient() + " already has " + stored
                    + " deferred messages (imdp.store.max-per-recipient " + maxPerRecipient + ")");
        }
        RejectedMessageException full = capacity.refusal(c, m);
        if (full != null) {
            return full;
        }
        try (PreparedStatement insert = c.prepareStatement(INSERT)) {
            insert.setString(1, m.recipient());
            insert.setString(2, m.messageId());
            insert.setString(3, m.sender());
            insert.setString(4, m.contentType());
            insert.setString(5, m.dateTime().toString());
            insert.setString(6, m.dispositionNotification());
            insert.setString(7, m.cpimHeaders().isEmpty() ? null : m.cpimHeaders().serialize());
            insert.setLong(8, clock.instant().plus(expiry).toEpochMilli());
            insert.setInt(9, m.size());
            insert.setBytes(10, m.body());
            if (insert.executeUpdate() == 0) {
                // another instance sharing the store committed the same identity since the check above
                return duplicate(m, Boolean.TRUE.equals(sameAsStored(c, m)));
            }
        }
        return null;
    }

    /**
     * Whether a message of the same recipient, sender and id is stored with the same content type and content:
     * {@code null} when none is stored.
     */
    private static Boolean sameAsStored(Connection c, DeferredMessage m) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT content_type, body FROM deferred_message "
                + "WHERE recipient = ? AND sender = ? AND message_id = ?")) {
            q.setString(1, m.recipient());
            q.setString(2, m.sender());
            q.setString(3, m.messageId());
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return m.contentType().equals(rs.getString(1)) && Arrays.equals(m.body(), rs.getBytes(2));
            }
        }
    }

    /** A copy is dropped ({@code null}: stored as far as its sender can tell); another message under its id refused. */
    private static RejectedMessageException duplicate(DeferredMessage m, boolean same) {
        if (same) {
            LOG.debug("{} is already stored: the copy is dropped", m);
            return null;
        }
        return new RejectedMessageException(RejectedMessageException.Reason.INVALID, "message id " + m.messageId()
                + " of " + m.sender() + " is already stored for " + m.recipient()
                + " with another content: a sender's imdn.Message-ID names one message (RFC 5438)");
    }

    @Override
    protected void doStart() {
        writer = new Thread(this::writeLoop, "ImdpStoreWriter");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    protected void doStop() throws InterruptedException {
        if (writer != null) {
            // what is queued is still written: its senders are waiting for the answer
            writer.join(WRITE_TIMEOUT.toMillis());
            writer = null;
        }
    }

    /** Number of messages stored for a recipient (canonical form), 0 when none; refused ones on their way out do not count. */
    public long count(String recipient) throws SQLException {
        try (Connection c = db.dataSource().getConnection()) {
            return count(c, recipient);
        }
    }

    private static long count(Connection c, String recipient) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT count(*) FROM deferred_message WHERE recipient = ? AND refusal IS NULL")) {
            q.setString(1, recipient);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * Takes out up to {@code max} of the recipient's messages, oldest first, for one push, and no more than
     * {@code maxBytes} octets of bodies between them (always at least one message, however large): every message of
     * a push is held in memory until it settles, so the budget bounds a push's heap. Expired and refused messages
     * are left to their relays. The messages stay stored until {@link #settle} removes them.
     */
    public PushBatch checkout(String recipient, int max, int maxBytes) throws SQLException {
        long now = clock.millis();
        try (Connection c = db.dataSource().getConnection()) {
            // first the sizes, so that no body over the budget is ever read
            List<Long> rows = new ArrayList<>();
            boolean more = false;
            try (PreparedStatement q = c.prepareStatement("SELECT id, size FROM deferred_message WHERE recipient = ? "
                    + "AND refusal IS NULL AND expires_at > ? ORDER BY id LIMIT ?")) {
                q.setString(1, recipient);
                q.setLong(2, now);
                q.setInt(3, max + 1);
                try (ResultSet rs = q.executeQuery()) {
                    long bytes = 0;
                    while (rs.next()) {
                        int size = rs.getInt(2);
                        if (rows.size() >= max || !rows.isEmpty() && bytes + size > maxBytes) {
                            more = true;
                            break;
                        }
                        rows.add(rs.getLong(1));
                        bytes += size;
                    }
                }
            }
            if (rows.isEmpty()) {
                return PushBatch.empty(recipient);
            }
            Set<Long> chosen = new HashSet<>(rows);
            List<DeferredMessage> messages = new ArrayList<>(rows.size());
            Map<String, Long> rowIds = new LinkedHashMap<>();
            // a push tells its messages apart by id: a second sender's message with an id already in the batch ends
            // the batch there, and goes first in the next push, which follows at once
            boolean sameIdAgain = false;
            try (PreparedStatement q = c.prepareStatement("SELECT " + COLUMNS + " FROM deferred_message WHERE recipient = ? "
                    + "AND id >= ? AND id <= ? ORDER BY id")) {
                q.setString(1, recipient);
                q.setLong(2, rows.get(0));
                q.setLong(3, rows.get(rows.size() - 1));
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next() && !sameIdAgain) {
                        // a row committed since the first query (PostgreSQL hands out ids before commit) waits
                        if (chosen.contains(rs.getLong(1))) {
                            StoredMessage m = read(rs);
                            if (m == null) {
                                continue;
                            }
                            sameIdAgain = rowIds.containsKey(m.message().messageId());
                            if (!sameIdAgain) {
                                rowIds.put(m.message().messageId(), m.rowId());
                                messages.add(m.message());
                            }
                        }
                    }
                }
            }
            return new PushBatch(recipient, messages, rowIds, more || sameIdAgain);
        }
    }

    /**
     * Settles a push in one transaction: deletes the acknowledged messages, marks the refused ones ({@code refusals}:
     * id to reason) for the refused queue, and writes each entry of {@code outbox}, what the application has to write
     * with them (the push's charging record): a crash can neither lose an outbox entry nor write it for messages
     * that are still stored, nor lose or duplicate a refused message. If an entry fails, nothing of the settle is
     * written.
     * <p>
     * A session that stopped early ({@code stoppedBecause} not {@code null}: no answer, the connection lost, a message
     * that could not be sent) counts a failure against the batch's first message that was neither acknowledged nor
     * refused: the one it stopped at. At {@code maxMessageFailures} sessions in a row that message is refused for good
     * too, with the reason, so that it cannot hold the recipient's queue until it expires.
     */
    public void settle(PushBatch batch, Collection<String> acknowledged, Map<String, String> refusals,
                       String stoppedBecause, List<Work> outbox) throws SQLException, InterruptedException {
        if (batch.isEmpty() && outbox.isEmpty()) {
            return;
        }
        // resolved before the transaction: a message that is not the batch's settles nothing
        List<Long> delivered = acknowledged.stream().map(batch::rowId).toList();
        Map<Long, String> refused = new LinkedHashMap<>();
        refusals.forEach((id, reason) -> refused.put(batch.rowId(id), reason));
        Long stoppedAt = stoppedBecause == null ? null : batch.getMessages().stream().map(DeferredMessage::messageId)
                .filter(id -> !acknowledged.contains(id) && !refusals.containsKey(id)).findFirst().map(batch::rowId)
                .orElse(null);
        String refusalAfterFailures = "not delivered in " + maxMessageFailures + " sessions in a row: " + stoppedBecause;
        write(c -> {
            if (stoppedAt != null) {
                try (PreparedStatement failed = c.prepareStatement("UPDATE deferred_message SET failures = failures + 1, "
                        + "refusal = CASE WHEN failures + 1 >= ? THEN ? ELSE refusal END WHERE id = ? AND refusal IS NULL")) {
                    failed.setInt(1, maxMessageFailures);
                    failed.setString(2, refusalAfterFailures);
                    failed.setLong(3, stoppedAt);
                    failed.executeUpdate();
                }
            }
            if (!delivered.isEmpty()) {
                try (PreparedStatement delete = c.prepareStatement("DELETE FROM deferred_message WHERE id = ?")) {
                    for (long row : delivered) {
                        delete.setLong(1, row);
                        delete.addBatch();
                    }
                    delete.executeBatch();
                }
            }
            if (!refused.isEmpty()) {
                try (PreparedStatement refuse = c.prepareStatement("UPDATE deferred_message SET refusal = ? WHERE id = ?")) {
                    for (Map.Entry<Long, String> r : refused.entrySet()) {
                        refuse.setString(1, r.getValue());
                        refuse.setLong(2, r.getKey());
                        refuse.addBatch();
                    }
                    refuse.executeBatch();
                }
            }
            for (Work entry : outbox) {
                entry.run(c);
            }
            return null;
        });
        LOG.debug("Settled push of {}: {} of {} messages delivered, {} refused", batch.recipient(), acknowledged.size(),
                batch.getMessages().size(), refusals.size());
    }

    /**
     * Queues {@code work} for the writer's next transaction without waiting for it: for writes whose loss in a crash
     * costs only a repetition that the store's own state makes harmless, so that they ride along with the next
     * commit instead of holding their caller for one. Writes keep their order, so a later {@link #write} sees it.
     * The future tells the outcome; it fails at once when the store is not running.
     */
    public CompletableFuture<Object> writeAsync(Work work) {
        PendingWrite pending = new PendingWrite(work, new CompletableFuture<>());
        if (!isRunAllowed() || !writes.offer(pending)) {
            pending.done().completeExceptionally(new SQLException("the deferred store is not running"));
        }
        return pending.done();
    }

    /** Messages kept past their expiry, oldest first, at most {@code max}: for the relay to {@code imdp.queue.expired}. */
    public List<StoredMessage> expired(int max) throws SQLException {
        return select("SELECT " + COLUMNS + " FROM deferred_message WHERE expires_at <= ? ORDER BY expires_at LIMIT ?",
                clock.millis(), max);
    }

    /** Messages the client refused for good, oldest first, at most {@code max}: for the relay to {@code imdp.queue.refused}. */
    public List<StoredMessage> refused(int max) throws SQLException {
        return select("SELECT " + COLUMNS + " FROM deferred_message WHERE refusal IS NOT NULL ORDER BY id LIMIT ?", null, max);
    }

    /** Removes one stored message by its row, once a relay has handed it on. */
    public void remove(long rowId) throws SQLException, InterruptedException {
        update("DELETE FROM deferred_message WHERE id = ?", rowId);
    }

    /**
     * Puts a stored message on a Camel message as a relay sends it to a queue: the store properties as headers
     * ({@link #PROP_REFUSAL} on a refused one), the content as body, and a duplicate-detection id.
     */
    public static void toQueueMessage(StoredMessage stored, Message out) {
        DeferredMessage m = stored.message();
        out.getHeaders().clear();
        out.setHeader(PROP_RECIPIENT, m.recipient());
        out.setHeader(PROP_SENDER, m.sender());
        out.setHeader(PROP_CONTENT_TYPE, m.contentType());
        out.setHeader(PROP_MESSAGE_ID, m.messageId());
        out.setHeader(PROP_DATE_TIME, m.dateTime().toString());
        if (m.dispositionNotification() != null) {
            out.setHeader(PROP_DISPOSITION, m.dispositionNotification());
        }
        if (!m.cpimHeaders().isEmpty()) {
            out.setHeader(PROP_CPIM_HEADERS, m.cpimHeaders().serialize());
        }
        if (stored.refusal() != null) {
            out.setHeader(PROP_REFUSAL, stored.refusal());
        }
        out.setHeader(DUPLICATE_ID, (stored.refusal() != null ? "refused|" : "expired|") + m.recipient() + "|" + m.sender()
                                    + "|" + m.messageId());
        out.setBody(m.body());
    }

    /** Bean form of {@link #toQueueMessage} for a relay route: the body is a {@link StoredMessage}. */
    public void toQueueMessage(Exchange exchange) throws InvalidPayloadException {
        toQueueMessage(exchange.getMessage().getMandatoryBody(StoredMessage.class), exchange.getMessage());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Operations (org.imdp.ops: JMX, admin API, health, metrics): reads, and the operator's purge.
    // ---------------------------------------------------------------------------------------------------------

    /** What an operator may see of a stored message: its metadata, never its content. */
    public record PendingMessage(String messageId, String sender, String contentType, Instant dateTime,
            Instant expiresAt, int size) {
    }

    /**
     * The whole store at a glance.
     *
     * @param recipients     recipients with messages stored
     * @param storedMessages messages stored for all of them
     * @param largest        the recipients with most messages stored, most first, at most the number asked for
     */
    public record Totals(long recipients, long storedMessages, Map<String, Long> largest) {
    }

    /** Recipients and messages in the store; {@code top} > 0 also lists the largest recipients (a scan of the index). */
    public Totals totals(int top) throws SQLException {
        long messages = single("SELECT count(*) FROM deferred_message WHERE refusal IS NULL");
        long recipients = single("SELECT count(DISTINCT recipient) FROM deferred_message WHERE refusal IS NULL");
        Map<String, Long> largest = new LinkedHashMap<>();
        if (top > 0) {
            try (Connection c = db.dataSource().getConnection();
                 PreparedStatement q = c.prepareStatement("SELECT recipient, count(*) AS n FROM deferred_message "
                         + "WHERE refusal IS NULL GROUP BY recipient ORDER BY n DESC, recipient LIMIT ?")) {
                q.setInt(1, top);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        largest.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
        }
        return new Totals(recipients, messages, largest);
    }

    /** Messages kept past their expiry that the relay has not handed to the IMDN route yet. */
    public long expiredCount() throws SQLException {
        return single("SELECT count(*) FROM deferred_message WHERE expires_at <= ?", clock.millis());
    }

    /** The metadata of up to {@code max} of a recipient's stored messages, oldest first. */
    public List<PendingMessage> pending(String recipient, int max) throws SQLException {
        List<PendingMessage> result = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement q = c.prepareStatement("SELECT message_id, sender, content_type, date_time, expires_at, size "
                     + "FROM deferred_message WHERE recipient = ? AND refusal IS NULL ORDER BY id LIMIT ?")) {
            q.setString(1, recipient);
            q.setInt(2, max);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    result.add(new PendingMessage(rs.getString(1), rs.getString(2), rs.getString(3),
                            Instant.parse(rs.getString(4)), Instant.ofEpochMilli(rs.getLong(5)), rs.getInt(6)));
                }
            }
        }
        return result;
    }

    /**
     * Deletes every message stored for a recipient, in one transaction. A push running at that moment still delivers
     * the messages it has taken out (its settle finds them gone).
     *
     * @return the number of messages deleted
     */
    public int purge(String recipient) throws SQLException, InterruptedException {
        int purged = update("DELETE FROM deferred_message WHERE recipient = ? AND refusal IS NULL", recipient);
        LOG.info("Purged {} stored message(s) of {}", purged, recipient);
        return purged;
    }

    /** One round trip to the database, for the health check. */
    public void probe() throws SQLException {
        single("SELECT 1");
    }

    // ---------------------------------------------------------------------------------------------------------

    /**
     * The one number a query answers, e.g. a count (also for the store's other tables: {@link PushRequests},
     * {@code org.imdp.registration.Registrations}).
     */
    public long single(String sql, Object... params) throws SQLException {
        Long n = first(sql, rs -> rs.getLong(1), params);
        if (n == null) {
            throw new SQLException("no row: " + sql);
        }
        return n;
    }

    /** The text in the first column of the first row a query answers, or {@code null} when it answers no row. */
    public String text(String sql, Object... params) throws SQLException {
        return first(sql, rs -> rs.getString(1), params);
    }

    /** What a query's row becomes. */
    @FunctionalInterface
    public interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** Reads the first row of a query on a pooled connection; {@code null} when there is none. */
    private <T> T first(String sql, Row<T> row, Object... params) throws SQLException {
        List<T> rows = rows(sql, row, params);
        return rows.isEmpty() ? null : rows.get(0);
    }

    /**
     * Every row a query answers, on a pooled connection (also for the store's other tables, e.g.
     * {@code org.imdp.charging.ChargingRecords}); bound it with a LIMIT.
     */
    public <T> List<T> rows(String sql, Row<T> row, Object... params) throws SQLException {
        List<T> result = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); PreparedStatement q = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                q.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    result.add(row.read(rs));
                }
            }
        }
        return result;
    }

    private int update(String sql, Object key) throws SQLException, InterruptedException {
        return (Integer) write(c -> {
            try (PreparedStatement u = c.prepareStatement(sql)) {
                u.setObject(1, key);
                return u.executeUpdate();
            }
        });
    }

    private List<StoredMessage> select(String sql, Long now, int max) throws SQLException {
        List<StoredMessage> result = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); PreparedStatement q = c.prepareStatement(sql)) {
            int i = 1;
            if (now != null) {
                q.setLong(i++, now);
            }
            q.setInt(i, max);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    StoredMessage m = read(rs);
                    if (m != null) {
                        result.add(m);
                    }
                }
            }
        }
        return result;
    }

    /** A row of {@link #COLUMNS}; {@code null} (and a warning) when it cannot be read: it stays for an operator. */
    private static StoredMessage read(ResultSet rs) throws SQLException {
        long row = rs.getLong(1);
        try {
            DeferredMessage m = new DeferredMessage(rs.getString(3), rs.getString(4), rs.getString(2), rs.getString(5),
                    Instant.parse(rs.getString(6)), rs.getString(7), rs.getBytes(11), CpimHeaders.parse(rs.getString(8)));
            return new StoredMessage(row, m, Instant.ofEpochMilli(rs.getLong(9)), rs.getString(10));
        } catch (RuntimeException e) {
            LOG.warn("Stored message in row {} is unreadable and is left in the store: {}", row, e.toString());
            return null;
        }
    }
}
