package org.imdp.sipmsrp;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.InvalidArgumentException;
import javax.sip.ResponseEvent;
import javax.sip.SipException;
import javax.sip.TimeoutEvent;
import javax.sip.address.Address;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.Header;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import gov.nist.javax.sip.header.HeaderFactoryExt;
import org.imdp.sipmsrp.PushSessionResult.MessageOutcome;
import org.imdp.sipmsrp.msrp.MsrpException;
import org.imdp.sipmsrp.msrp.MsrpLocalEndpoint;
import org.imdp.sipmsrp.msrp.MsrpSendResult;
import org.imdp.sipmsrp.msrp.MsrpSession;
import org.imdp.sipmsrp.msrp.MsrpSessions;
import org.imdp.sipmsrp.msrp.MsrpStatusAction;
import org.imdp.sipmsrp.msrp.codec.MsrpIds;
import org.imdp.sipmsrp.sdp.SdpAnswer;
import org.imdp.sipmsrp.sdp.SdpOffer;
import org.imdp.sipmsrp.sip.SipAgent;
import org.imdp.sipmsrp.sip.SipDialogHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One push, as a chain of asynchronous steps on the producer's executor: INVITE with an MSRP offer, ACK on 2xx,
 * MSRP connection (we connect unless the client answered {@code a=setup:active}), one SEND per message in order
 * until a status that ends the session ({@link MsrpStatusAction}; a message the client refuses for good is
 * skipped). The result is complete once the last message is decided; the dialog then stays up until {@link #bye()}
 * ({@code sipmsrp:bye}, or the exchange's completion), so that the route settles the session before its BYE and the
 * charging request follows the BYE at once. The BYE's response only updates counters. {@link #stop()} cuts a session
 * short when the service stops. SIP events arrive through {@link SipDialogHandler} on stack threads
 * and only complete futures or send short ACK/CANCEL messages there.
 */
final class PushSession implements SipDialogHandler {

    private static final Logger LOG = LoggerFactory.getLogger(PushSession.class);
    /** OMA SIMPLE IM feature tag of IM Clients (PROTOCOLS.md A.3, A.5). */
    static final String IM_FEATURE_TAG = "+g.oma.sip-im";
    /** RFC 3841 header, not modelled by JAIN-SIP. */
    static final String ACCEPT_CONTACT = "Accept-Contact";
    /** Seconds from 1900 (NTP era, used for SDP o= values) to 1970. */
    private static final long NTP_EPOCH_OFFSET = 2_208_988_800L;
    /** SIP Timer B, 64 * T1 (RFC 3261 section 17.1.1.2). */
    private static final long TIMER_B_MILLIS = 32_000;
    /** msrpStatus of a message whose SEND got no response because the connection went away. */
    static final int NO_RESPONSE = 0;
    /** Why a session cut short by {@link #stop()} ended early. */
    static final String STOPPING = "the service is stopping";

    /**
     * How a session ended, for the producer: a result once the messages are decided, a failure if the exchange fails.
     * A failed session that had a dialog has already sent its BYE; a result without failure waits for {@link #bye()}
     * when {@code byeDue}.
     */
    record Outcome(String callId, PushSessionResult result, Throwable failure, boolean byeDue) {
    }

    private final SipMsrpEndpoint endpoint;
    private final SipMsrpConfiguration config;
    private final SipAgent agent;
    private final MsrpSessions msrp;
    private final Executor executor;
    private final String recipient;
    private final String requestUri;
    private final List<PushMessage> messages;

    private final CompletableFuture<Void> clientBye = new CompletableFuture<>();
    private final List<MessageOutcome> outcomes = new ArrayList<>();
    /** Messages the client refused for good, by id, with the reason; in push order. */
    private final Map<String, String> refusals = new LinkedHashMap<>();

    private volatile MsrpLocalEndpoint local;
    private InviteFollowUp followUp;
    private CallIdHeader callIdHeader;
    private String fromTag;
    private long cseq;
    private String offer;
    /** The final response to the INVITE last sent. */
    private volatile CompletableFuture<Response> answer;
    private volatile Request invite;
    private volatile String callId;
    private volatile ClientTransaction inviteTransaction;
    private volatile Dialog dialog;
    private volatile boolean provisionalReceived;
    private volatile boolean confirmed;
    /** Our BYE went out: its final response or timeout takes the handler away (a challenged BYE goes again). */
    private volatile boolean byeInFlight;
    /** Our BYE was asked for (sent, or found unsendable): it is sent once. */
    private final AtomicBoolean byeAsked = new AtomicBoolean();
    /** The service is stopping: no further message, the session ends with what was decided. */
    private volatile boolean stopping;
    private volatile MsrpSession msrpSession;
    private volatile Long peerMaxSize;
    private volatile String failureReason;
    private volatile Instant inviteSentAt;
    private volatile Instant answeredAt;
    private volatile Instant endedAt;
    private volatile Instant firstSendAt;
    private volatile Instant lastAnswerAt;
    private volatile Instant clientByeAt;
    /** The message being prepared or sent, for the reason of a session stopped by an unexpected error. */
    private volatile PushMessage sending;
    private Request ack;

    PushSession(SipMsrpEndpoint endpoint, SipAgent agent, MsrpSessions msrp, Executor executor, String recipient,
            String requestUri, List<PushMessage> messages) {
        this.endpoint = endpoint;
        this.config = endpoint.getConfiguration();
        this.agent = agent;
        this.msrp = msrp;
        this.executor = executor;
        this.recipient = recipient;
        this.requestUri = requestUri;
        this.messages = messages;
    }

    /** Runs the session; the future never completes exceptionally, failures are in the {@link Outcome}. */
    CompletableFuture<Outcome> run() {
        return CompletableFuture.runAsync(this::start, executor)
                .thenCompose(v -> finalAnswer())
                .thenComposeAsync(this::openMsrp, executor)
                .thenComposeAsync(this::sendAll, executor)
                .handleAsync((v, error) -> finish(unwrap(error)), executor);
    }

    /**
     * The first INVITE. Every INVITE of the session (after a redirect or a challenge) has the same Call-ID, From
     * tag and MSRP offer, with the next CSeq (RFC 3261 sections 8.1.3.4, 22.2).
     */
    private void start() {
        local = msrp.allocate();
        try {
            followUp = new InviteFollowUp(recipient, requestUri, config, agent.addressFactory());
        } catch (ParseException e) {
            throw new IllegalArgumentException("cannot build the INVITE to " + recipient + " at " + requestUri + ": "
                                               + e.getMessage(), e);
        }
        callIdHeader = agent.provider().getNewCallId();
        callId = callIdHeader.getCallId();
        fromTag = SipAgent.newTag();
        agent.addDialogHandler(callId, this);
        sendInvite(requestUri, List.of());
    }

    /**
     * The final response to the INVITE once redirects and challenges are followed (each INVITE waits at most
     * inviteTimeout): a 2xx, else the push fails with a {@link SipMsrpPushException}.
     */
    private CompletableFuture<Response> finalAnswer() {
        return answer.orTimeout(config.getInviteTimeout(), TimeUnit.MILLISECONDS).thenComposeAsync(response -> {
            if (response.getStatusCode() < 300) {
                return CompletableFuture.completedFuture(response);
            }
            InviteFollowUp.Next next;
            try {
                next = followUp.after(response, invite, agent.headerFactory());
            } catch (SipMsrpPushException e) {
                throw new CompletionException(e);
            }
            LOG.debug("INVITE {} answered {}: trying {}{}", callId, response.getStatusCode(), next.target(),
                    next.credentials().isEmpty() ? "" : " with credentials");
            sendInvite(next.target(), next.credentials());
            return finalAnswer();
        }, executor);
    }

    private void sendInvite(String targetUri, List<Header> credentials) {
        try {
            AddressFactory af = agent.addressFactory();
            HeaderFactoryExt hf = agent.headerFactory();
            Address server = af.createAddress(config.getServerUri());
            Request request = agent.newRequest(Request.INVITE, af.createURI(targetUri), af.createAddress(recipient),
                    server, fromTag, callIdHeader, ++cseq, config.getOutboundProxy());
            String transport = ((ViaHeader) request.getHeader(ViaHeader.NAME)).getTransport();
            request.addHeader(hf.createHeader(ContactHeader.NAME, contact(server, transport)));
            request.addHeader(hf.createHeader(ACCEPT_CONTACT, "*;" + IM_FEATURE_TAG));
            String sender = singleSender();
            if (sender != null) {
                referredBy(sender).ifPresent(request::addHeader);
            }
            for (Header credential : credentials) {
                request.addHeader(credential);
            }
            if (offer == null) {
                long version = Instant.now().getEpochSecond() + NTP_EPOCH_OFFSET;
                offer = SdpOffer.build(local.localPath(), version, payloadTypes(), config.isMsrpCema());
            }
            request.setContent(offer, hf.createContentTypeHeader("application", "sdp"));
            agent.switchToTcpIfLarge(request);

            answer = new CompletableFuture<>();
            invite = request;
            inviteTransaction = agent.provider().getNewClientTransaction(request);
            dialog = inviteTransaction.getDialog();
            if (inviteSentAt == null) {
                inviteSentAt = Instant.now();
            }
            inviteTransaction.sendRequest();
            endpoint.countInviteSent();
            LOG.debug("INVITE {} to {} via {} ({} messages)", callId, recipient, targetUri, messages.size());
        } catch (ParseException | InvalidArgumentException e) {
            throw new IllegalArgumentException("cannot build the INVITE to " + recipient + " at " + targetUri + ": "
                                               + e.getMessage(), e);
        } catch (SipException e) {
            // RFC 3261 section 8.1.3.1: a transport failure counts as 503
            SipMsrpPushException failure = new SipMsrpPushException(recipient, Response.SERVICE_UNAVAILABLE,
                    "INVITE could not be sent: " + e.getMessage());
            failure.initCause(e);
            throw new CompletionException(failure);
        }
    }

    /** Our Contact: the server URI's user on our SIP address, flagged as an IM endpoint. */
    private String contact(Address server, String transport) {
        String user = server.getURI() instanceof SipURI sip && sip.getUser() != null ? sip.getUser() + "@" : "";
        String hostPort = agent.host().contains(":") ? "[" + agent.host() + "]" : agent.host();
        String params = "udp".equalsIgnoreCase(transport) ? "" : ";transport=" + transport;
        return "<sip:" + user + hostPort + ":" + agent.port() + params + ">;" + IM_FEATURE_TAG;
    }

    /**
     * Referred-By naming the original sender, when the stack can write its URI. It only informs the client (a payload
     * names its sender too, e.g. in its CPIM From), so a sender URI that JAIN-SIP does not parse (one the JMS intake took,
     * e.g. with a '{' in its user part, which CPIM carries) leaves it out instead of failing every push to the
     * recipient before its INVITE.
     */
    private Optional<Header> referredBy(String sender) {
        try {
            return Optional.of(agent.headerFactory().createReferredByHeader(agent.addressFactory().createAddress(sender)));
        } catch (ParseException e) {
            LOG.debug("push to {}: no Referred-By, the stack cannot write sender {}: {}", recipient, sender,
                    e.getMessage());
            return Optional.empty();
        }
    }

    /** The original sender when every message has the same one (it goes into Referred-By), else null. */
    private String singleSender() {
        String first = messages.get(0).sender();
        return messages.stream().allMatch(m -> m.sender().equals(first)) ? first : null;
    }

    /** The distinct content types of the payloads (type/subtype, without parameters), in push order: the offer's accept-types. */
    private List<String> payloadTypes() {
        return messages.stream().map(m -> m.contentType().split(";", 2)[0].strip()).distinct().toList();
    }

    private CompletableFuture<MsrpSession> openMsrp(Response response) {
        answeredAt = Instant.now();
        byte[] raw = response.getRawContent();
        SdpAnswer.MsrpMedia media = SdpAnswer.parse(raw == null ? null : new String(raw, StandardCharsets.UTF_8))
                .msrp().orElseThrow(() -> notAcceptable("client answered without MSRP"));
        for (String type : payloadTypes()) {
            if (!media.accepts(type)) {
                throw notAcceptable("client does not accept " + type);
            }
        }
        if (media.path().isEmpty()) {
            throw notAcceptable("client answered MSRP without a=path");
        }
        peerMaxSize = media.maxSize();
        CompletableFuture<MsrpSession> connected;
        if (!media.weConnect()) {
            connected = local.accept(media.path(), Duration.ofMillis(config.getMsrpConnectTimeout()));
        } else if (media.cemaAgreed(config.isMsrpCema())) {
            connected = local.connect(media.path(), media.address(), media.port());
        } else {
            connected = local.connect(media.path());
        }
        return connected.thenApply(session -> {
            msrpSession = session;
            if (clientBye.isDone() || stopping) {
                session.close();
            }
            return session;
        });
    }

    private CompletionException notAcceptable(String reason) {
        return new CompletionException(new SipMsrpPushException(recipient, Response.NOT_ACCEPTABLE_HERE, reason));
    }

    /**
     * Sends every message ({@link #sendFrom}). Whatever is thrown while a message is prepared (its payload made) or
     * sent, or while its answer is taken, stops the session there like an MSRP error that ends it: the session ends
     * with a BYE and a result that lists the messages decided before that one, so that the acknowledged ones are
     * settled (removed, charged) and the rest stays stored, instead of the whole session failing unsettled and every
     * acknowledged message being pushed again. Never completes exceptionally.
     */
    private CompletableFuture<Void> sendAll(MsrpSession session) {
        CompletableFuture<Void> sent;
        try {
            sent = sendFrom(session, 0);
        } catch (Throwable t) {
            sent = CompletableFuture.failedFuture(t);
        }
        return sent.exceptionally(error -> {
            Throwable cause = unwrap(error);
            PushMessage message = sending;
            String at = message == null ? "" : " at message " + message.messageId();
            LOG.warn("push {} to {} stopped{}: {}", callId, recipient, at, cause.toString(), cause);
            failureReason = "push stopped" + at + ": " + cause;
            return null;
        });
    }

    /**
     * Sends message {@code index} and the ones after it, as long as the client takes each one or refuses it for
     * good ({@link MsrpStatusAction}). Completes exceptionally only on an unexpected error, see {@link #sendAll}.
     */
    private CompletableFuture<Void> sendFrom(MsrpSession session, int index) {
        if (index >= messages.size()) {
            return CompletableFuture.completedFuture(null);
        }
        if (clientBye.isDone()) {
            failureReason = "client ended the session";
            return CompletableFuture.completedFuture(null);
        }
        if (stopping) {
            failureReason = STOPPING;
            return CompletableFuture.completedFuture(null);
        }
        PushMessage message = messages.get(index);
        sending = message;
        byte[] payload = message.payload().get();
        Long maxSize = peerMaxSize;
        if (maxSize != null && payload.length > maxSize) {
            // never sent: it would be refused, and would stop every later message with it
            refuse(message, "larger than the client's a=max-size " + maxSize + " (" + payload.length
                            + " octets as " + message.contentType() + "); not sent");
            return sendFrom(session, index + 1);
        }
        endpoint.countMessageSent();
        if (firstSendAt == null) {
            firstSendAt = Instant.now();
        }
        CompletableFuture<MsrpSendResult> sent;
        try {
            sent = session.send(msrpMessageId(message), message.contentType(), payload);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        return sent.handleAsync((result, error) -> {
            if (error != null) {
                outcomes.add(outcome(message, NO_RESPONSE));
                failureReason = clientBye.isDone() ? "client ended the session"
                        : stopping ? STOPPING
                        : "MSRP SEND of message " + message.messageId() + " failed: " + unwrap(error).getMessage();
                return false;
            }
            lastAnswerAt = Instant.now();
            outcomes.add(outcome(message, result.status()));
            String answered = "MSRP " + result.status() + " " + MsrpStatusAction.reasonPhrase(result.status());
            switch (MsrpStatusAction.of(result.status())) {
                case DELIVERED -> endpoint.countMessageAcknowledged();
                case REFUSED -> refuse(message, answered);
                case STOP_SESSION -> {
                    failureReason = "MSRP SEND of message " + message.messageId() + " answered " + result.status()
                                    + (result.comment() == null ? "" : " " + result.comment());
                    return false;
                }
            }
            return true;
        }, executor).thenCompose(goOn -> goOn ? sendFrom(session, index + 1) : CompletableFuture.completedFuture(null));
    }

    /** The client will never take {@code message}: it leaves the store for the refused queue, the session goes on. */
    private void refuse(PushMessage message, String reason) {
        refusals.put(message.messageId(), reason);
        endpoint.countMessageRefused();
        LOG.info("push {} to {}: message {} refused for good ({})", callId, recipient, message.messageId(), reason);
    }

    /**
     * The MSRP Message-ID of a message: its own id when that is a valid MSRP ident (so traces match), else a fresh
     * one (a UUID, for one, is too long). The id a client relies on travels in the payload (imdn.Message-ID in a
     * CPIM wrapper).
     */
    private static String msrpMessageId(PushMessage message) {
        return MsrpIds.isIdent(message.messageId()) ? message.messageId() : MsrpIds.newMessageId();
    }

    private static MessageOutcome outcome(PushMessage m, int status) {
        return new MessageOutcome(m.messageId(), status);
    }

    private Outcome finish(Throwable error) {
        Throwable failure = error;
        if (failure instanceof TimeoutException || stopping && answeredAt == null) {
            giveUp();
            failure = stopping ? new SipMsrpPushException(recipient, Response.SERVICE_UNAVAILABLE, STOPPING)
                    : new SipMsrpPushException(recipient, Response.REQUEST_TIMEOUT, "Request Timeout");
            // a 2xx may still cross our CANCEL: keep listening (to ACK and BYE it) for as long as Timer B
            CompletableFuture.delayedExecutor(TIMER_B_MILLIS, TimeUnit.MILLISECONDS)
                    .execute(() -> agent.removeDialogHandler(callId));
        } else if (answeredAt == null && callId != null) {
            agent.removeDialogHandler(callId);
        }
        if (answeredAt == null) {
            // no dialog: nothing to end, nothing was delivered
            closeMsrp();
            endpoint.countSession(false);
            LOG.info("push {} to {} failed: {}", callId, recipient, failure == null ? "?" : failure.getMessage());
            return new Outcome(callId, null, failure, false);
        }
        closeMsrp();
        boolean byeDue = !clientBye.isDone();
        endedAt = byeDue ? Instant.now() : clientByeAt;
        if (byeDue && failure != null) {
            // the exchange fails and nothing was delivered (no MSRP session): nothing to settle before the BYE
            bye();
            byeDue = false;
        }
        String reason = failure != null ? describe(failure) : failureReason;
        PushSessionResult result = new PushSessionResult(recipient, requestUri, callId, inviteSentAt, answeredAt,
                endedAt, List.copyOf(outcomes), reason, firstSendAt, lastAnswerAt, refusals);
        // complete: no failure and no reason to stop early, so every message was acknowledged or refused
        endpoint.countSession(result.complete());
        // DEBUG: the push route logs each session once, after its ACR; nothing between the BYE and it writes a line
        LOG.debug("push {} to {}: {}/{} messages acknowledged, {} refused{}", callId, recipient,
                result.acknowledgedCount(), messages.size(), refusals.size(), reason == null ? "" : " (" + reason + ")");
        return new Outcome(callId, result, failure, byeDue);
    }

    private static String describe(Throwable failure) {
        if (failure instanceof MsrpException) {
            return "MSRP session not established: " + failure.getMessage();
        }
        return failure.getMessage();
    }

    /**
     * Ends the dialog with our BYE, once: after the route settled the session ({@code sipmsrp:bye}), when the exchange
     * completes without that, or at once when the session failed. Does nothing when the client sent its own BYE.
     *
     * @return when the BYE was handed to the transport, or {@code null} when none was sent now
     */
    Instant bye() {
        if (clientBye.isDone() || !byeAsked.compareAndSet(false, true)) {
            return null;
        }
        try {
            Request bye = dialog.createRequest(Request.BYE);
            ClientTransaction transaction = agent.provider().getNewClientTransaction(bye);
            // the moment it is handed over: sendRequest may return after the client already has it
            Instant sentAt = Instant.now();
            dialog.sendRequest(transaction);
            byeInFlight = true;
            return sentAt;
        } catch (SipException | RuntimeException e) {
            LOG.warn("BYE {} to {} could not be sent: {}", callId, recipient, e.getMessage());
            return null;
        }
    }

    /**
     * The service is stopping: the session takes no further message and ends with what was decided. The SEND in
     * progress fails (the connection closes), so its message stays stored; an INVITE not yet answered is given up,
     * and so is an MSRP connection not yet made.
     */
    void stop() {
        stopping = true;
        MsrpSession session = msrpSession;
        if (session != null) {
            session.close();
        }
        MsrpLocalEndpoint endpoint = local;
        if (endpoint != null) {
            // also fails an MSRP connection the client has not made yet
            endpoint.close();
        }
        CompletableFuture<Response> pending = answer;
        if (pending != null) {
            pending.completeExceptionally(new CancellationException(STOPPING));
        }
    }

    String callId() {
        return callId;
    }

    private void closeMsrp() {
        MsrpSession session = msrpSession;
        if (session != null) {
            session.close();
        }
        if (local != null) {
            local.close();
        }
    }

    /** The INVITE was not answered in time: CANCEL it if the client is ringing, else stop retransmitting. */
    private void giveUp() {
        ClientTransaction transaction = inviteTransaction;
        if (transaction == null) {
            return;
        }
        try {
            if (provisionalReceived) {
                Request cancel = transaction.createCancel();
                agent.provider().getNewClientTransaction(cancel).sendRequest();
            } else {
                transaction.terminate();
            }
        } catch (SipException e) {
            LOG.debug("INVITE {} could not be cancelled: {}", callId, e.getMessage());
        }
    }

    @Override
    public void onResponse(ResponseEvent event) {
        Response response = event.getResponse();
        CSeqHeader cseq = (CSeqHeader) response.getHeader(CSeqHeader.NAME);
        int code = response.getStatusCode();
        if (Request.INVITE.equals(cseq.getMethod())) {
            if (code < 200) {
                provisionalReceived = true;
            } else if (code < 300) {
                onInviteSuccess(event, cseq);
            } else if (event.getClientTransaction() == inviteTransaction) {
                // a rejection, redirect or challenge (followed up in finalAnswer), or the 487 to our CANCEL after
                // a timeout (then the answer has already failed)
                answer.complete(response);
            }
        } else if (Request.BYE.equals(cseq.getMethod()) && code >= 200) {
            if ((code == Response.UNAUTHORIZED || code == Response.PROXY_AUTHENTICATION_REQUIRED)
                && byeAgainWithCredentials(event)) {
                return;
            }
            LOG.debug("BYE {} answered {}", callId, code);
            endpoint.countByeAnswered();
            agent.removeDialogHandler(callId);
        }
    }

    /**
     * A BYE challenged by the client's side is sent once more with our credentials (a new transaction, next CSeq).
     * The session was settled before the first BYE went out; this only ends the dialog properly.
     */
    private boolean byeAgainWithCredentials(ResponseEvent event) {
        try {
            Request bye = dialog.createRequest(Request.BYE);
            Optional<AuthorizationHeader> credentials = followUp.answerInDialog(event.getResponse(),
                    event.getClientTransaction().getRequest(), bye, agent.headerFactory());
            if (credentials.isEmpty()) {
                return false;
            }
            bye.addHeader(credentials.get());
            dialog.sendRequest(agent.provider().getNewClientTransaction(bye));
            LOG.debug("BYE {} challenged {}: sent again with credentials", callId, event.getResponse().getStatusCode());
            return true;
        } catch (SipException | ParseException e) {
            LOG.warn("BYE {} to {} could not be sent again with credentials: {}", callId, recipient, e.getMessage());
            return false;
        }
    }

    /** ACKs every 2xx (the first and retransmissions, RFC 3261 13.2.2.4) right away, on the stack thread. */
    private void onInviteSuccess(ResponseEvent event, CSeqHeader cseq) {
        boolean first;
        synchronized (this) {
            first = ack == null;
            try {
                if (first) {
                    if (event.getDialog() != null) {
                        dialog = event.getDialog();
                    }
                    confirmed = true;
                    ack = dialog.createAck(cseq.getSeqNumber());
                }
                dialog.sendAck(ack);
            } catch (SipException | InvalidArgumentException e) {
                LOG.warn("ACK {} could not be sent: {}", callId, e.getMessage());
            }
        }
        if (first && !answer.complete(event.getResponse())) {
            // answered after we gave up: the session is not wanted any more
            LOG.info("INVITE {} answered after the timeout; ending it", callId);
            try {
                executor.execute(this::bye);
            } catch (RejectedExecutionException e) {
                LOG.warn("BYE {} not sent: producer stopped", callId);
            }
        }
    }

    @Override
    public void onTimeout(TimeoutEvent event) {
        String method = event.getClientTransaction().getRequest().getMethod();
        if (Request.INVITE.equals(method)) {
            answer.completeExceptionally(new TimeoutException("INVITE timed out (Timer B)"));
        } else if (Request.BYE.equals(method)) {
            LOG.info("BYE {} to {} was not answered", callId, recipient);
            endpoint.countByeTimedOut();
            agent.removeDialogHandler(callId);
        }
    }

    @Override
    public boolean onDialogTerminated(Dialog ended) {
        // before a 2xx, the dialog of a challenged or redirected INVITE may end while the next INVITE runs (until
        // then finish() takes the handler away); after our BYE, its response does (the stack ends the dialog on a
        // challenge to the BYE too, before we send it again)
        return confirmed && ended == dialog && !byeInFlight;
    }

    @Override
    public void onClientBye(Request bye) {
        LOG.info("client ended push session {}", callId);
        clientByeAt = Instant.now();
        clientBye.complete(null);
        MsrpSession session = msrpSession;
        if (session != null) {
            // fails the SEND in progress, so the chain ends without waiting for its timeout
            session.close();
        }
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
