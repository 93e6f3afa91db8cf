package org.imdp.ops;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness on a backend the service cannot store messages without (the broker, the store's database): one round trip
 * to it, DOWN when that fails or takes longer than the timeout. The probe runs on its own thread, so a backend that
 * hangs cannot hang the health endpoint. Not liveness: a restart of this JVM does not bring a backend back, and a
 * liveness that followed the database would restart every instance at once during its outage, losing the pushes
 * under way.
 */
final class ProbeHealthCheck extends AbstractHealthCheck {

    private final String what;
    private final Callable<Map<String, Object>> probe;
    private final ExecutorService executor;
    private final long timeoutMillis;

    /**
     * @param id    the check's id ({@code broker}, {@code store})
     * @param what  the backend, for the DOWN message ("the broker")
     * @param probe one round trip; returns the details of an UP answer
     */
    ProbeHealthCheck(String id, String what, Callable<Map<String, Object>> probe, ExecutorService executor,
                     long timeoutMillis) {
        super("imdp", id);
        this.what = what;
        this.probe = probe;
        this.executor = executor;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        // a Future of the executor's own: cancel(true) interrupts the probe's thread, ending its wait on the backend
        Future<Map<String, Object>> call = executor.submit(probe);
        try {
            builder.up().details(call.get(timeoutMillis, TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            call.cancel(true);
            builder.down().message(what + " did not answer within " + timeoutMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            builder.down().message("interrupted");
        } catch (Exception e) {
            builder.down().message(what + " cannot be reached: " + e.getCause().getMessage()).error(e.getCause());
        }
    }
}
