package org.imdp.charging;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.imdp.ch1.Ch1NotSentException;

/**
 * What the deliveries of charging events on {@code im.charging} showed: whether an earlier one may have sent its ACR,
 * and how long the events that failed are waiting.
 * <p>
 * The T flag only when an earlier delivery may have sent the ACR (RFC 6733 §3). A delivery whose ACR never left
 * ({@link Ch1NotSentException}: no open peer) is counted here before its transaction rolls back; a redelivery whose
 * earlier deliveries ({@code JMSXDeliveryCount} - 1) were all counted here was never sent. Any delivery not counted (one
 * that reached the Charging Enabler and failed, one on another instance, before a restart, or forgotten after
 * {@value #MAX_EVENTS} events) counts as possibly sent: the T flag is then set, as a first sending may have it.
 * <p>
 * The oldest waiting event ({@link #oldestWaiting}): every failed delivery remembers when its event happened (the end
 * of its push) until the event leaves the queue through this instance; an event whose last failure here is older than
 * {@code forgetAfter} (longer than the broker's longest redelivery delay: it was charged by another instance, or moved
 * away) no longer counts. While the Charging Enabler is down the events on the queue are mostly waiting for their
 * redelivery, which the broker does not show: this is where their age is known.
 * <p>
 * Registry bean {@code chargingDeliveries}, used by {@code routes/charging.xml}.
 */
public final class ChargingDeliveries {

    /** Events remembered at most, the least recently failed forgotten first. */
    static final int MAX_EVENTS = 10_000;

    private final Clock clock;
    private final Duration forgetAfter;
    private final Map<String, Integer> notSent = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
            return size() > MAX_EVENTS;
        }
    };
    private final Map<String, Waiting> waiting = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Waiting> eldest) {
            return size() > MAX_EVENTS;
        }
    };

    private record Waiting(Instant since, Instant lastFailure) {
    }

    /**
     * @param forgetAfter an event that failed here last longer ago than this is no longer counted as waiting: longer
     *                    than the broker's longest redelivery delay plus a delivery's own time
     */
    public ChargingDeliveries(Clock clock, Duration forgetAfter) {
        this.clock = clock;
        this.forgetAfter = forgetAfter;
    }

    /** Whether a delivery before this one may have sent the event's ACR. */
    public synchronized boolean earlierDeliveryMayHaveSent(@Header("JMSMessageID") String messageId,
                                                       @Header("JMSXDeliveryCount") Integer deliveryCount,
                                                       @Header("JMSRedelivered") Boolean redelivered) {
        if (deliveryCount == null) {
            return Boolean.TRUE.equals(redelivered);
        }
        return deliveryCount - 1 > notSent.getOrDefault(messageId, 0);
    }

    /**
     * A delivery failed for now: counted when its ACR never left; the event waits since it happened (the end of its
     * push, else when it was put on the queue, else now).
     */
    public synchronized void failed(@Header("JMSMessageID") String messageId,
                                    @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception failure,
                                    @Body Object event, @Header("JMSTimestamp") Long queuedAt) {
        if (failure instanceof Ch1NotSentException) {
            notSent.merge(messageId, 1, Integer::sum);
        }
        Instant now = clock.instant();
        Instant since = event instanceof ChargingEvent e && e.endedAt() != null ? e.endedAt()
                : queuedAt != null && queuedAt > 0 ? Instant.ofEpochMilli(queuedAt) : now;
        waiting.merge(messageId, new Waiting(since, now),
                (known, latest) -> new Waiting(known.since().isBefore(latest.since()) ? known.since() : latest.since(), now));
    }

    /** The event left the queue (charged, or to the dead-letter queue): nothing more to remember. */
    public synchronized void done(@Header("JMSMessageID") String messageId) {
        notSent.remove(messageId);
        waiting.remove(messageId);
    }

    /** Since when the oldest event whose delivery failed here is waiting; empty when none is. */
    public synchronized Optional<Instant> oldestWaiting() {
        Instant horizon = clock.instant().minus(forgetAfter);
        waiting.values().removeIf(w -> w.lastFailure().isBefore(horizon));
        return waiting.values().stream().map(Waiting::since).min(Instant::compareTo);
    }
}
