package org.imdp.ch1.peer;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

import org.imdp.ch1.codec.DiameterMessage;

/** A request waiting for its answer; touched only on the group's event loop. */
final class PendingRequest {

    /** The request with its End-to-End identifier; the Hop-by-Hop identifier is set per send. */
    final DiameterMessage request;
    final CompletableFuture<Ch1Answer> result = new CompletableFuture<>();
    /** false: fail at once when no peer is OPEN, instead of waiting (within the request timeout) for one. */
    boolean waitForPeer = true;
    ScheduledFuture<?> timeout;
    /** Set once the request went out: every later send is a possible duplicate and carries the T flag. */
    boolean sentBefore;
    /** Set once this request was written to a connection: from then on it may have reached a peer. */
    boolean written;
    boolean lastSendRetransmitted;
    PeerConnection connection;
    int hopByHop;

    PendingRequest(DiameterMessage request) {
        this.request = request;
    }
}
