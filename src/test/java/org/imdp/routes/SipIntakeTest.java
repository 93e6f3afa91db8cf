package org.imdp.routes;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sip.header.RetryAfterHeader;
import javax.sip.header.WarningHeader;
import javax.sip.message.Response;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.awaitility.Awaitility;
import org.imdp.sipmsrp.SipMsrpEndpoint;
import org.imdp.sipmsrp.SipTestClient;
import org.imdp.sipmsrp.RawSipClient;
import org.imdp.sipmsrp.sip.SipAgent;
import org.imdp.store.DeferredStore;
import org.imdp.test.ServiceMainTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The intake of issue 10 through the real routes, store and broker, with a real SIP client on the service's SIP port:
 * overload is answered 503 with Retry-After and never holds a SIP stack thread; a copy of a message (a SIP
 * retransmission, a JMS redelivery after a rollback) is stored once, and a sender's id is the sender's only.
 */
class SipIntakeTest extends ServiceMainTestSupport {

    private static final String ALICE = "sip:alice@example.com";
    private static final String CAROL = "sip:carol@example.com";
    private static final String BOB = "sip:bob@example.com";
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** While set, the intake-sip route waits on it before it stores: a store that does not answer. */
    private volatile CountDownLatch storeHeld;
    /** Exchanges that entered the intake-sip route, and the threads they ran on. */
    private final AtomicInteger routed = new AtomicInteger();
    private final List<String> routeThreads = new CopyOnWriteArrayList<>();
    /** While set, the intake-jms route fails after the store, once per JMS message (before its redelivery). */
    private volatile boolean failAfterStore;
    private final AtomicInteger failedAfterStore = new AtomicInteger();
    private SipTestClient client;
    /** The test's senders: one thread per request that waits for its answer. */
    private final ExecutorService senders = Executors.newFixedThreadPool(3);

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        Properties p = serviceProperties("sip-intake-test");
        // one worker and one waiting request: the third request at once is overload
        p.put("imdp.sip.workers", "1");
        p.put("imdp.sip.worker-queue", "1");
        p.put("imdp.sip.overload-retry-after", "7s");
        return p;
    }

    @Override
    public boolean isUseAdviceWith() {
        return true;
    }

    private void adviseAndStart() throws Exception {
        AdviceWith.adviceWith(context, "intake-sip", a -> a.weaveAddFirst().process(e -> {
            routeThreads.add(Thread.currentThread().getName());
            routed.incrementAndGet();
            CountDownLatch held = storeHeld;
            if (held != null) {
                held.await(60, TimeUnit.SECONDS);
            }
        }));
        AdviceWith.adviceWith(context, "intake-jms", a -> a.weaveAddLast().process(e -> {
            if (failAfterStore && !e.getMessage().getHeader("JMSRedelivered", false, Boolean.class)) {
                failedAfterStore.incrementAndGet();
                throw new IllegalStateException("the broker lost the session after the store committed");
            }
        }));
        context.start();
        client = SipTestClient.start("127.0.0.1", sipPort());
    }

    @AfterEach
    void closeClient() {
        CountDownLatch held = storeHeld;
        if (held != null) {
            held.countDown();
        }
        senders.shutdownNow();
        if (client != null) {
            client.close();
        }
    }

    private long stored(String recipient) throws Exception {
        return context.getRegistry().lookupByNameAndType("deferredStore", DeferredStore.class).count(recipient);
    }

    private CompletableFuture<Response> sendAsync(String from, String text) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return client.send(client.newMessage(from, BOB, "text/plain", text.getBytes(StandardCharsets.UTF_8)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, senders);
    }

    /**
     * Issue 10: Camel's default pool ran the intake on JAIN-SIP's threads once it was full (7 of 8 were found blocked
     * in the store) and the 503 branch never ran. With the one worker held in the store and the one queue place
     * taken, the next MESSAGE is answered 503 with the configured Retry-After at once, while the first is still held:
     * the stack's thread only handed requests over. It is counted on the endpoint (JMX) and in Micrometer. REGISTERs
     * have a pool of their own and are still answered. Once the store answers, both accepted MESSAGEs are stored.
     */
    @Test
    void a_full_intake_answers_503_with_retry_after_at_once_and_never_holds_a_sip_thread() throws Exception {
        adviseAndStart();
        storeHeld = new CountDownLatch(1);

        CompletableFuture<Response> first = sendAsync(ALICE, "one");
        Awaitility.await().atMost(WAIT).until(() -> routed.get() == 1);
        // the second waits for the worker, the third finds no place: which of the two comes first is the network's
        CompletableFuture<Response> second = sendAsync(ALICE, "two");
        CompletableFuture<Response> third = sendAsync(ALICE, "three");
        CompletableFuture.anyOf(second, third).get(WAIT.toSeconds(), TimeUnit.SECONDS);

        Response refused = second.isDone() ? second.get() : third.get();
        CompletableFuture<Response> waiting = second.isDone() ? third : second;
        assertThat(refused.getStatusCode()).isEqualTo(Response.SERVICE_UNAVAILABLE);
        assertThat(((RetryAfterHeader) refused.getHeader(RetryAfterHeader.NAME)).getRetryAfter()).isEqualTo(7);
        assertThat(first).isNotDone();
        assertThat(waiting).isNotDone();
        assertThat(routed.get()).as("requests routed while the store is held").isEqualTo(1);

        SipMsrpEndpoint endpoint = context.getEndpoint("sipmsrp:message", SipMsrpEndpoint.class);
        assertThat(endpoint.getRequestsOverloaded()).isEqualTo(1);
        MeterRegistry meters = context.getRegistry().findSingleByType(MeterRegistry.class);
        assertThat(meters.get("imdp.sip.requests.overloaded").tag("method", "MESSAGE").functionCounter().count())
                .isEqualTo(1.0);
        assertThat(meters.get("imdp.sip.requests.overloaded").tag("method", "REGISTER").functionCounter().count())
                .isZero();

        assertThat(client.register("sip:dave@example.com", 600).getStatusCode()).isEqualTo(Response.OK);

        storeHeld.countDown();
        assertThat(first.get(WAIT.toSeconds(), TimeUnit.SECONDS).getStatusCode()).isEqualTo(Response.ACCEPTED);
        assertThat(waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS).getStatusCode()).isEqualTo(Response.ACCEPTED);
        assertThat(stored(BOB)).isEqualTo(2);
        assertThat(routeThreads).hasSize(2).allSatisfy(name -> assertThat(name).contains("SipMsrpConsumer[MESSAGE]"));
    }

    /**
     * Issue 10: a MESSAGE without imdn.Message-ID got a random id, so a copy of it that reached the route again was
     * stored twice. Here the copy comes over TCP after the server transaction of the first ended (at once on TCP;
     * after 32 s on UDP; at once on another instance or after a restart): every copy is answered 202 and one is stored.
     */
    @Test
    void a_retransmission_of_a_message_that_reaches_the_route_again_is_stored_once() throws Exception {
        adviseAndStart();
        String tag = SipAgent.newTag();
        String branch = SipAgent.newBranch();

        assertThat(sendOverTcp(tag, branch, "Hello Bob")).startsWith("SIP/2.0 202 ");
        // again until a copy was routed, not answered by a transaction still there
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            assertThat(sendOverTcp(tag, branch, "Hello Bob")).startsWith("SIP/2.0 202 ");
            return routed.get() >= 2;
        });

        assertThat(stored(BOB)).isEqualTo(1);
    }

    /**
     * Issue 10: a message of another sender that reused an imdn.Message-ID already stored for the recipient was
     * answered 202 and dropped. An id is the sender's (RFC 5438): two senders' messages with one id are two messages;
     * a copy of the same message is answered 202 and not stored again; the same sender's id on another content is
     * refused with 400 saying why, and the first message stays.
     */
    @Test
    void a_message_id_is_unique_per_sender_not_across_senders() throws Exception {
        adviseAndStart();

        assertThat(sendCpim(ALICE, "same-id", "from alice").getStatusCode()).isEqualTo(Response.ACCEPTED);
        assertThat(sendCpim(CAROL, "same-id", "from carol").getStatusCode()).isEqualTo(Response.ACCEPTED);
        assertThat(sendCpim(ALICE, "same-id", "from alice").getStatusCode()).isEqualTo(Response.ACCEPTED);
        Response reused = sendCpim(ALICE, "same-id", "something else");

        assertThat(reused.getStatusCode()).isEqualTo(Response.BAD_REQUEST);
        assertThat(((WarningHeader) reused.getHeader(WarningHeader.NAME)).getText())
                .contains("message id same-id of " + ALICE + " is already stored");
        assertThat(stored(BOB)).isEqualTo(2);
    }

    /**
     * Issue 10: the JMS intake stores outside its JMS transaction, so a rollback after the store's commit delivers the
     * message again. Without imdpMessageId it got a random id and was stored twice; its id now comes from the JMS
     * message id, which the redelivery keeps, and it is stored once.
     */
    @Test
    void a_jms_intake_redelivered_after_a_rollback_is_stored_once() throws Exception {
        adviseAndStart();
        failAfterStore = true;
        NotifyBuilder delivered = new NotifyBuilder(context).fromRoute("intake-jms").whenCompleted(1).create();

        template.sendBodyAndHeaders("jms:queue:im.deferred.intake", "Hello Bob".getBytes(StandardCharsets.UTF_8), Map.of(
                DeferredStore.PROP_RECIPIENT, BOB, DeferredStore.PROP_SENDER, ALICE,
                DeferredStore.PROP_CONTENT_TYPE, "text/plain"));

        assertThat(delivered.matches(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(failedAfterStore.get()).as("deliveries rolled back after the store").isEqualTo(1);
        assertThat(stored(BOB)).isEqualTo(1);
    }

    private Response sendCpim(String from, String messageId, String text) throws Exception {
        String cpim = "From: <" + from + ">\r\nTo: <" + BOB + ">\r\nNS: imdn <urn:ietf:params:imdn>\r\n"
                      + "imdn.Message-ID: " + messageId + "\r\nDateTime: 2026-12-01T10:00:00Z\r\n\r\n"
                      + "Content-Type: text/plain\r\n\r\n" + text;
        return client.send(client.newMessage(from, BOB, "message/cpim", cpim.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * One MESSAGE from alice to bob over a new TCP connection, with the given From tag and Via branch (the same for
     * every copy: Call-ID and CSeq are fixed too); returns the status line of the final response.
     */
    private String sendOverTcp(String tag, String branch, String body) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", sipPort())) {
            socket.setSoTimeout((int) WAIT.toMillis());
            return RawSipClient.message(socket, "TCP", ALICE, BOB, tag, branch, body);
        }
    }
}
