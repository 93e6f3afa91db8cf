package org.imdp.store;

/** Push batches for tests outside the store package. */
public final class PushBatches {

    private PushBatches() {
    }

    /** The batch of a push that carried nothing (its settle only writes its outbox, e.g. the charging record). */
    public static PushBatch none(String recipient) {
        return PushBatch.empty(recipient);
    }
}
