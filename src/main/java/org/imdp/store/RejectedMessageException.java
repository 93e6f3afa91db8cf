package org.imdp.store;

/**
 * A message that cannot become deferred, or a registration that cannot be recorded, and why. Nothing of it was
 * stored. How its sender is told (a SIP final response, a dead-letter queue) is for the caller to say: the SIP
 * answers are {@code org.imdp.intake.SipRefusals}'.
 */
public class RejectedMessageException extends RuntimeException {

    /** Why a message or a registration was refused. */
    public enum Reason {
        /** Malformed (no or bad recipient/sender, bad date, etc.), or its id already names another stored message. */
        INVALID,
        /** The recipient already has {@code imdp.store.max-per-recipient} messages stored. */
        OVER_QUOTA,
        /**
         * A global cap of the store is reached ({@code imdp.store.max-messages}, {@code max-bytes},
         * {@code max-recipients}, {@link StoreCapacity}): the store is out of room whoever the recipient.
         */
        STORE_FULL,
        /** Larger than {@code imdp.store.max-message-size}. */
        TOO_LARGE,
        /**
         * A registration of a recipient not registered yet while {@code imdp.registration.max-entries} are; room is
         * made when a registration runs out.
         */
        REGISTRATIONS_FULL,
        /** The recipient is in none of {@code imdp.sip.home-domains}: nobody this service keeps messages for. */
        NOT_HOME_DOMAIN
    }

    private final Reason reason;

    public RejectedMessageException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason getReason() {
        return reason;
    }
}
