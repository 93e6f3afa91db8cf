package org.imdp.ch1.peer;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * One peer's outages, as the log tells them: a peer is down from the first failed connection attempt (or the loss of
 * its OPEN connection) until its next CEA 2001. The first failure of an outage is reported once ({@link Report#WARN}),
 * the failures after it only every {@code reminder} ({@link Report#REMIND}), the others not at all
 * ({@link Report#QUIET}: they reconnect with backoff, up to every {@code reconnectDelayMax}); the end of the outage
 * says how long it took. A pure state machine on a monotonic clock in nanoseconds; the connection calls it on its
 * event loop.
 */
final class PeerOutage {

    /** What a failure of the connection is worth in the log. */
    enum Report { WARN, REMIND, QUIET }

    /** An outage that ended: how long the peer was down and how many connection attempts failed meanwhile. */
    record Ended(Duration down, long failures) {
    }

    private final LongSupplier nanoClock;
    private final long reminderNanos;
    private boolean down;
    private long downSince;
    private long lastReported;
    private long failures;

    /**
     * @param nanoClock {@link System#nanoTime} or a test's clock
     * @param reminder  at most one reminder per this interval while the peer stays down
     */
    PeerOutage(LongSupplier nanoClock, Duration reminder) {
        this.nanoClock = nanoClock;
        this.reminderNanos = reminder.toNanos();
    }

    /** A connection attempt failed, or the connection was lost. */
    Report failed() {
        long now = nanoClock.getAsLong();
        failures++;
        if (!down) {
            down = true;
            downSince = now;
            lastReported = now;
            failures = 1;
            return Report.WARN;
        }
        if (now - lastReported >= reminderNanos) {
            lastReported = now;
            return Report.REMIND;
        }
        return Report.QUIET;
    }

    /** The connection is OPEN: the outage that ended, or {@code null} when the peer was not down. */
    Ended opened() {
        if (!down) {
            return null;
        }
        down = false;
        return new Ended(Duration.ofNanos(nanoClock.getAsLong() - downSince), failures);
    }

    /** How long the peer has been down, {@link Duration#ZERO} while it is not. */
    Duration downFor() {
        return down ? Duration.ofNanos(nanoClock.getAsLong() - downSince) : Duration.ZERO;
    }

    /** Failed connection attempts in the current outage. */
    long failures() {
        return down ? failures : 0;
    }
}
