package org.imdp.registration;

import java.time.Duration;

import org.imdp.store.RejectedMessageException;

/**
 * A registration of a recipient not registered yet, refused because {@code imdp.registration.max-entries} recipients
 * are ({@link RejectedMessageException.Reason#REGISTRATIONS_FULL}), with when room is made: when the first
 * registration runs out.
 */
public final class RegistrationsFullException extends RejectedMessageException {

    private final Duration roomIn;

    public RegistrationsFullException(String message, Duration roomIn) {
        super(Reason.REGISTRATIONS_FULL, message);
        this.roomIn = roomIn;
    }

    /** How long until the first registration runs out (unless it is refreshed), in whole seconds, at least one. */
    public Duration roomIn() {
        return roomIn;
    }
}
