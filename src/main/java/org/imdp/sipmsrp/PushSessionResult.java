package org.imdp.sipmsrp;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.imdp.sipmsrp.msrp.MsrpStatusAction;

/**
 * What one push session did, known as soon as its last message is decided: before its BYE ({@code sipmsrp:bye}), so
 * that the route settles it first and charges it right after the BYE.
 *
 * @param recipient     the recipient's public identity
 * @param contact       where the INVITE went
 * @param callId        SIP Call-ID of the session
 * @param inviteSentAt  when the INVITE was sent
 * @param answeredAt    when the 200 OK to the INVITE arrived
 * @param endedAt       when the session ended: its last message was decided and its BYE became due (the BYE
 *                      follows the route's settle, milliseconds later); when the client ended the session with its
 *                      own BYE: when that BYE arrived, and no BYE of ours is sent
 * @param messages      one entry per message attempted (an MSRP SEND was written), in push order; messages after
 *                      the first one that stopped the session are not attempted and not listed
 * @param failureReason why the session stopped before every message was acknowledged, or {@code null}
 * @param firstSendAt   when the first MSRP SEND was written, or {@code null} when none was
 * @param lastAnswerAt  when the last MSRP SEND got its answer, or {@code null} when none did
 * @param refusals      the messages the client refused for good (MSRP 413 or 415, or larger than its
 *                      {@code a=max-size} and so never sent), by message id, with the reason, in push order; they
 *                      leave the store for the refused queue and are not charged
 */
public record PushSessionResult(String recipient, String contact, String callId, Instant inviteSentAt,
        Instant answeredAt, Instant endedAt, List<MessageOutcome> messages, String failureReason,
        Instant firstSendAt, Instant lastAnswerAt, Map<String, String> refusals) {

    public PushSessionResult {
        refusals = Collections.unmodifiableMap(new LinkedHashMap<>(refusals));
    }

    /**
     * @param messageId  the message's {@link PushMessage#messageId}
     * @param msrpStatus final MSRP status of its SEND (200, or another 2xx = acknowledged; 408 = no answer in time;
     *                   0 = no answer because the connection was lost or the client ended the session)
     */
    public record MessageOutcome(String messageId, int msrpStatus) {

        /** Acknowledged by the client, so it leaves the store: the same rule the session decides by. */
        public boolean acknowledged() {
            return MsrpStatusAction.acknowledges(msrpStatus);
        }
    }

    public List<String> acknowledgedMessageIds() {
        return messages.stream().filter(MessageOutcome::acknowledged).map(MessageOutcome::messageId).toList();
    }

    /** Milliseconds from sending the INVITE to its 200 OK. */
    public long inviteToAnswerMillis() {
        return java.time.Duration.between(inviteSentAt, answeredAt).toMillis();
    }

    /** Milliseconds from sending the INVITE to the session's end. */
    public long sessionMillis() {
        return java.time.Duration.between(inviteSentAt, endedAt).toMillis();
    }

    /**
     * Whether every message was acknowledged or refused for good: the session did not stop early, and each message it
     * lists leaves the store ({@link #acknowledgedMessageIds}, {@link #refusals}). Only such a session may be
     * followed by the next one at once, so a message that would stay stored can never make that a loop.
     */
    public boolean complete() {
        return stopReason() == null;
    }

    /** Why the session stopped before every message it carried was acknowledged or refused, or {@code null}. */
    public String stopReason() {
        if (failureReason != null) {
            return failureReason;
        }
        List<String> unsettled = unsettled();
        return unsettled.isEmpty() ? null : "neither acknowledged nor refused: " + unsettled;
    }

    /** "complete" when every message was acknowledged or refused for good, else why the session stopped early. */
    public String outcome() {
        String stopped = stopReason();
        return stopped == null ? "complete" : "incomplete: " + stopped;
    }

    /** The messages listed that neither were acknowledged nor refused for good (they stay stored). */
    private List<String> unsettled() {
        return messages.stream().filter(m -> !m.acknowledged() && !refusals.containsKey(m.messageId()))
                .map(MessageOutcome::messageId).toList();
    }

    public int refusedCount() {
        return refusals.size();
    }

    public int acknowledgedCount() {
        return (int) messages.stream().filter(MessageOutcome::acknowledged).count();
    }

    /**
     * The session in one line, for its log: "Call-ID c: 3 sent, 2 acknowledged, 1 refused, complete (INVITE answered
     * in 4 ms, session 31 ms)". One expression for a route's log, where each property read would be one more.
     */
    @Override
    public String toString() {
        return "Call-ID " + callId + ": " + messages.size() + " sent, " + acknowledgedCount() + " acknowledged, "
                + refusedCount() + " refused, " + outcome() + " (INVITE answered in " + inviteToAnswerMillis()
                + " ms, session " + sessionMillis() + " ms)";
    }
}
