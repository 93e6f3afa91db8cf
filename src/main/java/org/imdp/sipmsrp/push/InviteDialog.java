package org.imdp.sipmsrp.push;

import java.text.ParseException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.InvalidArgumentException;
import javax.sip.ResponseEvent;
import javax.sip.SipException;
import javax.sip.TimeoutEvent;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.Header;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.imdp.sipmsrp.SipMsrpConfiguration;
import org.imdp.sipmsrp.SipMsrpPushException;
import org.imdp.sipmsrp.sip.SipAgent;
import org.imdp.sipmsrp.sip.SipDialogHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SIP side of a push, apart from its MSRP transfer: step 1 (the INVITE, again after a redirect or a challenge,
 * {@link InviteFollowUp}), step 2 (its final answer, every 2xx ACKed), the client's own BYE, and steps 5 and 8
 * ({@link DialogBye}). SIP events arrive on stack threads ({@link SipDialogHandler}) and only complete futures or
 * send short ACK/CANCEL messages there.
 */
final class InviteDialog implements SipDialogHandler {

    /** Where the dialog is. */
    enum State {
        /** Steps 1-2: INVITEs sent, no 2xx yet. */
        INVITING,
        /** A 2xx was ACKed: the dialog is up. */
        CONFIRMED,
        /** Step 5: our BYE went out; its final response or timeout takes the handler away. */
        BYE_SENT
    }

    private static final Logger LOG = LoggerFactory.getLogger(InviteDialog.class);
    /** SIP Timer B, 64 * T1 (RFC 3261 section 17.1.1.2). */
    private static final long TIMER_B_MILLIS = 32_000;

    private final SipAgent agent;
    private final SipMsrpConfiguration config;
    private final PushCounters counters;
    private final Executor executor;
    private final String recipient;
    private final String requestUri;
    private final int messageCount;
    /** Completed with its time when the client sends its own BYE. */
    private final CompletableFuture<Instant> clientBye = new CompletableFuture<>();
    private final Runnable onClientBye;

    // set by start(), before the handler is registered
    private InviteFollowUp followUp;
    private InviteRequest requests;
    private DialogBye bye;
    private volatile String callId;

    // written and read on the session's executor, one stage after the other
    private Request invite;
    private Instant inviteSentAt;
    // read on stack threads too
    /** The final response to the INVITE last sent. */
    private volatile CompletableFuture<Response> answer;
    private volatile ClientTransaction inviteTransaction;
    private volatile Dialog dialog;
    private volatile boolean provisionalReceived;
    private volatile State state = State.INVITING;
    /** The ACK of the first 2xx, sent again for its retransmissions (under this object's lock). */
    private Request ack;

    InviteDialog(SipAgent agent, SipMsrpConfiguration config, PushCounters counters, Executor executor,
            String recipient, String requestUri, int messageCount, Runnable onClientBye) {
        this.agent = agent;
        this.config = config;
        this.counters = counters;
        this.executor = executor;
        this.recipient = recipient;
        this.requestUri = requestUri;
        this.messageCount = messageCount;
        this.onClientBye = onClientBye;
    }

    /** Step 1: the first INVITE, with the MSRP {@code offer} (every INVITE of the session carries it). */
    void start(String offer, String sender) {
        try {
            followUp = new InviteFollowUp(recipient, requestUri, config, agent.addressFactory());
        } catch (ParseException e) {
            throw new IllegalArgumentException("cannot build the INVITE to " + recipient + " at " + requestUri + ": "
                                               + e.getMessage(), e);
        }
        CallIdHeader callIdHeader = agent.provider().getNewCallId();
        callId = callIdHeader.getCallId();
        requests = new InviteRequest(agent, config, recipient, callIdHeader, sender, offer);
        bye = new DialogBye(agent, followUp, counters, callId, recipient);
        agent.addDialogHandler(callId, this);
        sendInvite(requestUri, List.of());
    }

    /**
     * Step 2: the final response to the INVITE once redirects and challenges are followed (each INVITE waits at most
     * inviteTimeout): a 2xx, else the push fails with a {@link SipMsrpPushException}.
     */
    CompletableFuture<Response> finalAnswer() {
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
            Request request = requests.next(targetUri, credentials);
            answer = new CompletableFuture<>();
            invite = request;
            inviteTransaction = agent.provider().getNewClientTransaction(request);
            dialog = inviteTransaction.getDialog();
            if (inviteSentAt == null) {
                inviteSentAt = Instant.now();
            }
            inviteTransaction.sendRequest();
            counters.inviteSent();
            LOG.debug("INVITE {} to {} via {} ({} messages)", callId, recipient, targetUri, messageCount);
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

    /**
     * The INVITE was not answered in time (or the service stops first): CANCEL it if the client is ringing, else stop
     * retransmitting; a 2xx may still cross our CANCEL, so the handler stays (to ACK and BYE it) for as long as Timer B.
     */
    void giveUp() {
        ClientTransaction transaction = inviteTransaction;
        if (transaction != null) {
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
        CompletableFuture.delayedExecutor(TIMER_B_MILLIS, TimeUnit.MILLISECONDS)
                .execute(() -> agent.removeDialogHandler(callId));
    }

    /** The session failed before a dialog: nothing of it is listened to any more. */
    void forget() {
        if (callId != null) {
            agent.removeDialogHandler(callId);
        }
    }

    /** The service is stopping: an INVITE not yet answered is given up. */
    void stop() {
        CompletableFuture<Response> pending = answer;
        if (pending != null) {
            pending.completeExceptionally(new CancellationException(PushSession.STOPPING));
        }
    }

    /**
     * Step 5, once: does nothing when the client sent its own BYE.
     *
     * @return when the BYE was handed to the transport, or {@code null} when none was sent now
     */
    Instant bye() {
        if (clientBye.isDone()) {
            return null;
        }
        Instant sentAt = bye.send(dialog);
        if (sentAt != null) {
            state = State.BYE_SENT;
        }
        return sentAt;
    }

    String callId() {
        return callId;
    }

    Instant inviteSentAt() {
        return inviteSentAt;
    }

    /** Whether the client ended the session with its own BYE. */
    boolean clientEnded() {
        return clientBye.isDone();
    }

    /** When the client's BYE came, or {@code null}. */
    Instant clientByeAt() {
        return clientBye.getNow(null);
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
            bye.onFinalResponse(event, dialog);
        }
    }

    /** Step 2: ACKs every 2xx (the first and retransmissions, RFC 3261 13.2.2.4) right away, on the stack thread. */
    private void onInviteSuccess(ResponseEvent event, CSeqHeader cseq) {
        boolean first;
        synchronized (this) {
            first = ack == null;
            try {
                if (first) {
                    if (event.getDialog() != null) {
                        dialog = event.getDialog();
                    }
                    state = State.CONFIRMED;
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
            bye.onTimeout();
        }
    }

    @Override
    public boolean onDialogTerminated(Dialog ended) {
        // before a 2xx, the dialog of a challenged or redirected INVITE may end while the next INVITE runs (until
        // then the session's end takes the handler away); after our BYE, its response does (the stack ends the dialog
        // on a challenge to the BYE too, before we send it again)
        return state == State.CONFIRMED && ended == dialog;
    }

    @Override
    public void onClientBye(Request request) {
        LOG.info("client ended push session {}", callId);
        clientBye.complete(Instant.now());
        onClientBye.run();
    }
}
