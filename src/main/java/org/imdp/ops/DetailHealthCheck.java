package org.imdp.ops;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * A check shown in {@code /observe/health} with its details, in neither liveness nor readiness: what it reports (a
 * Charging Enabler away, a full store) is for an operator's alert, never a reason to restart the service or take it
 * out of a load balancer, because it still takes in, stores and pushes. What it reads from the store or the broker it
 * reads with {@link #read}, within a timeout: the details keep answering while a backend hangs (the store's pool waits
 * 30 s for a connection to a database that is down).
 */
abstract class DetailHealthCheck extends AbstractHealthCheck {

    private final ExecutorService executor;
    private final long timeoutMillis;

    /** A check that reads nothing outside the JVM. */
    DetailHealthCheck(String id) {
        this(id, null, 0);
    }

    /** A check that reads the store or the broker with {@link #read}, on {@code executor}, within the timeout. */
    DetailHealthCheck(String id, ExecutorService executor, long timeoutMillis) {
        super("imdp", id);
        this.executor = executor;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public boolean isReadiness() {
        return false;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    /**
     * {@code reading}'s answer, or its failure, or a {@link TimeoutException} when it takes longer than the timeout; then
     * its thread is interrupted, which ends a wait for a pooled connection or a broker's answer.
     */
    protected <T> T read(Callable<T> reading) throws Exception {
        Future<T> call = executor.submit(reading);
        try {
            return call.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            call.cancel(true);
            throw new TimeoutException("no answer within " + timeoutMillis + " ms");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw e;
        }
    }
}
