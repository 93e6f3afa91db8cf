package org.imdp.charging;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.imdp.ch1.Ch1NotSentException;

/**
 * Whether an earlier delivery of a charging event on {@code im.charging} may have sent its ACR, so that the next
 * one carries the T flag only then (RFC 6733 §3). A delivery whose ACR never left ({@link Ch1NotSentException}: no
 * open peer) is counted here before its transaction rolls back; a redelivery whose earlier deliveries
 * ({@code JMSXDeliveryCount} - 1) were all counted here was never sent. Any delivery not counted (one that
 * reached the Charging Enabler and failed, one on another instance, before a restart, or forgotten after
 * {@value #MAX_EVENTS} events) counts as possibly sent: the T flag is then set, as a first sending may have it.
 * Registry bean {@code chargingDeliveries}, used by {@code routes/charging.xml}.
 */
public final class ChargingDeliveries {

    /** Events remembered at most, the least recently failed forgotten first. */
    static final int MAX_EVENTS = 10_000;

    private final Map<String, Integer> notSent = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
            return size() > MAX_EVENTS;
        }
    };

    /** Whether a delivery before this one may have sent the event's ACR. */
    public synchronized boolean earlierDeliveryMayHaveSent(@Header("JMSMessageID") String messageId,
                                                       @Header("JMSXDeliveryCount") Integer deliveryCount,
                                                       @Header("JMSRedelivered") Boolean redelivered) {
        if (deliveryCount == null) {
            return Boolean.TRUE.equals(redelivered);
        }
        return deliveryCount - 1 > notSent.getOrDefault(messageId, 0);
    }

    /** A delivery failed for now: counted when its ACR never left. */
    public synchronized void failed(@Header("JMSMessageID") String messageId,
                                    @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception failure) {
        if (failure instanceof Ch1NotSentException) {
            notSent.merge(messageId, 1, Integer::sum);
        }
    }

    /** The event left the queue (charged, or to the dead-letter queue): nothing more to remember. */
    public synchronized void done(@Header("JMSMessageID") String messageId) {
        notSent.remove(messageId);
    }
}
