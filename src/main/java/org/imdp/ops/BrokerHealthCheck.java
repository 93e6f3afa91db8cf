package org.imdp.ops;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.imdp.store.DeferredStore;

/**
 * Readiness and liveness: the deferred store reaches the Artemis broker. It asks the broker for the charging
 * queue's message count (one round trip) and reports DOWN when that fails or takes longer than the timeout.
 */
final class BrokerHealthCheck extends AbstractHealthCheck {

    private final DeferredStore store;
    private final String probeQueue;
    private final ExecutorService executor;
    private final long timeoutMillis;

    BrokerHealthCheck(DeferredStore store, String probeQueue, ExecutorService executor, long timeoutMillis) {
        super("imdp", "broker");
        this.store = store;
        this.probeQueue = probeQueue;
        this.executor = executor;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public boolean isLiveness() {
        return true;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        CompletableFuture<Long> probe = CompletableFuture.supplyAsync(() -> {
            try {
                return store.queueMessageCount(probeQueue);
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }, executor);
        try {
            long count = probe.get(timeoutMillis, TimeUnit.MILLISECONDS);
            builder.up().detail("queue", probeQueue).detail("messages", count);
        } catch (TimeoutException e) {
            probe.cancel(true);
            builder.down().message("the broker did not answer within " + timeoutMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            builder.down().message("interrupted");
        } catch (Exception e) {
            builder.down().message("the broker cannot be reached: " + e.getCause().getMessage()).error(e.getCause());
        }
    }
}
