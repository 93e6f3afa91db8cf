package org.imdp.sipmsrp.msrp;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One session-id of {@link NettyMsrpSessions}: connects out or accepts one connection, exactly once. */
final class NettyMsrpEndpoint implements MsrpLocalEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(NettyMsrpEndpoint.class);

    /** How an accepted connection's first request fares. */
    enum Binding {
        BOUND,
        /** 481: the session is closed, timed out, connects out itself, or the From-Path is not the peer's. */
        NO_SUCH_SESSION,
        /** 506: the session already has its connection. */
        ALREADY_BOUND
    }

    private enum Mode {
        NEW,
        CONNECT,
        ACCEPT
    }

    private final NettyMsrpSessions owner;
    private final String sessionId;
    private final String localPath;
    /** Completed (on the completion executor) with the accepted connection. */
    private final CompletableFuture<MsrpSession> accepted = new CompletableFuture<>();
    private Mode mode = Mode.NEW;
    private List<String> expectedRemotePath;
    private MsrpConnection connection;
    private boolean closed;

    NettyMsrpEndpoint(NettyMsrpSessions owner, String sessionId, String localPath) {
        this.owner = owner;
        this.sessionId = sessionId;
        this.localPath = localPath;
    }

    String sessionId() {
        return sessionId;
    }

    @Override
    public String localPath() {
        return localPath;
    }

    @Override
    public CompletableFuture<MsrpSession> connect(List<String> remotePath) {
        return connect(remotePath, null, 0);
    }

    @Override
    public CompletableFuture<MsrpSession> connect(List<String> remotePath, String host, int port) {
        List<String> path = List.copyOf(remotePath);
        if (path.isEmpty()) {
            throw new IllegalArgumentException("remotePath is empty");
        }
        MsrpUri firstHop;
        try {
            path.forEach(MsrpUri::parse);
            firstHop = MsrpUri.parse(path.get(0));
            if (host != null) {
                if (port <= 0 || port > 65535) {
                    throw new IllegalArgumentException("port out of range: " + port);
                }
                firstHop = new MsrpUri(host, port, firstHop.sessionId(), firstHop.secure());
            }
            owner.checkTransport(firstHop);
        } catch (IllegalArgumentException e) {
            // the path comes from the peer's SDP: a bad one is the peer's failure, not a programming error
            return CompletableFuture.failedFuture(new MsrpException("Unusable MSRP path " + path + ": "
                                                                    + e.getMessage(), e));
        }
        synchronized (this) {
            checkUnused(Mode.CONNECT);
        }
        CompletableFuture<MsrpSession> result = new CompletableFuture<>();
        MsrpConnection outbound = new MsrpConnection(owner, this, String.join(" ", path));
        MsrpUri target = firstHop;
        ChannelFuture connecting = owner.connect(target, outbound);
        connecting.addListener(done -> {
            if (!done.isSuccess()) {
                fail(result, new MsrpException("Cannot connect MSRP session " + sessionId + " to " + target.host()
                                               + ":" + target.port() + ": " + done.cause().getMessage(),
                        done.cause()));
                return;
            }
            outbound.bindOutgoing().whenComplete((ignored, error) -> {
                boolean bound = false;
                synchronized (this) {
                    if (error == null && !closed) {
                        connection = outbound;
                        bound = true;
                    }
                }
                if (error != null) {
                    outbound.close();
                    fail(result, error);
                } else if (!bound) {
                    outbound.close();
                    fail(result, new MsrpException("MSRP endpoint " + sessionId + " was closed while connecting"));
                } else {
                    LOG.debug("MSRP session {} bound to {}", sessionId, connecting.channel().remoteAddress());
                    owner.completionExecutor().execute(() -> result.complete(outbound));
                }
            });
        });
        return result;
    }

    @Override
    public CompletableFuture<MsrpSession> accept(List<String> remotePath, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        synchronized (this) {
            checkUnused(Mode.ACCEPT);
            expectedRemotePath = remotePath == null ? List.of() : List.copyOf(remotePath);
        }
        owner.group().schedule(() -> acceptTimedOut(timeout), timeout.toNanos(), TimeUnit.NANOSECONDS);
        return accepted;
    }

    private void acceptTimedOut(Duration timeout) {
        synchronized (this) {
            if (connection != null || closed) {
                return;
            }
            // a late connection must get 481 rather than bind a session nobody waits for any more
            closed = true;
        }
        owner.release(this);
        fail(accepted, new MsrpException("No MSRP connection for session " + sessionId + " within " + timeout));
    }

    /** Called on an event loop with the first request of an accepted connection addressed to us. */
    Binding bindIncoming(MsrpConnection incoming, String fromPath) {
        synchronized (this) {
            if (closed || mode == Mode.CONNECT) {
                return Binding.NO_SUCH_SESSION;
            }
            if (connection != null) {
                return Binding.ALREADY_BOUND;
            }
            String expected = MsrpUri.lastSessionId(expectedRemotePath);
            if (expected != null && !expected.equals(MsrpUri.lastSessionId(fromPath))) {
                LOG.warn("MSRP session {}: From-Path {} is not the peer's path {}", sessionId, fromPath,
                        expectedRemotePath);
                return Binding.NO_SUCH_SESSION;
            }
            connection = incoming;
        }
        LOG.debug("MSRP session {} bound to an accepted connection", sessionId);
        owner.completionExecutor().execute(() -> accepted.complete(incoming));
        return Binding.BOUND;
    }

    private void checkUnused(Mode wanted) {
        if (closed) {
            throw new IllegalStateException("MSRP endpoint " + sessionId + " is closed");
        }
        if (mode != Mode.NEW) {
            throw new IllegalStateException("MSRP endpoint " + sessionId + " is already used to " + mode);
        }
        mode = wanted;
    }

    private void fail(CompletableFuture<MsrpSession> future, Throwable cause) {
        Throwable unwrapped = cause instanceof CompletionException && cause.getCause() != null ? cause.getCause() : cause;
        Throwable error = unwrapped instanceof MsrpException ? unwrapped
                : new MsrpException(unwrapped.getMessage(), unwrapped);
        owner.completionExecutor().execute(() -> future.completeExceptionally(error));
    }

    @Override
    public void close() {
        MsrpConnection bound;
        synchronized (this) {
            if (closed && connection == null) {
                return;
            }
            closed = true;
            bound = connection;
            connection = null;
        }
        owner.release(this);
        if (bound != null) {
            bound.close();
        }
        if (!accepted.isDone()) {
            fail(accepted, new MsrpException("MSRP endpoint " + sessionId + " was closed"));
        }
    }

    @Override
    public String toString() {
        return "MsrpLocalEndpoint[" + localPath + "]";
    }
}
