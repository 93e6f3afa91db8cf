package org.imdp.sipmsrp.push;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;

import javax.sip.message.Response;

import org.imdp.sipmsrp.PushMessage;
import org.imdp.sipmsrp.PushSessionResult;
import org.imdp.sipmsrp.SipMsrpConfiguration;
import org.imdp.sipmsrp.SipMsrpPushException;
import org.imdp.sipmsrp.msrp.MsrpException;
import org.imdp.sipmsrp.msrp.MsrpLocalEndpoint;
import org.imdp.sipmsrp.msrp.MsrpSession;
import org.imdp.sipmsrp.msrp.MsrpSessions;
import org.imdp.sipmsrp.sdp.SdpOffer;
import org.imdp.sipmsrp.sip.SipAgent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One push, the ladder of the change request as a chain of asynchronous stages on the producer's executor:
 * <ol>
 * <li>INVITE with an MSRP offer ({@link InviteDialog}, {@link InviteRequest}, {@link InviteFollowUp});</li>
 * <li>its 200 OK, ACKed;</li>
 * <li>the MSRP connection ({@link MsrpConnect}), then one MSRP SEND per message ({@link MessageSends})</li>
 * <li>each answered 200 OK, until a status that ends the session;</li>
 * <li>BYE ({@link #bye()}, {@link DialogBye}): the result is complete once the last message is decided, and the
 * dialog stays up until {@code sipmsrp:bye} (or the exchange's completion), so that the route settles the session
 * before its BYE and the charging request (steps 6-7, {@code ch1:}) follows the BYE at once;</li>
 * <li value="8">the BYE's 200 OK only updates counters: nothing waits for it.</li>
 * </ol>
 * {@link #stop()} cuts a session short when the service stops.
 */
public final class PushSession {

    private static final Logger LOG = LoggerFactory.getLogger(PushSession.class);
    /** OMA SIMPLE IM feature tag of IM Clients (PROTOCOLS.md A.3, A.5). */
    public static final String IM_FEATURE_TAG = "+g.oma.sip-im";
    /** RFC 3841 header, not modelled by JAIN-SIP. */
    public static final String ACCEPT_CONTACT = "Accept-Contact";
    /** msrpStatus of a message whose SEND got no response because the connection went away. */
    public static final int NO_RESPONSE = 0;
    /** Why a session cut short by {@link #stop()} ended early. */
    public static final String STOPPING = "the service is stopping";
    /** Why a session the client ended with its own BYE ended early. */
    private static final String CLIENT_ENDED = "client ended the session";
    /** Seconds from 1900 (NTP era, used for SDP o= values) to 1970. */
    private static final long NTP_EPOCH_OFFSET = 2_208_988_800L;

    /**
     * How a session ended, for the producer: a result once the messages are decided, a failure if the exchange fails.
     * A failed session that had a dialog has already sent its BYE; a result without failure waits for {@link #bye()}
     * when {@code byeDue}.
     */
    public record Outcome(String callId, PushSessionResult result, Throwable failure, boolean byeDue) {
    }

    private final SipMsrpConfiguration config;
    private final PushCounters counters;
    private final MsrpSessions msrp;
    private final Executor executor;
    private final String recipient;
    private final String requestUri;
    private final List<PushMessage> messages;
    /** The distinct content types of the payloads (type/subtype, without parameters), in push order. */
    private final List<String> payloadTypes;
    private final InviteDialog dialog;
    private final MsrpConnect connect;
    private final MessageSends sends;

    // closed from other threads: stop(), the client's BYE
    private volatile MsrpLocalEndpoint local;
    private volatile MsrpSession msrpSession;
    /** The service is stopping: no further message, the session ends with what was decided. */
    private volatile boolean stopping;
    private Instant answeredAt;

    public PushSession(SipMsrpConfiguration config, PushCounters counters, SipAgent agent, MsrpSessions msrp,
            Executor executor, String recipient, String requestUri, List<PushMessage> messages) {
        this.config = config;
        this.counters = counters;
        this.msrp = msrp;
        this.executor = executor;
        this.recipient = recipient;
        this.requestUri = requestUri;
        this.messages = messages;
        this.payloadTypes = messages.stream().map(m -> m.contentType().split(";", 2)[0].strip()).distinct().toList();
        this.dialog = new InviteDialog(agent, config, counters, executor, recipient, requestUri, messages.size(),
                this::closeMsrpSession);
        this.connect = new MsrpConnect(config, recipient, payloadTypes);
        this.sends = new MessageSends(messages, counters, executor, recipient, this::cutShort);
    }

    /** Runs the session; the future never completes exceptionally, failures are in the {@link Outcome}. */
    public CompletableFuture<Outcome> run() {
        return CompletableFuture.runAsync(this::invite, executor)                   // 1 INVITE
                .thenCompose(v -> dialog.finalAnswer())                             // 2 200 OK, ACK
                .thenComposeAsync(this::connectMsrp, executor)                      //   MSRP connection
                .thenComposeAsync(c -> sends.sendAll(dialog.callId(), c), executor) // 3 SENDs, 4 200 OKs
                .handleAsync((v, error) -> finish(unwrap(error)), executor);        //   result; 5 BYE: bye()
    }

    /** Step 1: an MSRP endpoint of ours, offered in the first INVITE. */
    private void invite() {
        local = msrp.allocate();
        long version = Instant.now().getEpochSecond() + NTP_EPOCH_OFFSET;
        dialog.start(SdpOffer.build(local.localPath(), version, payloadTypes, config.isMsrpCema()), singleSender());
    }

    /** The original sender when every message has the same one (it goes into Referred-By), else null. */
    private String singleSender() {
        String first = messages.get(0).sender();
        return messages.stream().allMatch(m -> m.sender().equals(first)) ? first : null;
    }

    /** After step 2: the MSRP session of the client's answer, unless the session was cut short meanwhile. */
    private CompletableFuture<MsrpConnect.Connected> connectMsrp(Response answer) {
        answeredAt = Instant.now();
        return connect.open(answer, local).thenApply(connected -> {
            msrpSession = connected.session();
            if (cutShort() != null) {
                connected.session().close();
            }
            return connected;
        });
    }

    /** Why the session ends before its next message, else {@code null}. */
    private String cutShort() {
        return dialog.clientEnded() ? CLIENT_ENDED : stopping ? STOPPING : null;
    }

    private Outcome finish(Throwable error) {
        Throwable failure = error;
        if (failure instanceof TimeoutException || stopping && answeredAt == null) {
            dialog.giveUp();
            failure = stopping ? new SipMsrpPushException(recipient, Response.SERVICE_UNAVAILABLE, STOPPING)
                    : new SipMsrpPushException(recipient, Response.REQUEST_TIMEOUT, "Request Timeout");
        } else if (answeredAt == null) {
            dialog.forget();
        }
        String callId = dialog.callId();
        closeMsrp();
        if (answeredAt == null) {
            // no dialog: nothing to end, nothing was delivered
            counters.sessionFailed();
            LOG.info("push {} to {} failed: {}", callId, recipient, failure == null ? "?" : failure.getMessage());
            return new Outcome(callId, null, failure, false);
        }
        boolean byeDue = !dialog.clientEnded();
        Instant endedAt = byeDue ? Instant.now() : dialog.clientByeAt();
        if (byeDue && failure != null) {
            // the exchange fails and nothing was delivered (no MSRP session): nothing to settle before the BYE
            bye();
            byeDue = false;
        }
        String reason = failure != null ? describe(failure) : sends.stopReason();
        PushSessionResult result = new PushSessionResult(recipient, requestUri, callId, dialog.inviteSentAt(),
                answeredAt, endedAt, sends.outcomes(), reason, sends.firstSendAt(), sends.lastAnswerAt(),
                sends.refusals());
        // complete: no failure and no reason to stop early, so every message was acknowledged or refused
        if (failure != null) {
            counters.sessionFailed();
        } else if (result.complete()) {
            counters.sessionDelivered();
        } else {
            counters.sessionPartial();
        }
        // DEBUG: the push route logs each session once, after its ACR; nothing between the BYE and it writes a line
        LOG.debug("push {} to {}: {}/{} messages acknowledged, {} refused{}", callId, recipient,
                result.acknowledgedCount(), messages.size(), sends.refusals().size(),
                reason == null ? "" : " (" + reason + ")");
        return new Outcome(callId, result, failure, byeDue);
    }

    private static String describe(Throwable failure) {
        if (failure instanceof MsrpException) {
            return "MSRP session not established: " + failure.getMessage();
        }
        return failure.getMessage();
    }

    /**
     * Step 5: ends the dialog with our BYE, once: after the route settled the session ({@code sipmsrp:bye}), when the
     * exchange completes without that, or at once when the session failed. Does nothing when the client sent its own
     * BYE.
     *
     * @return when the BYE was handed to the transport, or {@code null} when none was sent now
     */
    public Instant bye() {
        return dialog.bye();
    }

    /**
     * The service is stopping: the session takes no further message and ends with what was decided. The SEND in
     * progress fails (the connection closes), so its message stays stored; an INVITE not yet answered is given up,
     * and so is an MSRP connection not yet made.
     */
    public void stop() {
        stopping = true;
        closeMsrpSession();
        MsrpLocalEndpoint endpoint = local;
        if (endpoint != null) {
            // also fails an MSRP connection the client has not made yet
            endpoint.close();
        }
        dialog.stop();
    }

    public String callId() {
        return dialog.callId();
    }

    /** Fails the SEND in progress (the client's BYE, the service stopping), so the chain ends without its timeout. */
    private void closeMsrpSession() {
        MsrpSession session = msrpSession;
        if (session != null) {
            session.close();
        }
    }

    private void closeMsrp() {
        closeMsrpSession();
        if (local != null) {
            local.close();
        }
    }

    static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
