package org.imdp.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push requests, in the store's database (table {@code push_request}): at most one per recipient, so that a burst
 * of REGISTERs and MESSAGEs for one recipient asks for one push, not one each, and at most one session per recipient
 * runs at a time on all instances sharing the store.
 * <ul>
 * <li>{@link #request} records that a recipient's push is due now, to a contact. A request for a recipient that
 * already has one merges into it: the newest contact wins, a timed retry becomes due now. A request that arrives while
 * the recipient's session runs is remembered, and the recipient is due again when that session ends.</li>
 * <li>{@link #claim} leases due requests to one instance; {@link #renew} keeps its leases while their sessions run;
 * a lease not renewed (its instance died) runs out after the lease time, and the request is claimed again.</li>
 * <li>A session ends with {@link #done} (nothing more to push unless requested meanwhile) or {@link #again} (due again
 * at a time: a timed retry, or the next session of a backlog).</li>
 * </ul>
 * Writes go through the store's group commit ({@link DeferredStore}); the claim is a conditional update, so two
 * instances never hold one recipient's lease together, on SQLite or PostgreSQL.
 */
public final class PushRequests {

    private static final Logger LOG = LoggerFactory.getLogger(PushRequests.class);

    /** The contact of a request withdrawn while its session ran. */
    private static final String WITHDRAWN = "";
    /** What {@link State} reads, for {@link #find} and {@link #list}. */
    private static final String STATE_QUERY = "SELECT recipient, contact, due_at, retries, lease_owner, lease_until "
                                              + "FROM push_request ";

    private final DeferredStore store;
    private final Clock clock;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    public PushRequests(DeferredStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** A leased request: whose push, to where, its retries so far, and the generation it was claimed at. */
    public record Claim(String recipient, String contact, int retries, long generation) {
    }

    /** Called after each {@link #request} is committed, e.g. to wake a consumer waiting for due requests. */
    public void onRequest(Runnable listener) {
        listeners.add(listener);
    }

    public void removeListener(Runnable listener) {
        listeners.remove(listener);
    }

    /** The recipient's push is due now, to {@code contact}; committed when this returns. */
    public void request(String recipient, String contact) throws SQLException, InterruptedException {
        if (recipient == null || contact == null || contact.isBlank()) {
            throw new IllegalArgumentException("a push request needs a recipient and a contact, got " + recipient
                                               + " and " + contact);
        }
        String key = Recipients.canonical(recipient);
        long now = clock.millis();
        store.write(c -> {
            try (PreparedStatement upsert = c.prepareStatement("INSERT INTO push_request (recipient, contact, due_at, "
                    + "retries, generation) VALUES (?, ?, ?, 0, 0) ON CONFLICT (recipient) DO UPDATE SET "
                    + "contact = excluded.contact, due_at = excluded.due_at, retries = 0, "
                    + "generation = push_request.generation + 1")) {
                upsert.setString(1, key);
                upsert.setString(2, contact.trim());
                upsert.setLong(3, now);
                return upsert.executeUpdate();
            }
        });
        listeners.forEach(Runnable::run);
    }

    /**
     * Withdraws the recipient's request (a deregistration: no timed retry goes to a contact that is gone). A session
     * that runs now ends as it would, and is not followed by another unless a new request arrives meanwhile.
     */
    public void cancel(String recipient) throws SQLException, InterruptedException {
        String key = Recipients.canonical(recipient);
        long now = clock.millis();
        store.write(c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM push_request WHERE recipient = ? "
                    + "AND (lease_until IS NULL OR lease_until < ?)")) {
                delete.setString(1, key);
                delete.setLong(2, now);
                if (delete.executeUpdate() == 1) {
                    return 1;
                }
            }
            // running: WITHDRAWN tells its end to drop it; a request that arrives meanwhile sets a contact again
            try (PreparedStatement withdraw = c.prepareStatement("UPDATE push_request SET contact = '" + WITHDRAWN
                    + "', generation = generation + 1 WHERE recipient = ?")) {
                withdraw.setString(1, key);
                return withdraw.executeUpdate();
            }
        });
    }

    /**
     * Leases up to {@code max} due requests to {@code owner} for {@code lease}, the longest waiting first. A request
     * leased by anyone whose lease has not run out is not due.
     */
    public List<Claim> claim(String owner, int max, Duration lease) throws SQLException, InterruptedException {
        long now = clock.millis();
        long until = now + lease.toMillis();
        @SuppressWarnings("unchecked")
        List<Claim> claims = (List<Claim>) store.write(c -> {
            // withdrawn while their session ran on an instance that died
            try (PreparedStatement stale = c.prepareStatement("DELETE FROM push_request WHERE contact = '" + WITHDRAWN
                    + "' AND lease_until < ?")) {
                stale.setLong(1, now);
                stale.executeUpdate();
            }
            List<String> due = new ArrayList<>(max);
            try (PreparedStatement q = c.prepareStatement("SELECT recipient FROM push_request WHERE due_at <= ? "
                    + "AND (lease_until IS NULL OR lease_until < ?) ORDER BY due_at LIMIT ?")) {
                q.setLong(1, now);
                q.setLong(2, now);
                q.setInt(3, max);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        due.add(rs.getString(1));
                    }
                }
            }
            List<Claim> leased = new ArrayList<>(due.size());
            // conditional: on PostgreSQL another instance may have leased it since the select
            try (PreparedStatement lock = c.prepareStatement("UPDATE push_request SET lease_owner = ?, lease_until = ? "
                    + "WHERE recipient = ? AND (lease_until IS NULL OR lease_until < ?)");
                 PreparedStatement read = c.prepareStatement(
                         "SELECT contact, retries, generation FROM push_request WHERE recipient = ?")) {
                for (String recipient : due) {
                    lock.setString(1, owner);
                    lock.setLong(2, until);
                    lock.setString(3, recipient);
                    lock.setLong(4, now);
                    if (lock.executeUpdate() == 1) {
                        read.setString(1, recipient);
                        try (ResultSet rs = read.executeQuery()) {
                            rs.next();
                            leased.add(new Claim(recipient, rs.getString(1), rs.getInt(2), rs.getLong(3)));
                        }
                    }
                }
            }
            return leased;
        });
        return claims;
    }

    /** Extends every lease {@code owner} holds to {@code lease} from now: its sessions still run. */
    public void renew(String owner, Duration lease) throws SQLException, InterruptedException {
        long until = clock.millis() + lease.toMillis();
        store.write(c -> {
            try (PreparedStatement renew = c.prepareStatement(
                    "UPDATE push_request SET lease_until = ? WHERE lease_owner = ?")) {
                renew.setLong(1, until);
                renew.setString(2, owner);
                return renew.executeUpdate();
            }
        });
    }

    /**
     * Gives up every lease {@code owner} holds, due as they were: an instance that starts again under the same name
     * takes back what it held when it stopped or died, without waiting for the leases to run out.
     *
     * @return the number of leases given up
     */
    public int release(String owner) throws SQLException, InterruptedException {
        return (Integer) store.write(c -> {
            try (PreparedStatement release = c.prepareStatement(
                    "UPDATE push_request SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?")) {
                release.setString(1, owner);
                return release.executeUpdate();
            }
        });
    }

    /**
     * The claimed session ended, and needs no other: the request goes, unless one arrived meanwhile (due now then).
     * Not waited for: the end rides along with the writer's next commit, so the session's consumer is free at once;
     * the store's later writes (a claim, a request) see it. Lost in a crash, the lease runs out and the recipient is
     * pushed once more, finding what is still stored. The future completes when the end is committed (or failed).
     */
    public CompletableFuture<Object> done(Claim claim, String owner) {
        return store.writeAsync(end(claim, owner, true, clock.millis(), 0)).whenComplete((changed, error) -> {
            if (error != null) {
                LOG.warn("The end of the push to {} could not be recorded ({}); its request is taken again when its "
                         + "lease runs out", claim.recipient(), error.getMessage());
            } else {
                ended(claim, owner, (Integer) changed);
            }
        });
    }

    /**
     * The claimed session ended and the recipient is due again at {@code dueAt} (epoch milliseconds) with
     * {@code retries} timed retries so far; a request that arrived meanwhile makes it due now, with none.
     */
    public void again(Claim claim, String owner, long dueAt, int retries) throws SQLException, InterruptedException {
        ended(claim, owner, (Integer) store.write(end(claim, owner, false, dueAt, retries)));
    }

    /** As {@link #again}, due {@code delay} from now on the store's clock. */
    public void againAfter(Claim claim, String owner, Duration delay, int retries) throws SQLException, InterruptedException {
        again(claim, owner, clock.millis() + delay.toMillis(), retries);
    }

    /**
     * The write that releases the claim: the request goes when it was withdrawn, or when {@code doneUnlessRequested}
     * and no request arrived meanwhile; otherwise it is rescheduled. It returns how many requests it changed.
     */
    private DeferredStore.Work end(Claim claim, String owner, boolean doneUnlessRequested, long dueAt, int retries) {
        long now = clock.millis();
        return c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM push_request WHERE recipient = ? "
                    + "AND lease_owner = ? AND (contact = '" + WITHDRAWN + "'"
                    + (doneUnlessRequested ? " OR generation = ?)" : ")"))) {
                delete.setString(1, claim.recipient());
                delete.setString(2, owner);
                if (doneUnlessRequested) {
                    delete.setLong(3, claim.generation());
                }
                if (delete.executeUpdate() == 1) {
                    return 1;
                }
            }
            return reschedule(c, claim, owner, dueAt, retries, now);
        };
    }

    private static void ended(Claim claim, String owner, int changed) {
        if (changed == 0) {
            LOG.warn("The push request of {} was no longer leased to {} when its session ended: its lease ran out",
                    claim.recipient(), owner);
        }
    }

    private static int reschedule(Connection c, Claim claim, String owner, long dueAt, int retries, long now)
            throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE push_request SET lease_owner = NULL, "
                + "lease_until = NULL, due_at = CASE WHEN generation = ? THEN ? ELSE ? END, "
                + "retries = CASE WHEN generation = ? THEN ? ELSE 0 END WHERE recipient = ? AND lease_owner = ?")) {
            update.setLong(1, claim.generation());
            update.setLong(2, dueAt);
            update.setLong(3, now);
            update.setLong(4, claim.generation());
            update.setInt(5, retries);
            update.setString(6, claim.recipient());
            update.setString(7, owner);
            return update.executeUpdate();
        }
    }

    /**
     * What an operator sees of a push request: where it goes, when it is due (epoch ms) after how many timed retries, and
     * which instance runs its session now ({@code null} while it waits).
     */
    public record State(String recipient, String contact, long dueAt, int retries, String runningOn) {
    }

    /** The recipient's push request, or {@code null} when none waits or runs (its last push ended, or none was asked). */
    public State find(String recipient) throws SQLException {
        List<State> found = store.rows(STATE_QUERY + "WHERE recipient = ? AND contact <> '" + WITHDRAWN + "'",
                rs -> state(rs, clock.millis()), Recipients.canonical(recipient));
        return found.isEmpty() ? null : found.get(0);
    }

    /** Up to {@code max} push requests that wait or run, the longest waiting first. */
    public List<State> list(int max) throws SQLException {
        long now = clock.millis();
        return store.rows(STATE_QUERY + "WHERE contact <> '" + WITHDRAWN + "' ORDER BY due_at, recipient LIMIT ?",
                rs -> state(rs, now), max);
    }

    private static State state(ResultSet rs, long now) throws SQLException {
        long leaseUntil = rs.getLong(6);
        // a lease that ran out is an instance that died: the request waits to be claimed again
        String owner = rs.wasNull() || leaseUntil < now ? null : rs.getString(5);
        return new State(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getInt(4), owner);
    }

    /** Requests waiting (due now or later) or running. */
    public long count() throws SQLException {
        return store.single("SELECT count(*) FROM push_request");
    }
}
