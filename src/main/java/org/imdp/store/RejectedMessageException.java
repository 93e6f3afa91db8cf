package org.imdp.store;

/**
 * A message that cannot become deferred, or a registration that cannot be recorded, with the SIP status that tells
 * its sender why. Nothing of it was stored.
 */
public class RejectedMessageException extends RuntimeException {

    /** Why a message was refused, and the SIP final response that says so. */
    public enum Reason {
        /** Malformed: no or bad recipient/sender, bad date, etc. */
        INVALID(400, "Bad Request"),
        /** The recipient already has {@code imdp.store.max-per-recipient} messages stored. */
        OVER_QUOTA(486, "Busy Here"),
        /**
         * A global cap of the store is reached ({@code imdp.store.max-messages}, {@code max-bytes},
         * {@code max-recipients}, {@link StoreCapacity}): 507 Insufficient Storage (RFC 4918 11.5; not in SIP's
         * registry, so a SIP client takes it as the 500 of its class, RFC 3261 8.1.3.2, and reads the Warning): the
         * server is out of room whoever the recipient, where 486 Busy Here would blame the recipient.
         */
        STORE_FULL(507, "Insufficient Storage"),
        /** Larger than {@code imdp.store.max-message-size}. */
        TOO_LARGE(413, "Request Entity Too Large"),
        /**
         * A REGISTER of a recipient not registered yet while {@code imdp.registration.max-entries} are: RFC 3261
         * 21.5.4, the server is temporarily unable to take it (registrations expire and make room), with Retry-After.
         */
        REGISTRATIONS_FULL(503, "Service Unavailable"),
        /** The recipient is in none of {@code imdp.sip.home-domains}: RFC 3261 21.4.5, not a domain this server handles. */
        NOT_HOME_DOMAIN(404, "Not Found");

        private final int sipStatus;
        private final String sipReason;

        Reason(int sipStatus, String sipReason) {
            this.sipStatus = sipStatus;
            this.sipReason = sipReason;
        }
    }

    private final Reason reason;
    private final Integer retryAfter;

    public RejectedMessageException(Reason reason, String message) {
        this(reason, message, null);
    }

    /** @param retryAfter seconds after which the sender may try again (SIP Retry-After), {@code null} for none */
    public RejectedMessageException(Reason reason, String message, Integer retryAfter) {
        super(message);
        this.reason = reason;
        this.retryAfter = retryAfter;
    }

    public Reason getReason() {
        return reason;
    }

    /** The SIP final response code for the sender of a MESSAGE. */
    public int getSipStatus() {
        return reason.sipStatus;
    }

    public String getSipReason() {
        return reason.sipReason;
    }

    /** Seconds after which the sender may try again (the response's Retry-After), or {@code null}. */
    public Integer getRetryAfter() {
        return retryAfter;
    }
}
