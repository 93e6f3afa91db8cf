package org.imdp.ops;

import org.imdp.store.DeferredStore;

/**
 * Charging events not charged yet, wherever they wait: as records in the store (the push that wrote them is still
 * charging, or the relay has not handed them on) and as messages on the charging queue (retried there); and those
 * refused for good, on the charging dead-letter queue.
 */
final class ChargingBacklog {

    private final DeferredStore store;
    private final BrokerQueues queues;
    private final String chargingQueue;
    private final String chargingDlq;

    ChargingBacklog(DeferredStore store, BrokerQueues queues, String chargingQueue, String chargingDlq) {
        this.store = store;
        this.queues = queues;
        this.chargingQueue = chargingQueue;
        this.chargingDlq = chargingDlq;
    }

    long pending() throws Exception {
        return store.chargingRecords() + queues.messageCount(chargingQueue);
    }

    long deadLettered() throws Exception {
        return queues.messageCount(chargingDlq);
    }
}
