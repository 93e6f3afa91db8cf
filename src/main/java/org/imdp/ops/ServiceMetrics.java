package org.imdp.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
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
import org.apache.camel.spi.CamelEvent.CamelContextStartedEvent;
import org.apache.camel.spi.CamelEvent.ExchangeFailureHandledEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSentEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.imdp.ch1.Ch1Endpoint;
import org.imdp.charging.ChargingEvent;
import org.imdp.sipmsrp.PushSessionResult;
import org.imdp.sipmsrp.SipMsrpComponent;
import org.imdp.sipmsrp.SipMsrpConstants;
import org.imdp.sipmsrp.SipMsrpEndpoint;
import org.imdp.sipmsrp.SipMsrpKind;
import org.imdp.sipmsrp.sip.SipTraffic;
import org.imdp.sipmsrp.sip.Tally;
import org.imdp.store.RejectedMessageException;

/**
 * The service's metrics in Micrometer (scraped by Prometheus at /observe/metrics), read by the JMX MBeans too. Each
 * count has one owner and the others read it:
 * <ul>
 * <li>what the components count is theirs, on their endpoints and component (their MBean attributes): push sessions
 * and messages ({@code sipmsrp:push}), SIP requests and responses by method and code (the {@code sipmsrp} component),
 * requests refused before routing ({@code sipmsrp} consumers), ACRs and ACAs by Result-Code ({@code ch1}); the meters
 * here are functions of those counts, read at each scrape;</li>
 * <li>what only the application knows is counted here, watching the exchanges from outside the routes: a refused
 * message is a handled {@link RejectedMessageException}; the latency histograms are timed from the push result and
 * the charging exchange.</li>
 * </ul>
 */
final class ServiceMetrics extends EventNotifierSupport {

    /**
     * Push outcomes: every message acknowledged or refused for good by the client, the session reached BYE with
     * some left for a later push, or no session.
     */
    enum Outcome { DELIVERED, PARTIAL, FAILED }

    private static final String SIPMSRP = "sipmsrp";

    private final MeterRegistry registry;
    private final CamelContext context;
    private final Gauge activeSessions;
    private final FunctionCounter[] sessions = new FunctionCounter[Outcome.values().length];
    private final FunctionCounter messagesSent;
    private final FunctionCounter messagesAcknowledged;
    private final FunctionCounter messagesRefused;
    private final FunctionCounter charged;
    private final FunctionCounter chargingFailed;
    private final Counter[] refused = new Counter[RejectedMessageException.Reason.values().length];
    private final Timer inviteToAnswer;
    private final Timer sendToLastAnswer;
    private final Timer byeToAca;

    ServiceMetrics(MeterRegistry registry, CamelContext context) {
        this.registry = registry;
        this.context = context;
        Gauge.builder("imdp.build.info", () -> 1).tag("version", BuildVersion.version())
                .description("The service's version (the value is always 1)").register(registry);
        for (SipMsrpKind kind : new SipMsrpKind[] {SipMsrpKind.MESSAGE, SipMsrpKind.REGISTER}) {
            FunctionCounter.builder("imdp.sip.requests.overloaded", context,
                            c -> sum(c, kind, SipMsrpEndpoint::getRequestsOverloaded))
                    .tag("method", kind.sipMethod())
                    .description("SIP requests answered 503 with Retry-After without routing: the consumer's workers"
                                 + " busy and its queue full")
                    .register(registry);
            FunctionCounter.builder("imdp.sip.requests.forbidden", context,
                            c -> sum(c, kind, SipMsrpEndpoint::getRequestsForbidden))
                    .tag("method", kind.sipMethod())
                    .description("SIP requests answered 403 without routing: their source is not a trusted node"
                                 + " (imdp.sip.trusted-nodes)")
                    .register(registry);
        }
        activeSessions = Gauge.builder("imdp.push.sessions.active", context, c -> {
                    SipMsrpComponent sip = sipmsrp(c);
                    return sip == null ? 0 : sip.getActivePushSessions();
                })
                .description("Push sessions running now (INVITE sent, BYE not yet)").register(registry);
        sessions[Outcome.DELIVERED.ordinal()] = sessions(Outcome.DELIVERED, SipMsrpEndpoint::getSessionsDelivered);
        sessions[Outcome.PARTIAL.ordinal()] = sessions(Outcome.PARTIAL, SipMsrpEndpoint::getSessionsPartial);
        sessions[Outcome.FAILED.ordinal()] = sessions(Outcome.FAILED, SipMsrpEndpoint::getSessionsFailed);
        FunctionCounter.builder("imdp.push.invites.sent", context,
                        c -> sum(c, SipMsrpKind.PUSH, SipMsrpEndpoint::getInvitesSent))
                .description("Push INVITEs sent (step 1; a redirect or a challenge sends another)").register(registry);
        FunctionCounter.builder("imdp.push.byes", context, c -> sum(c, SipMsrpKind.PUSH, SipMsrpEndpoint::getByeAnswered))
                .tag("result", "answered").description("Push BYEs, by whether the client answered them (step 8)")
                .register(registry);
        FunctionCounter.builder("imdp.push.byes", context, c -> sum(c, SipMsrpKind.PUSH, SipMsrpEndpoint::getByeTimedOut))
                .tag("result", "unanswered").description("Push BYEs, by whether the client answered them (step 8)")
                .register(registry);
        messagesSent = FunctionCounter.builder("imdp.push.messages.sent", context,
                        c -> sum(c, SipMsrpKind.PUSH, SipMsrpEndpoint::getMessagesSent))
                .description("Stored messages sent in MSRP SENDs").register(registry);
        messagesAcknowledged = FunctionCounter.builder("imdp.push.messages.delivered", context,
                        c -> sum(c, SipMsrpKind.PUSH, SipMsrpEndpoint::getMessagesAcknowledged))
                .description("Stored messages acknowledged with MSRP 200 OK (removed from the store)").register(registry);
        messagesRefused = FunctionCounter.builder("imdp.push.messages.refused", context,
                        c -> sum(c, SipMsrpKind.PUSH, SipMsrpEndpoint::getMessagesRefusedByClient))
                .description("Stored messages the client refused for good (moved to im.deferred.refused)")
                .register(registry);
        charged = FunctionCounter.builder("imdp.charging.requests", context,
                        c -> ch1(c, Ch1Endpoint::getRecordsAccepted))
                .tag("result", "answered").description("CH-1 requests, by result").register(registry);
        chargingFailed = FunctionCounter.builder("imdp.charging.requests", context,
                        c -> ch1(c, e -> e.getRecordsRefused() + e.getRecordsFailed()))
                .tag("result", "failed").description("CH-1 requests, by result").register(registry);
        FunctionCounter.builder("imdp.charging.acr.sent", context, c -> ch1(c, Ch1Endpoint::getRecordsSent))
                .description("CH-1 ACRs sent, every attempt (a retry is sent again)").register(registry);
        for (RejectedMessageException.Reason r : RejectedMessageException.Reason.values()) {
            refused[r.ordinal()] = Counter.builder("imdp.intake.refused").tag("reason", r.name().toLowerCase(Locale.ROOT))
                    .description("Incoming messages refused (not stored), by reason").register(registry);
        }
        inviteToAnswer = histogram(registry, "imdp.push.invite.answer", "From the push INVITE to its 200 OK");
        sendToLastAnswer = histogram(registry, "imdp.push.msrp",
                "From the first MSRP SEND to the answer to the last one");
        byeToAca = histogram(registry, "imdp.charging.bye.aca", "From the push BYE to the CH-1 answer (ACA)");
        setIgnoreCamelContextInitEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeCompletedEvent(true);
        setIgnoreExchangeRedeliveryEvents(true);
        setIgnoreExchangeAsyncProcessingStartedEvents(true);
    }

    private FunctionCounter sessions(Outcome outcome, ToLongFunction<SipMsrpEndpoint> count) {
        return FunctionCounter.builder("imdp.push.sessions", context, c -> sum(c, SipMsrpKind.PUSH, count))
                .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                .description("Push sessions finished, by outcome").register(registry);
    }

    /**
     * Once the endpoints exist: a counter for each SIP method and status code, and each CH-1 Result-Code, as each
     * first appears (read from the components' counts).
     */
    private void watchKeyedCounts() {
        SipMsrpComponent sip = sipmsrp(context);
        if (sip != null) {
            SipTraffic traffic = sip.sipTraffic();
            traffic.requestsReceived().watch(method -> FunctionCounter.builder("imdp.sip.requests.received",
                            traffic.requestsReceived(), t -> t.count(method))
                    .tag("method", method).description("SIP requests received, by method").register(registry));
            traffic.responsesSent().watch(response -> sipResponses("imdp.sip.responses.sent",
                    "SIP responses sent to the requests received, by method and status code",
                    traffic.responsesSent(), response));
            traffic.responsesReceived().watch(response -> sipResponses("imdp.sip.responses.received",
                    "SIP responses received to the service's requests (INVITE, MESSAGE, BYE), by method and status code",
                    traffic.responsesReceived(), response));
        }
        for (Endpoint endpoint : context.getEndpoints()) {
            if (endpoint instanceof Ch1Endpoint ch1) {
                ch1.watchAnswerCodes(code -> FunctionCounter.builder("imdp.charging.aca", context,
                                c -> ch1(c, e -> e.answers(code)))
                        .tag("result_code", Long.toString(code))
                        .description("CH-1 ACAs received, by Result-Code (or Experimental-Result-Code; 0: neither)")
                        .register(registry));
            }
        }
    }

    private void sipResponses(String name, String description, Tally<SipTraffic.Response> tally,
                              SipTraffic.Response response) {
        FunctionCounter.builder(name, tally, t -> t.count(response))
                .tag("method", response.method()).tag("code", Integer.toString(response.code()))
                .description(description).register(registry);
    }

    private static Timer histogram(MeterRegistry registry, String name, String description) {
        return Timer.builder(name).description(description).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
    }

    @Override
    public void notify(CamelEvent event) {
        if (event instanceof CamelContextStartedEvent) {
            watchKeyedCounts();
        } else if (event instanceof ExchangeSentEvent sent && isPush(sent.getEndpoint())) {
            // (Camel sends the ExchangeSentEvent only where it sent an ExchangeSendingEvent: those are not ignored)
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
            record(inviteToAnswer, result.inviteSentAt(), result.answeredAt());
            record(sendToLastAnswer, result.firstSendAt(), result.lastAnswerAt());
        }
    }

    private void chargingFinished(Exchange exchange) {
        if (exchange.getException() == null && exchange.getMessage().getBody() instanceof ChargingEvent event) {
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

    /** A count summed over the {@code sipmsrp} endpoints of {@code kind}. */
    private static double sum(CamelContext context, SipMsrpKind kind, ToLongFunction<SipMsrpEndpoint> count) {
        return context.getEndpoints().stream()
                .filter(e -> e instanceof SipMsrpEndpoint sip && sip.getKind() == kind)
                .mapToLong(e -> count.applyAsLong((SipMsrpEndpoint) e)).sum();
    }

    /** A count summed over the {@code ch1} endpoints. */
    private static double ch1(CamelContext context, ToLongFunction<Ch1Endpoint> count) {
        return context.getEndpoints().stream().filter(e -> e instanceof Ch1Endpoint)
                .mapToLong(e -> count.applyAsLong((Ch1Endpoint) e)).sum();
    }

    /** The {@code sipmsrp} component, or {@code null} while the routes use none. */
    private static SipMsrpComponent sipmsrp(CamelContext context) {
        return context.hasComponent(SIPMSRP) instanceof SipMsrpComponent sip ? sip : null;
    }

    private static boolean isPush(Endpoint endpoint) {
        return endpoint instanceof SipMsrpEndpoint sip && sip.getKind() == SipMsrpKind.PUSH;
    }

    int activeSessions() {
        return (int) activeSessions.value();
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
