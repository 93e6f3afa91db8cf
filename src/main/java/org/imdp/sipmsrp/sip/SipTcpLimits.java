package org.imdp.sipmsrp.sip;

import java.time.Duration;

/**
 * What one SIP stack's TCP listening point takes at most (see {@link BoundedNioMessageProcessorFactory}).
 *
 * @param maxConnections accepted TCP connections open at once; more are shut down at once
 * @param idleTimeout    a TCP connection (accepted or opened by us) with no octet read or written for this long is
 *                       closed, within twice this time (the RI looks once per this period)
 * @param maxMessageSize largest SIP message read, start line, headers and body, in octets; over TCP a larger one
 *                       closes its connection before its body is kept (the RI reads UDP datagrams into a buffer of
 *                       this size, at most 65,535)
 */
public record SipTcpLimits(int maxConnections, Duration idleTimeout, int maxMessageSize) {

    /** The RI takes no less (it raises a smaller {@code MAX_MESSAGE_SIZE} to this). */
    public static final int MIN_MESSAGE_SIZE = 4096;

    public SipTcpLimits {
        if (maxConnections <= 0) {
            throw new IllegalArgumentException("maxConnections must be positive: " + maxConnections);
        }
        if (idleTimeout == null || idleTimeout.toMillis() <= 0) {
            throw new IllegalArgumentException("idleTimeout must be at least 1 ms: " + idleTimeout);
        }
        if (maxMessageSize < MIN_MESSAGE_SIZE) {
            throw new IllegalArgumentException("maxMessageSize must be at least " + MIN_MESSAGE_SIZE + ": "
                                               + maxMessageSize);
        }
    }
}
