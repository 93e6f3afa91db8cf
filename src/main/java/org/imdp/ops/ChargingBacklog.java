package org.imdp.ops;

import org.imdp.charging.ChargingRecords;

/**
 * Charging events not charged yet, wherever they wait: as records in the store (the push that wrote them is still
 * charging, or the relay has not handed them on) and as messages on the charging queue (retried there); and those
 * refused for good, on the charging dead-letter queue.
 */
final class ChargingBacklog {

    private final ChargingRecords records;
    private final BrokerQueues queues;
    private final String chargingQueue;
    private final String chargingDlq;

    ChargingBacklog(ChargingRecords records, BrokerQueues queues, String chargingQueue, String chargingDlq) {
        this.records = records;
        this.queues = queues;
        this.chargingQueue = chargingQueue;
        this.chargingDlq = chargingDlq;
    }

    long pending() throws Exception {
        return records.count() + queues.messageCount(chargingQueue);
    }

    long deadLettered() throws Exception {
        return queues.messageCount(chargingDlq);
    }
}
