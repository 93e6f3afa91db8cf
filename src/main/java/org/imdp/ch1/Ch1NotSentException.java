package org.imdp.ch1;

/**
 * A {@link Ch1TransientException} for an ACR that never left: no peer connection was OPEN (at once, or within the
 * request timeout), or the client stopped first, and the request was never written to a connection. The Charging
 * Enabler cannot have it, so the next send of this event needs no T flag (RFC 6733 §3: T marks a request that may
 * have been sent before). Any failure after the ACR was written to a connection (no answer, the connection lost,
 * a 3xxx/4xxx or unreadable answer) is a plain {@link Ch1TransientException}: it may have reached the peer.
 */
public class Ch1NotSentException extends Ch1TransientException {

    private static final long serialVersionUID = 1L;

    public Ch1NotSentException(String message) {
        super(message);
    }
}
