package org.imdp.store;

/**
 * A message that cannot become deferred, with the SIP status that tells its sender why. Nothing of it
 * was stored.
 */
public class RejectedMessageException extends RuntimeException {

    /** Why a message was refused, and the SIP final response that says so. */
    public enum Reason {
        /** Malformed: no or bad recipient/sender, bad date, etc. */
        INVALID(400, "Bad Request"),
        /** The recipient already has {@code imdp.store.max-per-recipient} messages stored. */
        OVER_QUOTA(486, "Busy Here"),
        /** Larger than {@code imdp.store.max-message-size}. */
        TOO_LARGE(413, "Request Entity Too Large");

        private final int sipStatus;
        private final String sipReason;

        Reason(int sipStatus, String sipReason) {
            this.sipStatus = sipStatus;
            this.sipReason = sipReason;
        }
    }

    private final Reason reason;

    public RejectedMessageException(Reason reason, String message) {
        super(message);
        this.reason = reason;
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
}
