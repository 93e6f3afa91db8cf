package org.imdp.sipmsrp.msrp;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The local end of one MSRP session, before its TCP connection exists. Exactly one of
 * {@link #connect} or {@link #accept} is called, depending on the SDP answer's {@code a=setup}
 * (RFC 6135): {@code passive} or absent means we connect, {@code active} means the client connects.
 */
public interface MsrpLocalEndpoint extends AutoCloseable {

    /** Our a=path URI, e.g. {@code msrp://127.0.0.1:2855/kjh23s9d8f7;tcp}. */
    String localPath();

    /**
     * Active side: connects to the first hop of the peer's path (the a=path URIs of the SDP answer, in
     * order) and binds the connection with an empty SEND that must be answered 200 OK. Completes with
     * the session, or exceptionally ({@link MsrpException}) on connect failure, timeout or error answer.
     */
    CompletableFuture<MsrpSession> connect(List<String> remotePath);

    /**
     * As {@link #connect(List)}, but the TCP connection goes to {@code host:port} whatever the authority of the
     * path's first URI: CEMA (RFC 6714), where the answer's c=/m= lines give the address to connect to and the
     * path only identifies the session. To-Path is still the whole {@code remotePath}.
     */
    CompletableFuture<MsrpSession> connect(List<String> remotePath, String host, int port);

    /**
     * Passive side: waits for the peer to connect to our listening port and send its first request whose
     * To-Path is our {@link #localPath()}; that request is answered 200 OK. Completes exceptionally
     * ({@link MsrpException}) when nothing arrives within {@code timeout}.
     */
    CompletableFuture<MsrpSession> accept(List<String> remotePath, Duration timeout);

    /** Releases the session-id (and closes the connection, if one was made). Idempotent. */
    @Override
    void close();
}
