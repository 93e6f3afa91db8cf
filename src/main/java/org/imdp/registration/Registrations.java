package org.imdp.registration;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.imdp.store.DeferredStore;
import org.imdp.store.Recipients;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which recipients have an IM Client registered right now, and where: filled from REGISTER (third-party
 * registration from the S-CSCF, or the client's own) and from the {@code im.availability} queue.
 * <p>
 * Kept in the store's database (table {@code registration}, one row per recipient), so every instance sharing the
 * store knows every registration, and a registration survives a restart. Writes go through the store's group commit
 * ({@link DeferredStore#write}); {@link #contactOf}, called for every incoming MESSAGE, is one primary-key lookup on the
 * store's pool. An expired registration is never returned, and {@link #cleanup} deletes it (route
 * {@code registration-cleanup}, every {@code imdp.store.scan-period}); a deregistration deletes it at once.
 * <p>
 * At most {@code imdp.registration.max-entries} recipients are registered: a REGISTER of another recipient is then
 * refused with 503 and a Retry-After (when the first registration runs out), while the registered ones still refresh.
 * Counting the registrations scans an index (about a millisecond per 100,000 on SQLite, more on PostgreSQL), so it is
 * done before the write, on the pool, never by the writer, and at most once per {@code recount} period: in between,
 * this instance adds the recipients it registered and subtracts those it deregistered. The limit is a bound, not an
 * exact count: new recipients registered on other instances since the last count may pass it by their number.
 */
public final class Registrations {

    /** Registration lifetime when none is given (RFC 3261 §10.2.1.1 suggests 3600 s). */
    public static final int DEFAULT_EXPIRES = 3600;

    /** Expired registrations one {@link #cleanup} deletes at most, so that its transaction stays short. */
    static final int CLEANUP_BATCH = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(Registrations.class);

    private final DeferredStore store;
    private final Clock clock;
    private final boolean requireImFeatureTag;
    private final int maxEntries;
    private final long recountMillis;
    /** The registrations last counted, and when, with this instance's changes since. */
    private final AtomicReference<Census> census = new AtomicReference<>();

    private record Census(long countedAt, long registered) {
        Census plus(long n) {
            return new Census(countedAt, Math.max(0, registered + n));
        }
    }

    /**
     * @param requireImFeatureTag whether a REGISTER's Contact must carry the OMA IM feature tag
     *                            ({@code +g.oma.sip-im}) to count as an IM Client (imdp.sip.require-im-feature-tag)
     * @param maxEntries          recipients registered at most (imdp.registration.max-entries)
     * @param recount             how long a count of the registrations is used for the limit (imdp.store.scan-period)
     */
    public Registrations(DeferredStore store, Clock clock, boolean requireImFeatureTag, int maxEntries,
                         Duration recount) {
        this.store = store;
        this.clock = clock;
        this.requireImFeatureTag = requireImFeatureTag;
        this.maxEntries = maxEntries;
        this.recountMillis = recount.toMillis();
    }

    /**
     * Records a registration ({@code expires > 0}, {@code null} = {@value #DEFAULT_EXPIRES} s) or its end
     * ({@code expires == 0}, or Contact {@code *}); committed when this returns. When the IM feature tag is required, a
     * registration whose Contact is known not to carry it ({@code imFeatureTag} false; {@code null} = not known, e.g.
     * from the JMS queue) is not recorded.
     *
     * @return true when this registered an IM Client (the push is due)
     * @throws RegistrationsFullException when the recipient is not registered and {@code imdp.registration.max-entries}
     *                                    others are
     */
    public boolean update(String recipient, String contact, Integer expires, Boolean imFeatureTag)
            throws SQLException, InterruptedException {
        String key = Recipients.canonical(recipient);
        int seconds = expires == null ? DEFAULT_EXPIRES : expires;
        if (seconds <= 0 || contact == null || contact.isBlank() || "*".equals(contact.trim())) {
            int deleted = (Integer) store.write(c -> {
                try (PreparedStatement delete = c.prepareStatement("DELETE FROM registration WHERE recipient = ?")) {
                    delete.setString(1, key);
                    return delete.executeUpdate();
                }
            });
            census.updateAndGet(known -> known == null ? null : known.plus(-deleted));
            LOG.info("{} deregistered", key);
            return false;
        }
        if (requireImFeatureTag && Boolean.FALSE.equals(imFeatureTag)) {
            LOG.info("{} at {} not recorded as an IM Client: its Contact has no +g.oma.sip-im"
                     + " (imdp.sip.require-im-feature-tag)", key, contact);
            return false;
        }
        long now = clock.millis();
        boolean newcomer = contactOf(key, now) == null;
        if (newcomer) {
            ensureRoom(key, now);
        }
        long expiresAt = now + seconds * 1000L;
        store.write(c -> {
            try (PreparedStatement upsert = c.prepareStatement("INSERT INTO registration (recipient, contact, expires_at) "
                    + "VALUES (?, ?, ?) ON CONFLICT (recipient) DO UPDATE SET contact = excluded.contact, "
                    + "expires_at = excluded.expires_at")) {
                upsert.setString(1, key);
                upsert.setString(2, contact.trim());
                upsert.setLong(3, expiresAt);
                return upsert.executeUpdate();
            }
        });
        if (newcomer) {
            census.updateAndGet(known -> known == null ? null : known.plus(1));
        }
        LOG.info("{} registered at {} for {} s", key, contact, seconds);
        return true;
    }

    /** Refuses a new registration when {@link #maxEntries} recipients are registered now. */
    private void ensureRoom(String key, long now) throws SQLException {
        Census known = census.get();
        if (known == null || now - known.countedAt() >= recountMillis || now < known.countedAt()) {
            known = new Census(now, registeredAt(now));
            census.set(known);
        }
        long registered = known.registered();
        if (registered < maxEntries) {
            return;
        }
        // room is made when the first of them runs out (unless it is refreshed): the sender may try again then
        long firstExpiry = store.single("SELECT min(expires_at) FROM registration WHERE expires_at > ?", now);
        long seconds = Math.max(1, Math.min(DEFAULT_EXPIRES, (firstExpiry - now + 999) / 1000));
        throw new RegistrationsFullException(key + " not registered: " + registered
                + " recipients are (imdp.registration.max-entries " + maxEntries + ")", Duration.ofSeconds(seconds));
    }

    /** The registered contact of the recipient, or {@code null} when it is not (or no longer) registered. */
    public String contactOf(String recipient) throws SQLException {
        return contactOf(Recipients.canonical(recipient), clock.millis());
    }

    private String contactOf(String key, long now) throws SQLException {
        return store.text("SELECT contact FROM registration WHERE recipient = ? AND expires_at > ?", key, now);
    }

    public boolean isRegistered(String recipient) throws SQLException {
        return contactOf(recipient) != null;
    }

    /** A registration as an operator sees it: who, where, until when. */
    public record Registration(String recipient, String contact, Instant expiresAt) {
    }

    /** Up to {@code max} registrations in force now, by recipient. */
    public List<Registration> list(int max) throws SQLException {
        return store.rows("SELECT recipient, contact, expires_at FROM registration WHERE expires_at > ? "
                          + "ORDER BY recipient LIMIT ?",
                rs -> new Registration(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3))),
                clock.millis(), max);
    }

    /** Recipients registered now (on every instance sharing the store). */
    public long size() throws SQLException {
        return registeredAt(clock.millis());
    }

    private long registeredAt(long now) throws SQLException {
        return store.single("SELECT count(*) FROM registration WHERE expires_at > ?", now);
    }

    /**
     * Deletes registrations that ran out, at most {@value #CLEANUP_BATCH} (the next call takes the rest); the write
     * is only queued when there is something to delete.
     *
     * @return the recipients whose registration was deleted (route {@code registration-cleanup} withdraws their
     *         push requests, as a deregistration does)
     */
    public List<String> cleanup() throws SQLException, InterruptedException {
        long now = clock.millis();
        if (store.single("SELECT count(*) FROM registration WHERE expires_at <= ?", now) == 0) {
            return List.of();
        }
        @SuppressWarnings("unchecked")
        List<String> deleted = (List<String>) store.write(c -> {
            // expires_at again outside: a registration refreshed meanwhile by another instance (PostgreSQL checks the
            // row again once that instance committed) stays
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM registration WHERE expires_at <= ? AND "
                    + "recipient IN (SELECT recipient FROM registration WHERE expires_at <= ? ORDER BY expires_at LIMIT ?) "
                    + "RETURNING recipient")) {
                delete.setLong(1, now);
                delete.setLong(2, now);
                delete.setInt(3, CLEANUP_BATCH);
                List<String> recipients = new ArrayList<>();
                try (ResultSet rs = delete.executeQuery()) {
                    while (rs.next()) {
                        recipients.add(rs.getString(1));
                    }
                }
                return recipients;
            }
        });
        LOG.debug("{} expired registration(s) deleted", deleted.size());
        return deleted;
    }
}
