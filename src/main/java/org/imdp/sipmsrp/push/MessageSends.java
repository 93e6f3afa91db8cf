package org.imdp.sipmsrp.push;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import org.imdp.sipmsrp.PushMessage;
import org.imdp.sipmsrp.PushSessionResult.MessageOutcome;
import org.imdp.sipmsrp.msrp.MsrpSendResult;
import org.imdp.sipmsrp.msrp.MsrpSession;
import org.imdp.sipmsrp.msrp.MsrpStatusAction;
import org.imdp.sipmsrp.msrp.codec.MsrpIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Steps 3 and 4: one MSRP SEND per message, in order, each waiting for its 200 OK, until a status that ends the
 * session ({@link MsrpStatusAction}; a message the client refuses for good is skipped), or the session is cut short.
 * Runs as one chain on the session's executor, which alone touches this object's state until the chain completes.
 */
final class MessageSends {

    private static final Logger LOG = LoggerFactory.getLogger(MessageSends.class);

    private final List<PushMessage> messages;
    private final PushCounters counters;
    private final Executor executor;
    private final String recipient;
    /** Why the session ends before its next message (the client's BYE, the service stopping), else {@code null}. */
    private final Supplier<String> cutShort;

    private final List<MessageOutcome> outcomes = new ArrayList<>();
    /** Messages the client refused for good, by id, with the reason; in push order. */
    private final Map<String, String> refusals = new LinkedHashMap<>();
    private String callId;
    private Long peerMaxSize;
    /** Why the session ended before its last message was decided. */
    private String stopReason;
    private Instant firstSendAt;
    private Instant lastAnswerAt;
    /** The message being prepared or sent, for the reason of a session stopped by an unexpected error. */
    private PushMessage sending;

    MessageSends(List<PushMessage> messages, PushCounters counters, Executor executor, String recipient,
            Supplier<String> cutShort) {
        this.messages = messages;
        this.counters = counters;
        this.executor = executor;
        this.recipient = recipient;
        this.cutShort = cutShort;
    }

    /**
     * Sends every message ({@link #sendFrom}). Whatever is thrown while a message is prepared (its payload made) or
     * sent, or while its answer is taken, stops the session there like an MSRP error that ends it: the session ends
     * with a BYE and a result that lists the messages decided before that one, so that the acknowledged ones are
     * settled (removed, charged) and the rest stays stored, instead of the whole session failing unsettled and every
     * acknowledged message being pushed again. Never completes exceptionally.
     */
    CompletableFuture<Void> sendAll(String callId, MsrpConnect.Connected connected) {
        this.callId = callId;
        this.peerMaxSize = connected.peerMaxSize();
        CompletableFuture<Void> sent;
        try {
            sent = sendFrom(connected.session(), 0);
        } catch (Throwable t) {
            sent = CompletableFuture.failedFuture(t);
        }
        return sent.exceptionally(error -> {
            Throwable cause = PushSession.unwrap(error);
            PushMessage message = sending;
            String at = message == null ? "" : " at message " + message.messageId();
            LOG.warn("push {} to {} stopped{}: {}", callId, recipient, at, cause.toString(), cause);
            stopReason = "push stopped" + at + ": " + cause;
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
        String ending = cutShort.get();
        if (ending != null) {
            stopReason = ending;
            return CompletableFuture.completedFuture(null);
        }
        PushMessage message = messages.get(index);
        sending = message;
        byte[] payload = message.payload().get();
        if (peerMaxSize != null && payload.length > peerMaxSize) {
            // never sent: it would be refused, and would stop every later message with it
            refuse(message, "larger than the client's a=max-size " + peerMaxSize + " (" + payload.length
                            + " octets as " + message.contentType() + "); not sent");
            return sendFrom(session, index + 1);
        }
        counters.messageSent();
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
                outcomes.add(outcome(message, PushSession.NO_RESPONSE));
                String ended = cutShort.get();
                stopReason = ended != null ? ended
                        : "MSRP SEND of message " + message.messageId() + " failed: "
                          + PushSession.unwrap(error).getMessage();
                return false;
            }
            lastAnswerAt = Instant.now();
            outcomes.add(outcome(message, result.status()));
            String answered = "MSRP " + result.status() + " " + MsrpStatusAction.reasonPhrase(result.status());
            switch (MsrpStatusAction.of(result.status())) {
                case DELIVERED -> counters.messageAcknowledged();
                case REFUSED -> refuse(message, answered);
                case STOP_SESSION -> {
                    stopReason = "MSRP SEND of message " + message.messageId() + " answered " + result.status()
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
        counters.messageRefused();
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

    List<MessageOutcome> outcomes() {
        return List.copyOf(outcomes);
    }

    Map<String, String> refusals() {
        return refusals;
    }

    String stopReason() {
        return stopReason;
    }

    Instant firstSendAt() {
        return firstSendAt;
    }

    Instant lastAnswerAt() {
        return lastAnswerAt;
    }
}
