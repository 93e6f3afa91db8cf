package org.imdp.charging;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.imdp.store.DeferredStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The charging records, in the store's database (table {@code charging_record}): a push's charging event, written by
 * the push's settle in the transaction that removes the acknowledged messages ({@link #outbox}, an entry of the
 * settle's outbox), so that a crash can neither charge a push twice nor lose its charging. The push sends its own ACR
 * right after its BYE and deletes the record when it is answered ({@link #charged}); a record still there after the
 * grace period is handed to the charging queue by the relay route ({@link #due}).
 * <p>
 * Writes go through the store's group commit ({@link DeferredStore#write}), reads through its pool.
 */
public final class ChargingRecords {

    private static final Logger LOG = LoggerFactory.getLogger(ChargingRecords.class);

    private final DeferredStore store;
    private final Duration grace;
    private final Clock clock;

    /**
     * A charging record left for the relay: its event id, the event (JSON), and whether an ACR of it may have reached
     * the Charging Enabler already (false only when its push's ACR never left, {@link #notSent}).
     */
    public record ChargingRecord(String eventId, String event, boolean possiblySent) {
    }

    /**
     * @param grace how long a charging record is left to the push that wrote it (sent at once after the settle)
     *              before the relay hands it to the charging queue
     */
    public ChargingRecords(DeferredStore store, Duration grace, Clock clock) {
        this.store = store;
        this.grace = grace;
        this.clock = clock;
    }

    /**
     * The settle's outbox for a push's charging event ({@code event}, JSON, under {@code eventId}): the write of its
     * record, due for the relay after the grace period; none when {@code eventId} is {@code null}.
     */
    public List<DeferredStore.Work> outbox(String eventId, String event) {
        if (eventId == null) {
            return List.of();
        }
        long dueAt = clock.instant().plus(grace).toEpochMilli();
        return List.of(c -> {
            try (PreparedStatement record = c.prepareStatement(
                    "INSERT INTO charging_record (event_id, due_at, event) VALUES (?, ?, ?)")) {
                record.setString(1, eventId);
                record.setLong(2, dueAt);
                record.setString(3, event);
                return record.executeUpdate();
            }
        });
    }

    /**
     * The charging record {@code eventId} is done with: answered 2001, or handed to the charging queue. Its delete is
     * queued for the writer's next transaction and not waited for: it rides along with the next settles instead of
     * costing a commit of its own. Should the service stop before that commit, the record is charged once more by
     * the relay, with the T flag and the same Session-Id.
     */
    public void charged(String eventId) {
        writeLater("DELETE FROM charging_record WHERE event_id = ?", eventId,
                "Charging record {} was charged but could not be deleted ({}); the relay charges it again");
    }

    /**
     * The push's own ACR of the charging record {@code eventId} never left (no open peer): the relay's ACR need not
     * carry the T flag. Queued for the writer's next transaction like {@link #charged}; should the service stop before
     * that commit, the record stays possibly sent and the relay's ACR carries T, which is allowed for a first sending.
     */
    public void notSent(String eventId) {
        writeLater("UPDATE charging_record SET possibly_sent = FALSE WHERE event_id = ?", eventId,
                "Charging record {} not sent, but it could not be marked so ({}); the relay sends it with the T flag");
    }

    /** Queues {@code sql} with the one parameter {@code eventId} for the writer's next transaction, without waiting. */
    private void writeLater(String sql, String eventId, String failureLog) {
        store.writeAsync(c -> {
            try (PreparedStatement statement = c.prepareStatement(sql)) {
                statement.setString(1, eventId);
                return statement.executeUpdate();
            }
        }).whenComplete((rows, error) -> {
            if (error != null) {
                LOG.warn(failureLog, eventId, error.getMessage());
            }
        });
    }

    /**
     * Charging records whose push did not charge them within the grace period (the Charging Enabler was down, or the
     * service stopped in between), oldest first, at most {@code max}.
     */
    public List<ChargingRecord> due(int max) throws SQLException {
        return store.rows("SELECT event_id, event, possibly_sent FROM charging_record WHERE due_at <= ? "
                          + "ORDER BY due_at LIMIT ?",
                rs -> new ChargingRecord(rs.getString(1), rs.getString(2), rs.getBoolean(3)), clock.millis(), max);
    }

    /** When the oldest charging record not yet charged nor handed to the charging queue was written; empty: none. */
    public Optional<Instant> oldest() throws SQLException {
        Long dueAt = store.rows("SELECT min(due_at) FROM charging_record",
                rs -> rs.getObject(1) == null ? null : rs.getLong(1)).get(0);
        return dueAt == null ? Optional.empty() : Optional.of(Instant.ofEpochMilli(dueAt).minus(grace));
    }

    /** Charging records not yet charged nor handed to the charging queue. */
    public long count() throws SQLException {
        return store.single("SELECT count(*) FROM charging_record");
    }
}
