package org.imdp.broker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.ExceptionListener;
import jakarta.jms.JMSException;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the log says when the broker goes away and comes back: one WARN when it cannot be reached, one INFO when it can
 * again, whatever the number of JMS consumers; the health check {@code broker} tells the state in between. Spring's
 * listener containers log an ERROR per consumer at every failed reconnection instead (every 5 s); those lines are
 * filtered out in {@code config/log4j2.properties}.
 * <p>
 * The JMS component's {@code exceptionListener}: the listener containers call it at every failed setup and connection
 * refresh. A call while the broker counts as reachable tries a connection of its own (with {@code probeFactory}, not
 * pooled): only when that fails too is the broker away, so that a consumer's late failure right after the broker came
 * back does not count as another outage. While it is away the connection is tried every {@code probeInterval} until
 * one succeeds.
 */
public final class BrokerConnectionLog extends ServiceSupport implements ExceptionListener {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerConnectionLog.class);

    private final ConnectionFactory probeFactory;
    private final Duration probeInterval;
    private final ScheduledExecutorService timer;
    private final Clock clock;
    /** Guarded by this: a probe scheduled or running; the broker away since (null while it counts as reachable). */
    private boolean probing;
    private Instant awaySince;
    private long failuresWhileAway;

    /**
     * @param probeFactory  a connection factory to the broker, without a pool: each probe is a new connection; closed
     *                      on stop when it is {@link AutoCloseable}
     * @param probeInterval how often the connection is tried while the broker is away (the consumers' own recovery
     *                      interval)
     * @param timer         runs the probes
     */
    public BrokerConnectionLog(ConnectionFactory probeFactory, Duration probeInterval, ScheduledExecutorService timer,
                               Clock clock) {
        this.probeFactory = probeFactory;
        this.probeInterval = probeInterval;
        this.timer = timer;
        this.clock = clock;
    }

    @Override
    protected void doStop() throws Exception {
        if (probeFactory instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    @Override
    public void onException(JMSException failure) {
        synchronized (this) {
            if (awaySince != null) {
                failuresWhileAway++;
            }
            if (probing || !isRunAllowed()) {
                LOG.debug("JMS consumer failure while the broker's state is being checked: {}", failure.getMessage());
                return;
            }
            probing = true;
        }
        try {
            timer.execute(() -> probe(failure));
        } catch (RejectedExecutionException stopping) {
            LOG.debug("JMS consumer failure while the service stops: {}", failure.getMessage());
        }
    }

    private void probe(JMSException consumerFailure) {
        try (Connection connection = probeFactory.createConnection()) {
            reachable();
        } catch (JMSException | RuntimeException e) {
            away(consumerFailure, e);
        }
    }

    private void reachable() {
        Instant since;
        long failures;
        synchronized (this) {
            probing = false;
            since = awaySince;
            failures = failuresWhileAway;
            awaySince = null;
            failuresWhileAway = 0;
        }
        if (since == null) {
            LOG.debug("A JMS consumer failed, but the broker can be reached: it reconnects by itself");
        } else {
            LOG.info("The broker can be reached again, after {} s away ({} failed reconnections of the JMS consumers"
                     + " meanwhile); the JMS consumers reconnect within {} s",
                    Duration.between(since, clock.instant()).toSeconds(), failures, probeInterval.toSeconds());
        }
    }

    private void away(JMSException consumerFailure, Exception probeFailure) {
        boolean first;
        synchronized (this) {
            first = awaySince == null;
            if (first) {
                awaySince = clock.instant();
                failuresWhileAway = 1;
            }
        }
        if (first) {
            LOG.warn("The broker cannot be reached ({}; {}): the JMS consumers try again every {} s until it is back, the"
                     + " health check 'broker' is DOWN meanwhile; SIP intake, pushes and their first ACR go on without it",
                    consumerFailure.getMessage(), probeFailure.getMessage(), probeInterval.toSeconds());
        }
        try {
            timer.schedule(() -> probe(consumerFailure), probeInterval.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            LOG.debug("The service stops: the broker is no longer watched");
        }
    }
}
