package org.imdp.push;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.Suspendable;
import org.apache.camel.support.DefaultConsumer;
import org.imdp.store.PushRequests;
import org.imdp.store.PushRequests.Claim;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one exchange per claimed push request, on {@code consumers} threads. A dispatcher thread claims due requests
 * as threads fall free: at once when this instance recorded a request, otherwise every scan period (timed retries,
 * other instances' requests), and renews the leases of the running sessions at that pace.
 * <p>
 * In: {@link #RECIPIENT}, {@link #CONTACT}, {@link #RETRIES}. Out: {@link #DUE_AT} absent or negative when the
 * recipient is done, else the epoch milliseconds when it is due again (0: now), with {@link #RETRIES} as it should
 * count then. An exchange that fails is tried again after the lease time.
 */
final class PushRequestConsumer extends DefaultConsumer implements Suspendable {

    /** The recipient to push to (canonical URI). */
    static final String RECIPIENT = "imdpRecipient";
    /** Where to push: the registered contact. */
    static final String CONTACT = "imdpContact";
    /** Timed retries of this push so far (0 the first time). */
    static final String RETRIES = "imdpPushRetries";
    /** Set by the route when the recipient is due again: epoch milliseconds, 0 for now. */
    static final String DUE_AT = "imdpPushDueAt";

    private static final Logger LOG = LoggerFactory.getLogger(PushRequestConsumer.class);

    private final PushRequestEndpoint endpoint;
    private final PushRequests requests;
    private final Semaphore wake = new Semaphore(0);
    private final AtomicInteger running = new AtomicInteger();
    private final Runnable onRequest = this::wake;
    private String owner;
    private ExecutorService sessions;
    private Thread dispatcher;

    PushRequestConsumer(PushRequestEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
        this.requests = endpoint.requests();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        if (sessions == null) {
            owner = endpoint.owner();
            int taken = requests.release(owner);
            if (taken > 0) {
                LOG.info("{} push request(s) leased to {} before it stopped are due again", taken, owner);
            }
            sessions = endpoint.getCamelContext().getExecutorServiceManager()
                    .newFixedThreadPool(this, "PushSession", endpoint.getConsumers());
        }
        // Camel resumes a suspended route by starting its consumer again
        startDispatcher();
    }

    /**
     * Camel's graceful shutdown suspends the consumer first: no session starts any more, while the running ones go on
     * through the route (the shutdown waits for them as in-flight exchanges; the sipmsrp component cuts them short
     * when the CamelContext stops). Only then is it stopped, and the route with it.
     */
    @Override
    protected void doSuspend() throws Exception {
        stopDispatcher();
    }

    @Override
    protected void doResume() throws Exception {
        startDispatcher();
    }

    @Override
    protected void doStop() throws Exception {
        stopDispatcher();
        if (sessions != null) {
            sessions.shutdown();
            sessions = null;
        }
        super.doStop();
    }

    private void startDispatcher() {
        if (dispatcher != null) {
            return;
        }
        requests.onRequest(onRequest);
        dispatcher = new Thread(this::dispatch, "PushRequests");
        dispatcher.setDaemon(true);
        dispatcher.start();
    }

    private void stopDispatcher() throws InterruptedException {
        requests.removeListener(onRequest);
        wake();
        if (dispatcher != null) {
            dispatcher.join(endpoint.getScanPeriod() + 5_000);
            dispatcher = null;
        }
    }

    private void wake() {
        wake.release();
    }

    private void dispatch() {
        long nextRenewal = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(endpoint.getScanPeriod());
        while (isRunAllowed() && !isSuspendingOrSuspended()) {
            int free = endpoint.getConsumers() - running.get();
            List<Claim> claims = List.of();
            try {
                if (free > 0) {
                    claims = requests.claim(owner, free, endpoint.lease());
                    for (Claim claim : claims) {
                        running.incrementAndGet();
                        sessions.execute(() -> session(claim));
                    }
                }
                if (System.nanoTime() - nextRenewal >= 0) {
                    if (running.get() > 0) {
                        requests.renew(owner, endpoint.lease());
                    }
                    nextRenewal = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(endpoint.getScanPeriod());
                }
                if (free == 0 || claims.size() < free) {
                    // nothing more due now, or no thread free: until told, or the next scan
                    if (wake.tryAcquire(endpoint.getScanPeriod(), TimeUnit.MILLISECONDS)) {
                        wake.drainPermits();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                LOG.warn("Push requests could not be read from the store, trying again in {} ms: {}",
                        endpoint.getScanPeriod(), e.toString());
                sleepQuietly(endpoint.getScanPeriod());
            }
        }
    }

    private void session(Claim claim) {
        Exchange exchange = createExchange(false);
        try {
            Message in = exchange.getMessage();
            in.setHeader(RECIPIENT, claim.recipient());
            in.setHeader(CONTACT, claim.contact());
            in.setHeader(RETRIES, claim.retries());
            try {
                getProcessor().process(exchange);
            } catch (Exception e) {
                exchange.setException(e);
            }
            finish(claim, exchange);
        } finally {
            releaseExchange(exchange, false);
            running.decrementAndGet();
            wake();
        }
    }

    private void finish(Claim claim, Exchange exchange) {
        try {
            if (exchange.getException() != null) {
                getExceptionHandler().handleException("Push to " + claim.recipient() + " failed; tried again in "
                        + endpoint.lease().toSeconds() + " s", exchange, exchange.getException());
                requests.againAfter(claim, owner, endpoint.lease(), claim.retries());
                return;
            }
            Long dueAt = exchange.getMessage().getHeader(DUE_AT, Long.class);
            if (dueAt != null && dueAt >= 0) {
                Integer retries = exchange.getMessage().getHeader(RETRIES, Integer.class);
                requests.again(claim, owner, dueAt, retries == null ? 0 : retries);
            } else if (!isRunAllowed() || isSuspendingOrSuspended()) {
                // ended while the consumer is suspended or stopped, maybe cut short by the stop: due again at once,
                // for whoever runs next
                requests.againAfter(claim, owner, Duration.ZERO, claim.retries());
            } else {
                requests.done(claim, owner);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.error("The end of the push to {} could not be recorded; its request is taken again when its lease runs "
                      + "out: {}", claim.recipient(), e.toString());
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
