package org.imdp.push;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.Suspendable;
import org.apache.camel.SuspendableService;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.awaitility.Awaitility;
import org.imdp.store.DeferredStore;
import org.imdp.store.PushRequests;
import org.imdp.store.StoreDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code push-requests} consumer over the real store (embedded SQLite): one exchange per push session, the
 * request's end recorded from the route's headers, and a graceful suspension (what Camel's shutdown does first) that
 * lets the running session finish through the route, starts none, and leaves its request due again at once.
 */
class PushRequestConsumerTest extends CamelTestSupport {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dataDir;

    private StoreDatabase database;
    private DeferredStore store;
    private PushRequests requests;
    /** Recipient and contact of each session, in the order they started. */
    private final List<String> sessions = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile boolean hold;

    @Override
    protected CamelContext createCamelContext() throws Exception {
        database = new StoreDatabase("", "", "", Files.createDirectories(dataDir.resolve("store")), 2);
        database.start();
        store = new DeferredStore(database, Duration.ofHours(72), 100, 1000, 3, Clock.systemUTC());
        store.start();
        requests = new PushRequests(store, Clock.systemUTC());
        CamelContext context = super.createCamelContext();
        context.getRegistry().bind("pushRequests", requests);
        return context;
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("push-requests:push?consumers=2&scanPeriod=100&instance=test").routeId("push")
                        .process(this::session);
            }

            private void session(Exchange exchange) throws InterruptedException {
                sessions.add(exchange.getMessage().getHeader(PushRequestConsumer.RECIPIENT, String.class) + " at "
                             + exchange.getMessage().getHeader(PushRequestConsumer.CONTACT, String.class));
                if (hold) {
                    release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                }
            }
        };
    }

    @AfterEach
    void stopStore() {
        context.stop();
        store.stop();
        database.stop();
    }

    @Test
    void a_request_becomes_one_session_with_its_contact_and_is_gone_after_it() throws Exception {
        requests.request("sip:ann@example.com", "sip:ann@192.0.2.1:5060");

        Awaitility.await().atMost(WAIT).until(() -> requests.count() == 0);
        assertThat(sessions).containsExactly("sip:ann@example.com at sip:ann@192.0.2.1:5060");
    }

    @Test
    void requests_made_during_a_session_merge_into_one_more_session_to_the_newest_contact() throws Exception {
        hold = true;
        requests.request("sip:ann@example.com", "sip:ann@192.0.2.1:5060");
        Awaitility.await().atMost(WAIT).until(() -> sessions.size() == 1);

        requests.request("sip:ann@example.com", "sip:ann@192.0.2.2:5060");
        requests.request("sip:ann@example.com", "sip:ann@192.0.2.3:5060");
        release.countDown();

        Awaitility.await().atMost(WAIT).until(() -> requests.count() == 0);
        assertThat(sessions).containsExactly("sip:ann@example.com at sip:ann@192.0.2.1:5060",
                "sip:ann@example.com at sip:ann@192.0.2.3:5060");
    }

    @Test
    void suspended_it_lets_the_running_session_finish_starts_none_and_leaves_its_request_due_again() throws Exception {
        hold = true;
        requests.request("sip:ann@example.com", "sip:ann@192.0.2.1:5060");
        Awaitility.await().atMost(WAIT).until(() -> sessions.size() == 1);

        // as Camel's graceful shutdown does first: suspend, then wait for the exchange in flight
        CompletableFuture<Void> suspended = CompletableFuture.runAsync(() -> {
            try {
                context.getRouteController().suspendRoute("push");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // the consumer is suspended first; the session in flight is then waited for
        Awaitility.await().atMost(WAIT).until(() -> ((Suspendable & SuspendableService) context.getRoute("push").getConsumer())
                .isSuspended());
        requests.request("sip:bob@example.com", "sip:bob@192.0.2.9:5060");
        release.countDown();
        suspended.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(sessions).as("no session started while suspended").hasSize(1);
        assertThat(requests.count()).as("ann due again, bob waiting").isEqualTo(2);
        context.getRouteController().resumeRoute("push");
        Awaitility.await().atMost(WAIT).until(() -> requests.count() == 0);
        assertThat(sessions).hasSize(3).containsOnlyOnce("sip:bob@example.com at sip:bob@192.0.2.9:5060")
                .filteredOn(s -> s.startsWith("sip:ann@")).hasSize(2);
    }
}
