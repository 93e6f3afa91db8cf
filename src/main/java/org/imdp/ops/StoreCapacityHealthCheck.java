package org.imdp.ops;

import java.util.Map;
import java.util.concurrent.ExecutorService;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.imdp.store.StoreCapacity;

/**
 * The store's global caps ({@link StoreCapacity}): DOWN, "full", while one is reached, with what the store holds and
 * the caps as details; shown in {@code /observe/health}. Neither readiness nor liveness: a full store still delivers
 * (every push makes room), and REGISTERs must keep coming in for that, so a full store is no reason to take this
 * instance out of a load balancer, nor to restart it; new messages get 507 meanwhile.
 */
final class StoreCapacityHealthCheck extends DetailHealthCheck {

    private final StoreCapacity capacity;

    StoreCapacityHealthCheck(StoreCapacity capacity, ExecutorService executor, long timeoutMillis) {
        super("store-capacity", executor, timeoutMillis);
        this.capacity = capacity;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        StoreCapacity.Usage usage;
        try {
            usage = read(capacity::usage);
        } catch (Exception e) {
            builder.down().message("store usage unknown: " + e.getMessage()).error(e);
            return;
        }
        builder.detail("messages", usage.messages()).detail("max-messages", capacity.maxMessages())
                .detail("bytes", usage.bytes()).detail("max-bytes", capacity.maxBytes())
                .detail("recipients", usage.recipients()).detail("max-recipients", capacity.maxRecipients());
        String reached = capacity.reached(usage);
        if (reached.isEmpty()) {
            builder.up();
        } else {
            builder.down().message("full: " + reached + " reached; new messages are refused with 507, stored ones are"
                                   + " still pushed");
        }
    }
}
