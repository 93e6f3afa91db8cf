package org.imdp.sipmsrp.msrp;

import java.util.concurrent.CompletableFuture;

/** An established MSRP session over one TCP connection, used by one push at a time. */
public interface MsrpSession extends AutoCloseable {

    /**
     * Sends one complete message (one SEND, or several chunks when it is larger than the chunk size, up to the
     * window of them in flight) with {@code Failure-Report: yes}. Completes with 200 when the peer answered every
     * chunk 200, else with the first other status that came (e.g. 413, 415, 481; no further chunk is sent after
     * it, answers to chunks still in flight are ignored), or 408 when a chunk got no answer within the transaction
     * timeout. A push sends the next message only once this one has completed, so messages do not overlap.
     * With Success-Report configured, 200s to the chunks are not enough: the status is that of the message's
     * REPORT, or 408 when none came within the transaction timeout. What a status means for a push:
     * {@link MsrpStatusAction}. Completes exceptionally ({@link MsrpException}) if the connection is lost, whatever
     * was answered before. Never completes on a Netty event-loop thread in a way that requires the
     * caller to block it: callers chain with the async variants.
     */
    CompletableFuture<MsrpSendResult> send(String messageId, String contentType, byte[] body);

    /** Completes when the TCP connection closes, for whatever reason. */
    CompletableFuture<Void> closeFuture();

    /** Closes the connection (flush first). Idempotent. */
    @Override
    void close();
}
