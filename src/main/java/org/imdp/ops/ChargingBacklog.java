package org.imdp.ops;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;

import org.imdp.charging.ChargingDeliveries;
import org.imdp.charging.ChargingRecords;

/**
 * Charging events not charged yet, wherever they wait: as records in the store (the push that wrote them is still
 * charging, or the relay has not handed them on) and as messages on the charging queue (retried there); and those
 * refused for good, on the charging dead-letter queue. The oldest of them: the oldest record in the store, or the
 * oldest event whose delivery from the queue failed here ({@link ChargingDeliveries}: the broker holds those back for
 * their redelivery delay, out of sight of a queue browser).
 */
final class ChargingBacklog {

    private final ChargingRecords records;
    private final ChargingDeliveries deliveries;
    private final Clock clock;
    private final BrokerQueues queues;
    private final String chargingQueue;
    private final String chargingDlq;

    ChargingBacklog(ChargingRecords records, ChargingDeliveries deliveries, BrokerQueues queues, String chargingQueue,
                    String chargingDlq, Clock clock) {
        this.records = records;
        this.deliveries = deliveries;
        this.clock = clock;
        this.queues = queues;
        this.chargingQueue = chargingQueue;
        this.chargingDlq = chargingDlq;
    }

    long pending() throws Exception {
        return records.count() + queues.messageCount(chargingQueue);
    }

    /** How long the oldest pending charging event has been waiting; zero when none is. */
    Duration oldestPendingAge() throws Exception {
        Optional<Instant> oldest = Stream.concat(records.oldest().stream(), deliveries.oldestWaiting().stream())
                .min(Instant::compareTo);
        return oldest.map(since -> Duration.between(since, clock.instant())).filter(age -> !age.isNegative())
                .orElse(Duration.ZERO);
    }

    long deadLettered() throws Exception {
        return queues.messageCount(chargingDlq);
    }
}
