package org.imdp.ch1.peer;

import org.imdp.ch1.codec.DiameterMessage;

/**
 * The answer to a request sent through a {@link PeerGroup}.
 *
 * @param peer          host:port of the peer that answered
 * @param retransmitted whether the request that got this answer carried the T flag
 */
public record Ch1Answer(DiameterMessage answer, String peer, boolean retransmitted) {
}
