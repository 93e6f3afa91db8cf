package org.imdp.sipmsrp.msrp;

import java.util.concurrent.CompletableFuture;

/** An established MSRP session over one TCP connection, used by one push at a time. */
public interface MsrpSession extends AutoCloseable {

    /**
     * Sends one complete message (one SEND, or several chunks when it is larger than the chunk size)
     * with {@code Failure-Report: yes}. Completes with the status of the final transaction: 200 when the
     * peer acknowledged the whole message, the peer's error code (e.g. 413, 415, 481; no further chunk is
     * sent after an error), or 408 when no answer came within the transaction timeout. With Success-Report
     * configured, a 200 to the last chunk is not enough: the status is that of the message's REPORT, or 408
     * when none came within the transaction timeout. What a status means for a push: {@link MsrpStatusAction}. Completes exceptionally ({@link MsrpException}) if
     * the connection is lost. Never completes on a Netty event-loop thread in a way that requires the
     * caller to block it: callers chain with the async variants.
     */
    CompletableFuture<MsrpSendResult> send(String messageId, String contentType, byte[] body);

    /** Completes when the TCP connection closes, for whatever reason. */
    CompletableFuture<Void> closeFuture();

    /** Closes the connection (flush first). Idempotent. */
    @Override
    void close();
}
