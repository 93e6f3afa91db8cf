package org.imdp.routes;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.imdp.test.ServiceMainTestSupport;
import org.imdp.charging.ChargingEvent;
import org.imdp.sipmsrp.PushMessage;
import org.imdp.sipmsrp.PushSessionResult;
import org.imdp.sipmsrp.PushSessionResult.MessageOutcome;
import org.imdp.sipmsrp.SipMsrpConstants;
import org.imdp.store.DeferredStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real {@code routes/*.xml} and {@code config/application.properties} with the real embedded broker
 * and store. The SIP consumers are fed through {@code direct:} endpoints and {@code sipmsrp:push} plays
 * back a client's answers, so that each test pins one route behaviour; the protocols themselves are
 * exercised end to end in the *IT tests.
 */
class RoutesTest extends ServiceMainTestSupport {

    /** What the stand-in for the IM Client acknowledges: the first N messages of each push. */
    private volatile int acknowledge = Integer.MAX_VALUE;
    /** The message (by id) the stand-in client never answers: neither it nor what follows it is acknowledged. */
    private volatile String neverAnswered;
    /** The messages (by id) the stand-in client refuses for good with MSRP 415. */
    private volatile java.util.Set<String> refuse = java.util.Set.of();
    private volatile Exception pushFailure;
    private final java.util.concurrent.atomic.AtomicInteger failuresLeft = new java.util.concurrent.atomic.AtomicInteger(Integer.MAX_VALUE);
    private final java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
    private final List<List<String>> pushes = new CopyOnWriteArrayList<>();
    /** The contact each push went to, in push order. */
    private final List<String> contacts = new CopyOnWriteArrayList<>();
    private String lastWarning;
    private final java.util.concurrent.atomic.AtomicInteger sipRequests = new java.util.concurrent.atomic.AtomicInteger();
    /** The recipient whose client hangs in every push until {@link #deadContactReleased} opens. */
    private volatile String deadRecipient;
    private final java.util.concurrent.CountDownLatch deadContactReleased = new java.util.concurrent.CountDownLatch(1);
    /** How long the stand-in client takes per push, and how many pushes it serves at once at most. */
    private volatile long clientMillis;
    private final java.util.concurrent.atomic.AtomicInteger inPush = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger mostInPush = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        // called from the super constructor, before this class's fields exist: a fresh journal per test
        Properties p = serviceProperties("routes-test");
        p.put("imdp.store.max-per-recipient", "3");
        // the other tests' short texts fit in one session; BACKLOG_TEXT does not, two at a time
        p.put("imdp.push.max-session-bytes", "1024");
        p.put("imdp.push.retry-delay", "300ms");
        // few consumers, so that one held by a dead contact is a large share of them
        p.put("imdp.push.consumers", "2");
        return p;
    }

    @Override
    public boolean isUseAdviceWith() {
        return true;
    }

    private void adviseAndStart() throws Exception {
        AdviceWith.adviceWith(context, "intake-sip", a -> a.replaceFromWith("direct:sip-message"));
        AdviceWith.adviceWith(context, "availability-sip", a -> a.replaceFromWith("direct:sip-register"));
        AdviceWith.adviceWith(context, "push", a -> {
            a.weaveByToUri("sipmsrp:push*").replace().process(this::playClient);
            a.weaveByToUri("sipmsrp:bye*").replace().to("mock:bye");
        });
        withoutChargingEnabler();
        // what reaches the IMDN step from the refused queue (routes/imdn.xml, tested in ImdnRoutesTest)
        AdviceWith.adviceWith(context, "imdn-refused", a -> a.weaveAddFirst().to("mock:refused"));
        context.start();
    }

    /** Plays the IM Client's side of a push: acknowledges the first {@link #acknowledge} messages. */
    @SuppressWarnings("unchecked")
    private void playClient(Exchange exchange) throws Exception {
        attempts.incrementAndGet();
        if (pushFailure != null && failuresLeft.getAndDecrement() > 0) {
            throw pushFailure;
        }
        List<PushMessage> messages = exchange.getMessage().getBody(List.class);
        if (exchange.getMessage().getHeader(SipMsrpConstants.RECIPIENT, String.class).equals(deadRecipient)) {
            deadContactReleased.await(60, TimeUnit.SECONDS);
        }
        mostInPush.accumulateAndGet(inPush.incrementAndGet(), Math::max);
        try {
            Thread.sleep(clientMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inPush.decrementAndGet();
        }
        pushes.add(messages.stream().map(PushMessage::messageId).toList());
        contacts.add(exchange.getMessage().getHeader(SipMsrpConstants.CONTACT, String.class));
        Instant now = Instant.now();
        List<MessageOutcome> outcomes = new java.util.ArrayList<>();
        Map<String, String> refusals = new java.util.LinkedHashMap<>();
        String failureReason = null;
        int answered = messages.stream().map(PushMessage::messageId).toList().indexOf(neverAnswered);
        int acknowledged = Math.min(acknowledge, answered < 0 ? Integer.MAX_VALUE : answered);
        for (int i = 0; i < messages.size(); i++) {
            PushMessage m = messages.get(i);
            boolean refused = refuse.contains(m.messageId());
            outcomes.add(new MessageOutcome(m.messageId(), refused ? 415 : i < acknowledged ? 200 : 408));
            if (refused) {
                refusals.put(m.messageId(), "MSRP 415 Unsupported media type");
            } else if (i >= acknowledged && failureReason == null) {
                failureReason = "no answer to the SEND of " + m.messageId();
            }
        }
        exchange.getMessage().setHeader(SipMsrpConstants.PUSH_RESULT, new PushSessionResult(
                exchange.getMessage().getHeader(SipMsrpConstants.RECIPIENT, String.class),
                exchange.getMessage().getHeader(SipMsrpConstants.CONTACT, String.class),
                "call-" + pushes.size(), now, now, now, outcomes, failureReason, now, now, refusals));
    }

    private void intake(String recipient, String id, String text) {
        template.sendBodyAndHeaders("jms:queue:im.deferred.intake", text.getBytes(StandardCharsets.UTF_8), Map.of(
                DeferredStore.PROP_RECIPIENT, recipient,
                DeferredStore.PROP_SENDER, "sip:alice@example.com",
                DeferredStore.PROP_CONTENT_TYPE, "text/plain",
                DeferredStore.PROP_MESSAGE_ID, id));
    }

    private void available(String recipient) {
        available(recipient, "sip:" + recipient.substring(4) + ";transport=tcp");
    }

    private void available(String recipient, String contact) {
        template.sendBodyAndHeaders("jms:queue:im.availability", "", Map.of("imdpRecipient", recipient, "imdpContact", contact));
    }

    /** 500 octets: two fit in the test's imdp.push.max-session-bytes (1024), three do not. */
    private static final String BACKLOG_TEXT = "x".repeat(500);

    /** Stores 3 messages of {@link #BACKLOG_TEXT}, ids prefix + 1..3. */
    private void storeBacklog(String recipient, String prefix) {
        NotifyBuilder stored = new NotifyBuilder(context).fromRoute("intake-jms").whenDone(3).create();
        for (int i = 1; i <= 3; i++) {
            intake(recipient, prefix + i, BACKLOG_TEXT);
        }
        assertThat(stored.matches(20, TimeUnit.SECONDS)).isTrue();
    }

    private long stored(String recipient) throws Exception {
        return context.getRegistry().lookupByNameAndType("deferredStore", DeferredStore.class).count(recipient);
    }

    @Test
    void jms_intake_stores_and_waits_for_an_unregistered_recipient() throws Exception {
        adviseAndStart();
        NotifyBuilder stored = new NotifyBuilder(context).fromRoute("intake-jms").whenDone(2).create();

        intake("sip:bob@example.com", "b1", "one");
        intake("sip:bob@example.com", "b2", "two");

        assertThat(stored.matches(20, TimeUnit.SECONDS)).isTrue();
        assertThat(stored("sip:bob@example.com")).isEqualTo(2);
        assertThat(pushes).isEmpty();
    }

    @Test
    void availability_pushes_in_order_and_settles_only_what_was_acknowledged() throws Exception {
        adviseAndStart();
        MockEndpoint ch1 = getMockEndpoint("mock:ch1");
        ch1.expectedMessageCount(1);
        NotifyBuilder stored = new NotifyBuilder(context).fromRoute("intake-jms").whenDone(3).create();
        intake("sip:carol@example.com", "c1", "one");
        intake("sip:carol@example.com", "c2", "two");
        intake("sip:carol@example.com", "c3", "three");
        assertThat(stored.matches(20, TimeUnit.SECONDS)).isTrue();

        acknowledge = 2;
        // the settle comes before the BYE (the acknowledged messages are gone when it goes out)
        MockEndpoint bye = getMockEndpoint("mock:bye");
        bye.expectedMessageCount(1);
        AtomicLong storedAtBye = new AtomicLong(-1);
        bye.whenAnyExchangeReceived(e -> storedAtBye.set(stored("sip:carol@example.com")));
        NotifyBuilder settled = new NotifyBuilder(context).fromRoute("push").whenDone(1).create();
        available("sip:carol@example.com");

        assertThat(settled.matches(20, TimeUnit.SECONDS)).isTrue();
        assertThat(pushes).containsExactly(List.of("c1", "c2", "c3"));
        assertThat(stored("sip:carol@example.com")).isEqualTo(1);
        bye.assertIsSatisfied(20_000);
        assertThat(storedAtBye).hasValue(1);
        ch1.assertIsSatisfied(20_000);
        ChargingEvent event = ch1.getReceivedExchanges().get(0).getMessage().getBody(ChargingEvent.class);
        assertThat(event.recipient()).isEqualTo("sip:carol@example.com");
        assertThat(event.messagesSent()).isEqualTo(3);
        assertThat(event.messagesAcknowledged()).isEqualTo(2);
        assertThat(event.senders()).containsExactly("sip:alice@example.com");
    }

    @Test
    void a_message_refused_for_good_leaves_the_store_for_the_refused_queue_and_is_not_charged() throws Exception {
        adviseAndStart();
        MockEndpoint ch1 = getMockEndpoint("mock:ch1");
        ch1.expectedMessageCount(1);
        NotifyBuilder stored = new NotifyBuilder(context).fromRoute("intake-jms").whenDone(3).create();
        intake("sip:jane@example.com", "j1", "one");
        intake("sip:jane@example.com", "j2", "refused");
        intake("sip:jane@example.com", "j3", "three");
        assertThat(stored.matches(20, TimeUnit.SECONDS)).isTrue();

        refuse = java.util.Set.of("j2");
        NotifyBuilder settled = new NotifyBuilder(context).fromRoute("push").whenDone(1).create();
        available("sip:jane@example.com");

        assertThat(settled.matches(20, TimeUnit.SECONDS)).isTrue();
        assertThat(stored("sip:jane@example.com")).isZero();
        MockEndpoint refusedQueue = getMockEndpoint("mock:refused");
        refusedQueue.expectedMessageCount(1);
        refusedQueue.setAssertPeriod(500);
        refusedQueue.assertIsSatisfied(20_000);
        Exchange refused = refusedQueue.getReceivedExchanges().get(0);
        assertThat(refused.getMessage().getBody(String.class)).isEqualTo("refused");
        assertThat(refused.getMessage().getHeaders()).containsEntry(DeferredStore.PROP_REFUSAL, "MSRP 415 Unsupported media type")
                .containsEntry(DeferredStore.PROP_MESSAGE_ID, "j2")
                .containsEntry(DeferredStore.PROP_RECIPIENT, "sip:jane@example.com")
                .containsEntry(DeferredStore.PROP_SENDER, "sip:alice@example.com")
                .containsEntry(DeferredStore.PROP_CONTENT_TYPE, "text/plain")
                .containsKey(DeferredStore.PROP_DATE_TIME);
        ch1.assertIsSatisfied(20_000);
        ChargingEvent event = ch1.getReceivedExchanges().get(0).getMessage().getBody(ChargingEvent.class);
        assertThat(event.messagesAcknowledged()).isEqualTo(2);
        assertThat(event.messages()).filteredOn(ChargingEvent.Message::acknowledged)
                .extracting(ChargingEvent.Message::messageId).containsExactly("j1", "j3");
    }

    @Test
    void a_failed_push_leaves_every_message_stored_and_charges_nothing() throws Exception {
        adviseAndStart();
        getMockEndpoint("mock:ch1").expectedMessageCount(0);
        NotifyBuilder stored = new NotifyBuilder(context).fromRoute("intake-jms").whenDone(2).create();
        intake("sip:dave@example.com", "d1", "one");
        intake("sip:dave@example.com", "d2", "two");
        assertThat(stored.matches(20, TimeUnit.SECONDS)).isTrue();

        pushFailure = new IllegalStateException("INVITE rejected: 486 Busy Here");
        NotifyBuilder pushed = new NotifyBuilder(context).fromRoute("push").whenDone(1).create();
        available("sip:dave@example.com");

        assertThat(pushed.matches(20, TimeUnit.SECONDS)).isTrue();
        assertThat(stored("sip:dave@example.com")).isEqualTo(2);
        MockEndpoint.assertIsSatisfied(context);
    }

    @Test
    void a_failure_that_is_not_the_clients_decision_is_retried_and_then_delivers() throws Exception {
        adviseAndStart();
        NotifyBuilder stored = new NotifyBuilder(context).fromRoute("intake-jms").whenDone(2).create();
        intake("sip:ivy@example.com", "i1", "one");
        intake("sip:ivy@example.com", "i2", "two");
        assertThat(stored.matches(20, TimeUnit.SECONDS)).isTrue();

        pushFailure = new org.imdp.sipmsrp.SipMsrpPushException("sip:ivy@example.com", 503, "Service Unavailable");
        failuresLeft.set(1);
        NotifyBuilder failedThenRetried = new NotifyBuilder(context).fromRoute("push").whenDone(2).create();
        available("sip:ivy@example.com");

        assertThat(failedThenRetried.matches(20, TimeUnit.SECONDS)).isTrue();
        assertThat(attempts.get()).isEqualTo(2);
        assertThat(pushes).containsExactly(List.of("i1", "i2"));
        assertThat(stored("sip:ivy@example.com")).isZero();
    }

    @Test
    void a_message_for_a_registered_recipient_is_pushed_at_once() throws Exception {
        adviseAndStart();
        available("sip:erin@example.com");
        intake("sip:erin@example.com", "e1", "hello");

        // the REGISTER's push may have found nothing yet, or merged with the MESSAGE's request: one session carries e1
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(pushes).containsExactly(List.of("e1")));
        assertThat(stored("sip:erin@example.com")).isZero();
    }

    @Test
    void a_push_consumer_takes_the_next_recipient_while_the_charging_of_its_last_session_waits() throws Exception {
        // every session's charging waits until the test lets it go (a Charging Enabler that is slow to answer)
        java.util.concurrent.CountDownLatch chargingReleased = new java.util.concurrent.CountDownLatch(1);
        AdviceWith.adviceWith(context, "charge", a -> a.weaveAddFirst()
                .process(e -> chargingReleased.await(60, TimeUnit.SECONDS)));
        adviseAndStart();
        NotifyBuilder charged = new NotifyBuilder(context).fromRoute("charge-after-bye").whenDone(3).create();
        MockEndpoint ch1 = getMockEndpoint("mock:ch1");
        ch1.expectedMessageCount(3);

        // three recipients, two push consumers: the third session needs a consumer whose last session is still charging
        for (String name : List.of("nia", "oda", "pia")) {
            intake("sip:" + name + "@example.com", name + "1", "hello " + name);
        }
        for (String name : List.of("nia", "oda", "pia")) {
            available("sip:" + name + "@example.com");
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(pushes).containsExactlyInAnyOrder(List.of("nia1"), List.of("oda1"),
                        List.of("pia1")));
        assertThat(ch1.getReceivedCounter()).as("no session charged yet").isZero();

        chargingReleased.countDown();
        assertThat(charged.matches(20, TimeUnit.SECONDS)).isTrue();
        ch1.assertIsSatisfied(20_000);
    }

    @Test
    void a_recipient_never_has_two_push_sessions_at_once() throws Exception {
        adviseAndStart();
        clientMillis = 1500;
        NotifyBuilder stored = new NotifyBuilder(context).fromRoute("intake-jms").whenDone(2).create();
        intake("sip:hugo@example.com", "h1", "one");
        intake("sip:hugo@example.com", "h2", "two");
        assertThat(stored.matches(20, TimeUnit.SECONDS)).isTrue();

        NotifyBuilder twoPushes = new NotifyBuilder(context).fromRoute("push").whenDone(2).create();
        available("sip:hugo@example.com");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> inPush.get() == 1);
        // arrives while hugo's session runs, and hugo is registered: a second push is requested at once
        intake("sip:hugo@example.com", "h3", "three");

        assertThat(twoPushes.matches(30, TimeUnit.SECONDS)).isTrue();
        assertThat(pushes).containsExactly(List.of("h1", "h2"), List.of("h3"));
        assertThat(mostInPush.get()).as("push sessions of one recipient at the same time").isEqualTo(1);
    }

    @Test
    void a_backlog_over_the_session_budget_goes_out_in_consecutive_sessions_each_charged() throws Exception {
        adviseAndStart();
        MockEndpoint ch1 = getMockEndpoint("mock:ch1");
        ch1.expectedMessageCount(2);
        storeBacklog("sip:kim@example.com", "k");

        NotifyBuilder twoSessions = new NotifyBuilder(context).fromRoute("push").whenDone(2).create();
        available("sip:kim@example.com");

        assertThat(twoSessions.matches(20, TimeUnit.SECONDS)).isTrue();
        assertThat(pushes).containsExactly(List.of("k1", "k2"), List.of("k3"));
        assertThat(contacts).containsExactly("sip:kim@example.com;transport=tcp", "sip:kim@example.com;transport=tcp");
        assertThat(stored("sip:kim@example.com")).isZero();
        ch1.assertIsSatisfied(20_000);
        // one charging event per session (the charging route may record them in either order)
        assertThat(ch1.getReceivedExchanges()).extracting(e -> e.getMessage().getBody(ChargingEvent.class).messages()
                .stream().map(ChargingEvent.Message::messageId).toList())
                .containsExactlyInAnyOrder(List.of("k1", "k2"), List.of("k3"));
    }

    @Test
    void a_session_that_did_not_deliver_all_it_carried_is_not_followed_by_the_next() throws Exception {
        adviseAndStart();
        storeBacklog("sip:lea@example.com", "l");
        acknowledge = 1;
        NotifyBuilder first = new NotifyBuilder(context).fromRoute("push").whenDone(1).create();
        NotifyBuilder second = new NotifyBuilder(context).fromRoute("push").whenDone(2).create();
        available("sip:lea@example.com");
        assertThat(first.matches(20, TimeUnit.SECONDS)).isTrue();

        // one recipient's push requests are served in order: a push that the first one had chained would come
        // before this one, to the first contact
        acknowledge = Integer.MAX_VALUE;
        available("sip:lea@example.com", "sip:lea@192.0.2.7;transport=tcp");

        assertThat(second.matches(20, TimeUnit.SECONDS)).isTrue();
        assertThat(contacts).containsExactly("sip:lea@example.com;transport=tcp", "sip:lea@192.0.2.7;transport=tcp");
        assertThat(pushes).containsExactly(List.of("l1", "l2"), List.of("l2", "l3"));
        assertThat(stored("sip:lea@example.com")).isZero();
    }

    @Test
    void a_message_three_sessions_in_a_row_stopped_at_is_refused_for_good_and_the_next_one_flows() throws Exception {
        adviseAndStart();
        MockEndpoint refused = getMockEndpoint("mock:refused");
        refused.expectedMessageCount(1);
        refused.expectedHeaderReceived(DeferredStore.PROP_MESSAGE_ID, "n2");
        NotifyBuilder stored = new NotifyBuilder(context).fromRoute("intake-jms").whenDone(3).create();
        intake("sip:nia@example.com", "n1", "one");
        intake("sip:nia@example.com", "n2", "no path carries this one");
        intake("sip:nia@example.com", "n3", "three");
        assertThat(stored.matches(20, TimeUnit.SECONDS)).isTrue();

        // the client acknowledges what comes before n2, and n2 never gets an answer
        neverAnswered = "n2";
        for (int session = 1; session <= 3; session++) {
            NotifyBuilder pushed = new NotifyBuilder(context).fromRoute("push").whenDone(1).create();
            available("sip:nia@example.com");
            assertThat(pushed.matches(20, TimeUnit.SECONDS)).isTrue();
        }

        refused.assertIsSatisfied(20_000);
        assertThat(refused.getReceivedExchanges().get(0).getMessage().getHeader(DeferredStore.PROP_REFUSAL, String.class))
                .startsWith("not delivered in 3 sessions in a row: no answer to the SEND of n2");
        assertThat(pushes).containsExactly(List.of("n1", "n2", "n3"), List.of("n2", "n3"), List.of("n2", "n3"));

        // the next session carries n3
        available("sip:nia@example.com");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(stored("sip:nia@example.com")).isZero());
        assertThat(pushes.get(pushes.size() - 1)).containsExactly("n3");
    }

    @Test
    void a_dead_contact_holds_one_push_consumer_and_never_the_other_recipients() throws Exception {
        adviseAndStart();
        deadRecipient = "sip:zed@example.com";
        List<String> healthy = java.util.stream.IntStream.rangeClosed(1, 20).mapToObj(i -> "sip:user" + i + "@example.com").toList();
        NotifyBuilder stored = new NotifyBuilder(context).fromRoute("intake-jms").whenDone(21).create();
        intake(deadRecipient, "z1", "to a contact that never answers");
        healthy.forEach(r -> intake(r, r + "-1", "hello"));
        assertThat(stored.matches(20, TimeUnit.SECONDS)).isTrue();

        try {
            // the dead contact first, then each healthy one registers twice (two requests, one session)
            available(deadRecipient);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> attempts.get() == 1);
            healthy.forEach(r -> {
                available(r);
                available(r);
            });

            // all of them while zed's session still hangs (2 consumers: zed holds one, the other serves the rest);
            // a push is counted when its session ends, and its settle commits a moment later
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(pushes).hasSize(20);
                for (String r : healthy) {
                    assertThat(stored(r)).as(r).isZero();
                }
            });
            assertThat(deadContactReleased.getCount()).isEqualTo(1);
        } finally {
            deadContactReleased.countDown();
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(stored(deadRecipient)).isZero());
        // each healthy recipient had one session for its two REGISTERs (the second merged or found nothing left)
        assertThat(pushes.stream().filter(p -> !p.isEmpty()).count()).isEqualTo(21);
    }

    @Test
    void a_deregistration_withdraws_a_timed_retry() throws Exception {
        adviseAndStart();
        NotifyBuilder stored = new NotifyBuilder(context).fromRoute("intake-jms").whenDone(1).create();
        intake("sip:jo@example.com", "j1", "one");
        assertThat(stored.matches(20, TimeUnit.SECONDS)).isTrue();
        org.imdp.store.PushRequests requests = context.getRegistry().lookupByNameAndType("pushRequests",
                org.imdp.store.PushRequests.class);

        // the client's side asks to be tried again in 10 minutes
        pushFailure = new org.imdp.sipmsrp.SipMsrpPushException("sip:jo@example.com", 503, "Service Unavailable",
                java.time.Duration.ofMinutes(10));
        NotifyBuilder failed = new NotifyBuilder(context).fromRoute("push").whenDone(1).create();
        available("sip:jo@example.com");
        assertThat(failed.matches(20, TimeUnit.SECONDS)).isTrue();
        assertThat(requests.count()).as("the timed retry waits").isEqualTo(1);

        template.request("direct:sip-register", e -> {
            e.getMessage().setHeader(SipMsrpConstants.TO, "sip:jo@example.com");
            e.getMessage().setHeader(SipMsrpConstants.CONTACT, "sip:jo@example.com;transport=tcp");
            e.getMessage().setHeader(SipMsrpConstants.EXPIRES, 0);
        });

        // withdrawn whether the failed session had ended or not
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> requests.count() == 0);
        assertThat(attempts.get()).isEqualTo(1);
        assertThat(stored("sip:jo@example.com")).isEqualTo(1);
    }

    @Test
    void a_bad_jms_intake_message_is_parked_with_its_reason() throws Exception {
        adviseAndStart();
        template.sendBodyAndHeaders("jms:queue:im.deferred.intake", "no recipient", Map.of(
                DeferredStore.PROP_SENDER, "sip:alice@example.com", DeferredStore.PROP_CONTENT_TYPE, "text/plain"));

        Exchange parked = consumer.receive("jms:queue:im.deferred.intake.dlq", 20_000);
        assertThat(parked).isNotNull();
        assertThat(parked.getMessage().getBody(String.class)).isEqualTo("no recipient");
        assertThat(parked.getMessage().getHeader("imdpRejectReason", String.class)).contains(DeferredStore.PROP_RECIPIENT);
    }

    @Test
    void sip_intake_answers_202_once_stored_and_says_why_it_refuses() throws Exception {
        adviseAndStart();
        assertThat(sipMessage("sip:frank@example.com", "text/plain", "one")).isEqualTo(202);
        assertThat(sipMessage("sip:frank@example.com", "text/plain", "two")).isEqualTo(202);
        assertThat(sipMessage("sip:frank@example.com", "text/plain", "three")).isEqualTo(202);
        assertThat(sipMessage("sip:frank@example.com", "text/plain", "over quota")).isEqualTo(486);
        assertThat(lastWarning).contains("imdp.store.max-per-recipient");
        assertThat(sipMessage("sip:frank@example.com", "text/plain", "")).isEqualTo(400);
        assertThat(sipMessage("mailto:frank@example.com", "text/plain", "bad recipient")).isEqualTo(400);
        assertThat(stored("sip:frank@example.com")).isEqualTo(3);
    }

    /**
     * Issue 10: a value the push cannot put into its CPIM wrapper (U+0085 in the sender's inner Content-Type) is
     * refused at the intake, over SIP with 400 and a Warning saying which field and which character, over JMS to the
     * dead-letter queue with that reason; nothing of it is stored, so it can never stop a push.
     */
    @Test
    void a_value_the_push_cannot_wrap_is_refused_at_the_intake_and_not_stored() throws Exception {
        adviseAndStart();
        String cpim = "From: <sip:alice@example.com>\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: nel1\r\n"
                      + "DateTime: 2026-11-26T09:00:00Z\r\n\r\nContent-Type: text/plain\u0085\r\n\r\nHello";

        assertThat(sipMessage("sip:nell@example.com", "message/cpim", cpim)).isEqualTo(400);
        assertThat(lastWarning).contains("CPIM Content-Type", "U+0085").doesNotContain("\u0085");

        template.sendBodyAndHeaders("jms:queue:im.deferred.intake", cpim.getBytes(StandardCharsets.UTF_8), Map.of(
                DeferredStore.PROP_RECIPIENT, "sip:nell@example.com", DeferredStore.PROP_SENDER, "sip:alice@example.com",
                DeferredStore.PROP_CONTENT_TYPE, "message/cpim"));
        Exchange parked = consumer.receive("jms:queue:im.deferred.intake.dlq", 20_000);
        assertThat(parked).isNotNull();
        assertThat(parked.getMessage().getHeader("imdpRejectReason", String.class)).contains("CPIM Content-Type", "U+0085");
        assertThat(stored("sip:nell@example.com")).isZero();
    }

    @Test
    void a_register_is_answered_200_and_expires_0_ends_it() throws Exception {
        adviseAndStart();
        Exchange ok = template.request("direct:sip-register", e -> {
            e.getMessage().setHeader(SipMsrpConstants.TO, "sip:gina@example.com");
            e.getMessage().setHeader(SipMsrpConstants.CONTACT, "sip:gina@127.0.0.1:5099");
            e.getMessage().setHeader(SipMsrpConstants.EXPIRES, 600);
            // imdp.sip.require-im-feature-tag is false by default: a Contact without the tag registers too
            e.getMessage().setHeader(SipMsrpConstants.IM_FEATURE_TAG, false);
        });
        assertThat(ok.getMessage().getHeader(SipMsrpConstants.RESPONSE_CODE, Integer.class)).isEqualTo(200);
        org.imdp.registration.Registrations registrations =
                context.getRegistry().lookupByNameAndType("registrations", org.imdp.registration.Registrations.class);
        assertThat(registrations.contactOf("sip:gina@example.com")).isEqualTo("sip:gina@127.0.0.1:5099");

        template.request("direct:sip-register", e -> {
            e.getMessage().setHeader(SipMsrpConstants.TO, "sip:gina@example.com");
            e.getMessage().setHeader(SipMsrpConstants.CONTACT, "sip:gina@127.0.0.1:5099");
            e.getMessage().setHeader(SipMsrpConstants.EXPIRES, 0);
        });
        assertThat(registrations.isRegistered("sip:gina@example.com")).isFalse();
    }

    private int sipMessage(String requestUri, String contentType, String text) {
        Exchange answered = template.request("direct:sip-message", e -> {
            e.getMessage().setHeader(SipMsrpConstants.METHOD, "MESSAGE");
            e.getMessage().setHeader(SipMsrpConstants.REQUEST_URI, requestUri);
            e.getMessage().setHeader(SipMsrpConstants.FROM, "sip:alice@example.com");
            // a new transaction each: a copy of one would be stored once
            e.getMessage().setHeader(SipMsrpConstants.CALL_ID, "routes-test-" + sipRequests.incrementAndGet());
            e.getMessage().setHeader(SipMsrpConstants.CSEQ, 1L);
            e.getMessage().setHeader(SipMsrpConstants.CONTENT_TYPE, contentType);
            e.getMessage().setBody(text.getBytes(StandardCharsets.UTF_8));
        });
        lastWarning = answered.getMessage().getHeader(SipMsrpConstants.WARNING, String.class);
        return answered.getMessage().getHeader(SipMsrpConstants.RESPONSE_CODE, Integer.class);
    }
}
