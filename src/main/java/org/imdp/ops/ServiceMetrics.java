package org.imdp.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToLongFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeFailureHandledEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSendingEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSentEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.imdp.ch1.Ch1Endpoint;
import org.imdp.charging.ChargingEvent;
import org.imdp.sipmsrp.PushSessionResult;
import org.imdp.sipmsrp.SipMsrpConstants;
import org.imdp.sipmsrp.SipMsrpEndpoint;
import org.imdp.sipmsrp.SipMsrpKind;
import org.imdp.store.RejectedMessageException;

/**
 * The service's counters and latency histograms, in Micrometer (scraped by Prometheus at /observe/metrics) and read
 * by the JMX MBeans. Watches the exchanges from outside the routes: a push is what goes to {@code sipmsrp:push},
 * a charging request what goes to a {@code ch1:} endpoint, a refused message a handled
 * {@link RejectedMessageException}. A SIP request refused for overload or for its source (not a trusted node) never
 * becomes an exchange: its count is the {@code sipmsrp} endpoints' own ({@link SipMsrpEndpoint#getRequestsOverloaded()},
 * {@link SipMsrpEndpoint#getRequestsForbidden()}), read at each scrape.
 */
final class ServiceMetrics extends EventNotifierSupport {

    /**
     * Push outcomes: every message acknowledged or refused for good by the client, the session reached BYE with
     * some left for a later push, or no session.
     */
    enum Outcome { DELIVERED, PARTIAL, FAILED }

    private final AtomicInteger activeSessions = new AtomicInteger();
    private final Counter[] sessions = new Counter[Outcome.values().length];
    private final Counter messagesSent;
    private final Counter messagesAcknowledged;
    private final Counter messagesRefused;
    private final Counter charged;
    private final Counter chargingFailed;
    private final Counter[] refused = new Counter[RejectedMessageException.Reason.values().length];
    private final Timer inviteToAnswer;
    private final Timer sendToLastAnswer;
    private final Timer byeToAca;

    ServiceMetrics(MeterRegistry registry, CamelContext context) {
        for (SipMsrpKind kind : new SipMsrpKind[] {SipMsrpKind.MESSAGE, SipMsrpKind.REGISTER}) {
            FunctionCounter.builder("imdp.sip.requests.overloaded", context,
                            c -> consumers(c, kind, SipMsrpEndpoint::getRequestsOverloaded))
                    .tag("method", kind.sipMethod())
                    .description("SIP requests answered 503 with Retry-After without routing: the consumer's workers"
                                 + " busy and its queue full")
                    .register(registry);
            FunctionCounter.builder("imdp.sip.requests.forbidden", context,
                            c -> consumers(c, kind, SipMsrpEndpoint::getRequestsForbidden))
                    .tag("method", kind.sipMethod())
                    .description("SIP requests answered 403 without routing: their source is not a trusted node"
                                 + " (imdp.sip.trusted-nodes)")
                    .register(registry);
        }
        Gauge.builder("imdp.push.sessions.active", activeSessions, AtomicInteger::get)
                .description("Push sessions running now (INVITE sent, BYE not yet)").register(registry);
        for (Outcome o : Outcome.values()) {
            sessions[o.ordinal()] = Counter.builder("imdp.push.sessions").tag("outcome", o.name().toLowerCase(Locale.ROOT))
                    .description("Push sessions finished, by outcome").register(registry);
        }
        messagesSent = Counter.builder("imdp.push.messages.sent").description("Stored messages sent in MSRP SENDs")
                .register(registry);
        messagesAcknowledged = Counter.builder("imdp.push.messages.delivered")
                .description("Stored messages acknowledged with MSRP 200 OK (removed from the store)").register(registry);
        messagesRefused = Counter.builder("imdp.push.messages.refused")
                .description("Stored messages the client refused for good (moved to im.deferred.refused)")
                .register(registry);
        charged = Counter.builder("imdp.charging.requests").tag("result", "answered")
                .description("CH-1 EventRequests, by result").register(registry);
        chargingFailed = Counter.builder("imdp.charging.requests").tag("result", "failed")
                .description("CH-1 EventRequests, by result").register(registry);
        for (RejectedMessageException.Reason r : RejectedMessageException.Reason.values()) {
            refused[r.ordinal()] = Counter.builder("imdp.intake.refused").tag("reason", r.name().toLowerCase(Locale.ROOT))
                    .description("Incoming messages refused (not stored), by reason").register(registry);
        }
        inviteToAnswer = histogram(registry, "imdp.push.invite.answer", "From the push INVITE to its 200 OK");
        sendToLastAnswer = histogram(registry, "imdp.push.msrp",
                "From the first MSRP SEND to the answer to the last one");
        byeToAca = histogram(registry, "imdp.charging.bye.aca", "From the push BYE to the CH-1 answer (ACA)");
        setIgnoreCamelContextEvents(true);
        setIgnoreCamelContextInitEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeCompletedEvent(true);
        setIgnoreExchangeRedeliveryEvents(true);
        setIgnoreExchangeAsyncProcessingStartedEvents(true);
    }

    private static Timer histogram(MeterRegistry registry, String name, String description) {
        return Timer.builder(name).description(description).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
    }

    @Override
    public void notify(CamelEvent event) {
        if (event instanceof ExchangeSendingEvent sending && isPush(sending.getEndpoint())) {
            activeSessions.incrementAndGet();
        } else if (event instanceof ExchangeSentEvent sent && isPush(sent.getEndpoint())) {
            activeSessions.decrementAndGet();
            pushFinished(sent.getExchange());
        } else if (event instanceof ExchangeSentEvent sent && sent.getEndpoint() instanceof Ch1Endpoint) {
            chargingFinished(sent.getExchange());
        } else if (event instanceof ExchangeFailureHandledEvent handled) {
            failureHandled(handled.getExchange());
        }
    }

    private void pushFinished(Exchange exchange) {
        PushSessionResult result = exchange.getMessage().getHeader(SipMsrpConstants.PUSH_RESULT, PushSessionResult.class);
        if (result != null) {
            messagesSent.increment(result.messages().size());
            messagesAcknowledged.increment(result.acknowledgedCount());
            messagesRefused.increment(result.refusedCount());
            record(inviteToAnswer, result.inviteSentAt(), result.answeredAt());
            record(sendToLastAnswer, result.firstSendAt(), result.lastAnswerAt());
        }
        Outcome outcome = exchange.getException() != null || result == null ? Outcome.FAILED
                : result.failureReason() == null ? Outcome.DELIVERED : Outcome.PARTIAL;
        sessions[outcome.ordinal()].increment();
    }

    private void chargingFinished(Exchange exchange) {
        if (exchange.getException() != null) {
            chargingFailed.increment();
            return;
        }
        charged.increment();
        if (exchange.getMessage().getBody() instanceof ChargingEvent event) {
            // the push's own ACR follows its BYE (sipmsrp:bye); a relayed one has only the record's end of session
            Instant bye = exchange.getMessage().getHeader(SipMsrpConstants.BYE_SENT_AT, Instant.class);
            record(byeToAca, bye != null ? bye : event.endedAt(), Instant.now());
        }
    }

    private void failureHandled(Exchange exchange) {
        Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (caught instanceof RejectedMessageException rejected) {
            refused[rejected.getReason().ordinal()].increment();
        }
    }

    private static void record(Timer timer, Instant from, Instant to) {
        if (from != null && to != null && !to.isBefore(from)) {
            timer.record(Duration.between(from, to));
        }
    }

    /** A count of the {@code sipmsrp} consumers of {@code kind} (refused for overload, or for their source). */
    private static double consumers(CamelContext context, SipMsrpKind kind, ToLongFunction<SipMsrpEndpoint> count) {
        return context.getEndpoints().stream()
                .filter(e -> e instanceof SipMsrpEndpoint sip && sip.getKind() == kind)
                .mapToLong(e -> count.applyAsLong((SipMsrpEndpoint) e)).sum();
    }

    private static boolean isPush(Endpoint endpoint) {
        return endpoint instanceof SipMsrpEndpoint sip && sip.getKind() == SipMsrpKind.PUSH;
    }

    int activeSessions() {
        return activeSessions.get();
    }

    long sessions(Outcome outcome) {
        return (long) sessions[outcome.ordinal()].count();
    }

    long messagesSent() {
        return (long) messagesSent.count();
    }

    long messagesDelivered() {
        return (long) messagesAcknowledged.count();
    }

    long messagesRefused() {
        return (long) messagesRefused.count();
    }

    long chargingAnswered() {
        return (long) charged.count();
    }

    long chargingFailed() {
        return (long) chargingFailed.count();
    }

    long refused() {
        long sum = 0;
        for (Counter c : refused) {
            sum += (long) c.count();
        }
        return sum;
    }
}
