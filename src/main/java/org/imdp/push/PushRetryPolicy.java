package org.imdp.push;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;

import org.imdp.sipmsrp.SipMsrpPushException;

/**
 * When a failed push is tried again. A client that said no (busy, declined, not found, unavailable, no MSRP: any
 * other final response) is left alone until it registers again; a failure of the network, of the path or of the
 * client's side of the session (no answer, 5xx, the 4xx of {@link #PATH_FAULTS}, an MSRP connection that could not
 * be made or broke) is retried after {@code firstDelay}, doubling each time, at most {@code maxRetries} times,
 * then also waits for the next registration. A final response with Retry-After is tried again when it
 * says, whoever decided. The messages stay stored meanwhile. Why each 4xx is where it is: docs/operations.md,
 * "Retries".
 */
public final class PushRetryPolicy {

    /** No timed retry: the next REGISTER of the recipient triggers the next push. */
    public static final long NEXT_REGISTRATION = -1;

    /**
     * The 4xx final responses (RFC 3261 §21.4, RFC 5626 §11) that report a fault of the path or a state that passes, not
     * a decision of the client: 408 Request Timeout, 430 Flow Failed, 482 Loop Detected (a loop, or the same request
     * merged from two paths), 483 Too Many Hops, 491 Request Pending.
     */
    static final Set<Integer> PATH_FAULTS = Set.of(408, 430, 482, 483, 491);

    private final Duration firstDelay;
    private final int maxRetries;
    private final Clock clock;

    public PushRetryPolicy(Duration firstDelay, int maxRetries, Clock clock) {
        this.firstDelay = firstDelay;
        this.maxRetries = maxRetries;
        this.clock = clock;
    }

    /**
     * @param failure      why the push failed
     * @param retriesSoFar how often this push was already retried ({@code null} = never)
     * @return when to try again (epoch milliseconds, for the broker's scheduled delivery), or
     *         {@link #NEXT_REGISTRATION}
     */
    public long nextAttemptAt(Throwable failure, Integer retriesSoFar) {
        int retries = retriesSoFar == null ? 0 : retriesSoFar;
        if (retries >= maxRetries) {
            return NEXT_REGISTRATION;
        }
        if (failure instanceof SipMsrpPushException sip && sip.getRetryAfter() != null) {
            return clock.millis() + sip.getRetryAfter().toMillis();
        }
        if (!transientFailure(failure)) {
            return NEXT_REGISTRATION;
        }
        return clock.millis() + firstDelay.toMillis() * (1L << Math.min(retries, 20));
    }

    /** The retry count to carry on the retried push request. */
    public int retriesAfter(Integer retriesSoFar) {
        return (retriesSoFar == null ? 0 : retriesSoFar) + 1;
    }

    static boolean transientFailure(Throwable failure) {
        if (failure instanceof SipMsrpPushException sip) {
            int status = sip.getStatusCode();
            return PATH_FAULTS.contains(status) || status >= 500 && status < 600;
        }
        // the MSRP connection failed, or the broker hiccupped: nothing the client decided
        return true;
    }
}
