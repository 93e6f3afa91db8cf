package org.imdp.ch1.peer;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import org.imdp.ch1.Ch1NotSentException;
import org.imdp.ch1.Ch1TransientException;
import org.imdp.ch1.codec.DiameterMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Diameter client towards a primary and secondary peers (RFC 6733 §5.1, RFC 3539 failover). Keeps a
 * connection to every peer, sends each request to the first OPEN one in order of preference, and when
 * a connection is lost re-sends its unanswered requests to the next OPEN peer with the T flag and the
 * same End-to-End identifier. Requests that find no OPEN peer wait (within their timeout) until one
 * opens. Everything runs on one event loop, so no state is shared between threads.
 */
public final class PeerGroup {

    private static final Logger LOG = LoggerFactory.getLogger(PeerGroup.class);

    private final PeerSettings settings;
    private final EventLoop loop;
    private final Class<? extends Channel> channelType;
    private final DiameterIdentifiers ids = new DiameterIdentifiers();
    private final List<PeerConnection> connections = new ArrayList<>();
    private final Deque<PendingRequest> waiting = new ArrayDeque<>();
    private boolean stopping;

    /**
     * One peer's state now.
     *
     * @param peer     host:port
     * @param open     its Diameter connection is OPEN (CEA 2001 received, not lost since)
     * @param downFor  since its first failed connection attempt or the loss of its OPEN connection; zero while OPEN, and
     *                 before the first attempt failed
     * @param failures connection attempts failed in this outage
     */
    public record PeerStatus(String peer, boolean open, Duration downFor, long failures) {
    }

    public PeerGroup(PeerSettings settings, EventLoop loop, Class<? extends Channel> channelType) {
        this.settings = settings;
        this.loop = loop;
        this.channelType = channelType;
        for (InetSocketAddress address : settings.peers()) {
            connections.add(new PeerConnection(this, settings, address,
                    new PeerOutage(System::nanoTime, PeerConnection.OUTAGE_REMINDER)));
        }
    }

    /** How a peer is named in logs, health and metrics: host:port as configured. */
    public static String peerName(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    EventLoop loop() {
        return loop;
    }

    Class<? extends Channel> channelType() {
        return channelType;
    }

    DiameterIdentifiers ids() {
        return ids;
    }

    public void start() {
        loop.execute(() -> connections.forEach(PeerConnection::connect));
    }

    /** Sends DPR on every open connection and fails whatever is still waiting; completes when all are closed. */
    public CompletableFuture<Void> stop() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            stopping = true;
            List<PendingRequest> left = new ArrayList<>(waiting);
            waiting.clear();
            left.forEach(p -> fail(p, "CH-1 client stopping"));
            CompletableFuture.allOf(connections.stream().map(PeerConnection::stop).toArray(CompletableFuture[]::new))
                    .whenComplete((v, e) -> done.complete(null));
        });
        return done;
    }

    /** Whether a connection is OPEN now; for health checks and tests. */
    public CompletableFuture<List<String>> openPeers() {
        CompletableFuture<List<String>> result = new CompletableFuture<>();
        loop.execute(() -> result.complete(connections.stream().filter(PeerConnection::isOpen).map(PeerConnection::name).toList()));
        return result;
    }

    /** Every peer's state, in order of preference; for health checks and gauges. */
    public CompletableFuture<List<PeerStatus>> peerStatus() {
        CompletableFuture<List<PeerStatus>> result = new CompletableFuture<>();
        loop.execute(() -> result.complete(connections.stream().map(PeerConnection::status).toList()));
        return result;
    }

    /**
     * Sends a request and completes with its answer, or with a {@link Ch1TransientException} when no
     * answer came within the request timeout: a {@link Ch1NotSentException} when the request was never written to a
     * connection. The Hop-by-Hop and End-to-End identifiers are assigned here.
     * The future completes on the event loop: continue elsewhere with an async stage.
     *
     * @param possibleDuplicate the request may have reached a server before (T flag from the first send on)
     */
    public CompletableFuture<Ch1Answer> send(DiameterMessage request, boolean possibleDuplicate) {
        return send(request, possibleDuplicate, true);
    }

    /**
     * @param waitForPeer false: fail at once with {@link Ch1TransientException} when no peer is OPEN (now, or after a
     *                    failover), for a caller that has a better place to wait than its own thread
     */
    public CompletableFuture<Ch1Answer> send(DiameterMessage request, boolean possibleDuplicate, boolean waitForPeer) {
        PendingRequest pending = new PendingRequest(request.withEndToEnd(ids.nextEndToEnd()));
        pending.sentBefore = possibleDuplicate;
        pending.waitForPeer = waitForPeer;
        loop.execute(() -> {
            if (stopping) {
                fail(pending, "CH-1 client stopping");
                return;
            }
            pending.timeout = loop.schedule(() -> timedOut(pending), settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
            dispatch(pending);
        });
        return pending.result;
    }

    private void dispatch(PendingRequest pending) {
        if (pending.result.isDone()) {
            return;
        }
        for (PeerConnection connection : connections) {
            if (connection.isOpen()) {
                // the answer gets a full request timeout from this transmission: a request that waited for
                // a peer must not time out (and be sent again by the caller) just after it went out
                pending.timeout.cancel(false);
                pending.timeout = loop.schedule(() -> timedOut(pending), settings.requestTimeout().toMillis(),
                        TimeUnit.MILLISECONDS);
                connection.send(pending);
                return;
            }
        }
        if (!pending.waitForPeer) {
            fail(pending, "no open peer among " + settings.peers() + " (not waiting for one)");
            return;
        }
        LOG.debug("CH-1: no open peer, request waits");
        waiting.add(pending);
    }

    private void timedOut(PendingRequest pending) {
        String where;
        if (pending.connection != null) {
            where = "from " + pending.connection.name();
            pending.connection.forget(pending);
        } else {
            where = "(no open peer among " + settings.peers() + ")";
            waiting.remove(pending);
        }
        fail(pending, "no answer " + where + " within " + settings.requestTimeout());
    }

    void opened(PeerConnection connection) {
        List<PendingRequest> ready = new ArrayList<>(waiting);
        waiting.clear();
        ready.forEach(this::dispatch);
    }

    /** The peer sent DPR: its unanswered requests stay with it until the transport closes. */
    void closing(PeerConnection connection) {
        LOG.info("CH-1 peer {} is disconnecting; new requests go to the next peer", connection.name());
    }

    void lost(PeerConnection connection, List<PendingRequest> orphans) {
        for (PendingRequest pending : orphans) {
            pending.connection = null;
            if (stopping) {
                fail(pending, "CH-1 client stopping");
            } else {
                LOG.warn("CH-1: re-sending request e2e 0x{} after losing {}", Integer.toHexString(pending.request.endToEnd()),
                        connection.name());
                dispatch(pending);
            }
        }
    }

    void answered(PendingRequest pending, Ch1Answer answer) {
        pending.timeout.cancel(false);
        pending.result.complete(answer);
    }

    /** Fails the request for a retry: {@link Ch1NotSentException} when it was never written to a connection. */
    void fail(PendingRequest pending, String reason) {
        if (pending.timeout != null) {
            pending.timeout.cancel(false);
        }
        pending.result.completeExceptionally(pending.written ? new Ch1TransientException(reason) : new Ch1NotSentException(reason));
    }
}
