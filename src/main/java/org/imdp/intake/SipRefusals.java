package org.imdp.intake;

import org.imdp.registration.RegistrationsFullException;
import org.imdp.store.RejectedMessageException;
import org.imdp.store.RejectedMessageException.Reason;

/**
 * The SIP final response that tells the sender of a MESSAGE or a REGISTER why it was refused
 * ({@link RejectedMessageException}): its status code, reason phrase and Retry-After, set by the route configuration
 * {@code sip-replies} ({@code routes/errors.xml}), which adds the exception's message as the Warning.
 */
public final class SipRefusals {

    private SipRefusals() {
    }

    /** A SIP status code and its reason phrase. */
    public record Answer(int status, String reasonPhrase) {
    }

    /** The SIP final response for {@code reason}. */
    public static Answer answer(Reason reason) {
        return switch (reason) {
            case INVALID -> new Answer(400, "Bad Request");
            // the recipient's quota: busy for this recipient only
            case OVER_QUOTA -> new Answer(486, "Busy Here");
            // RFC 4918 11.5; not in SIP's registry, so a SIP client takes it as the 500 of its class (RFC 3261
            // 8.1.3.2) and reads the Warning: the server is out of room whoever the recipient, where 486 Busy Here
            // would blame the recipient
            case STORE_FULL -> new Answer(507, "Insufficient Storage");
            case TOO_LARGE -> new Answer(413, "Request Entity Too Large");
            // RFC 3261 21.5.4: temporarily unable to take it (registrations expire and make room), with Retry-After
            case REGISTRATIONS_FULL -> new Answer(503, "Service Unavailable");
            // RFC 3261 21.4.5: not a domain this server handles
            case NOT_HOME_DOMAIN -> new Answer(404, "Not Found");
        };
    }

    /** The status code of the response to a request refused with {@code refused}. */
    public static int status(RejectedMessageException refused) {
        return answer(refused.getReason()).status();
    }

    /** The reason phrase of the response to a request refused with {@code refused}. */
    public static String reasonPhrase(RejectedMessageException refused) {
        return answer(refused.getReason()).reasonPhrase();
    }

    /**
     * Seconds after which the sender may try again (Retry-After), or {@code null}: when a registration runs out, for a
     * REGISTER refused because the registrations are full.
     */
    public static Integer retryAfter(RejectedMessageException refused) {
        return refused instanceof RegistrationsFullException full ? (int) full.roomIn().toSeconds() : null;
    }
}
