package org.imdp.sipmsrp.msrp;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.imdp.sipmsrp.msrp.codec.MsrpFrameDecoder;
import org.imdp.sipmsrp.msrp.codec.MsrpFrameEncoder;
import org.imdp.sipmsrp.msrp.codec.MsrpIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MSRP over TCP with Netty (RFC 4975, connection model of RFC 4975 §5.4 / RFC 6135). One instance owns an
 * event loop group and the listening socket; {@link #allocate()} hands out one endpoint per SIP session.
 * <p>
 * <b>Threads.</b> Nothing blocks an event-loop thread. Every future handed to callers ({@code connect},
 * {@code accept}, {@code send}, {@code closeFuture}) is completed on the completion executor (by default
 * {@link ForkJoinPool#commonPool()}), never on an event loop, so a caller may even block in a dependent
 * stage without stalling the I/O of other sessions.
 * <p>
 * <b>Binding.</b> {@code connect} opens the TCP connection to the first URI of the peer's path and sends an
 * empty SEND (Message-ID, {@code Byte-Range: 1-0/0}, no body, no Content-Type) so that the peer can bind the
 * connection to the session (RFC 4975 §5.4); it completes when that SEND got 200. {@code accept} waits for a
 * connection whose first request has our URI in its To-Path; that request is answered as usual (a SEND
 * with 200). A first request for a session-id we do not know gets 481, one for a session that is already
 * bound gets 506, and the connection is closed. Until its first request bound it, an accepted connection is
 * bounded by {@link UnboundConnections}: so many at once, so many octets each.
 * <p>
 * <b>TLS.</b> Given {@link MsrpTls} (RFC 4975 §14), every session is over TLS: our URIs are {@code msrps:}, the
 * listening socket takes TLS only, and a connection goes out over TLS to a peer whose path is {@code msrps:} and
 * whose certificate names the host it is reached at. A peer path of the other scheme is refused either way: no
 * session falls back to plain TCP, and none asks for TLS that is not configured.
 */
public final class NettyMsrpSessions implements MsrpSessions, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NettyMsrpSessions.class);
    private static final String THREAD_NAME = "imdp-msrp";
    private static final long SHUTDOWN_QUIET_MILLIS = 0;
    private static final long SHUTDOWN_TIMEOUT_MILLIS = 2000;

    private final MsrpSessionsConfig config;
    private final Executor completionExecutor;
    private final MsrpTls tls;
    private final ConcurrentMap<String, NettyMsrpEndpoint> endpoints = new ConcurrentHashMap<>();
    private final MsrpFrameEncoder encoder = new MsrpFrameEncoder();
    private final UnboundConnections unbound;
    private volatile EventLoopGroup group;
    private Channel serverChannel;
    private volatile int boundPort = -1;

    public NettyMsrpSessions(MsrpSessionsConfig config) {
        this(config, ForkJoinPool.commonPool());
    }

    /** @param completionExecutor where the futures given to callers are completed; must not be an event loop */
    public NettyMsrpSessions(MsrpSessionsConfig config, Executor completionExecutor) {
        this(config, completionExecutor, null);
    }

    /** @param tls the TLS contexts of msrps sessions; null = every session is msrp over plain TCP */
    public NettyMsrpSessions(MsrpSessionsConfig config, Executor completionExecutor, MsrpTls tls) {
        this.config = Objects.requireNonNull(config, "config");
        this.completionExecutor = Objects.requireNonNull(completionExecutor, "completionExecutor");
        this.tls = tls;
        this.unbound = new UnboundConnections(config.maxUnbound(), config.unboundMaxBytes());
    }

    /** Whether the sessions are msrps (TLS). */
    public boolean secure() {
        return tls != null;
    }

    /**
     * Starts the event loop and binds the listening socket; returns when it is bound.
     *
     * @throws MsrpException when the socket cannot be bound
     */
    public synchronized void start() {
        if (group != null) {
            return;
        }
        group = new NioEventLoopGroup(0, new DefaultThreadFactory(THREAD_NAME, true));
        ServerBootstrap server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(initializer(null, null));
        ChannelFuture bind = server.bind(config.host(), config.port()).awaitUninterruptibly();
        if (!bind.isSuccess()) {
            group.shutdownGracefully(SHUTDOWN_QUIET_MILLIS, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            group = null;
            throw new MsrpException("Cannot listen for MSRP on " + config.host() + ":" + config.port(), bind.cause());
        }
        serverChannel = bind.channel();
        boundPort = ((InetSocketAddress) serverChannel.localAddress()).getPort();
        LOG.info("MSRP listening on {}:{}", config.host(), boundPort);
    }

    /** Closes every endpoint and connection, the listening socket and the event loop. Idempotent. */
    public synchronized void stop() {
        if (group == null) {
            return;
        }
        endpoints.values().forEach(NettyMsrpEndpoint::close);
        serverChannel.close().awaitUninterruptibly();
        group.shutdownGracefully(SHUTDOWN_QUIET_MILLIS, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                .awaitUninterruptibly();
        group = null;
        serverChannel = null;
        boundPort = -1;
        LOG.info("MSRP stopped");
    }

    @Override
    public void close() {
        stop();
    }

    /** @return the port the listening socket is bound to (the ephemeral one when configured with 0) */
    public int port() {
        int port = boundPort;
        if (port < 0) {
            throw new IllegalStateException("MSRP sessions are not started");
        }
        return port;
    }

    public MsrpSessionsConfig config() {
        return config;
    }

    @Override
    public MsrpLocalEndpoint allocate() {
        String sessionId = MsrpIds.newSessionId();
        NettyMsrpEndpoint endpoint = new NettyMsrpEndpoint(this, sessionId,
                MsrpUri.format(config.host(), port(), sessionId, secure()));
        endpoints.put(sessionId, endpoint);
        return endpoint;
    }

    /** Accepted connections open now that have not bound to a session yet. */
    public int unboundConnections() {
        return unbound.open();
    }

    /** Accepted connections closed so far at once because {@link #unboundConnections()} was at the limit. */
    public long unboundConnectionsRefused() {
        return unbound.refused();
    }

    /** Accepted connections closed so far because they sent more than allowed before binding. */
    public long unboundConnectionsOverBytes() {
        return unbound.closedOverBytes();
    }

    NettyMsrpEndpoint endpoint(String sessionId) {
        return sessionId == null ? null : endpoints.get(sessionId);
    }

    void release(NettyMsrpEndpoint endpoint) {
        endpoints.remove(endpoint.sessionId(), endpoint);
    }

    Executor completionExecutor() {
        return completionExecutor;
    }

    EventLoopGroup group() {
        EventLoopGroup current = group;
        if (current == null) {
            throw new MsrpException("MSRP sessions are not started");
        }
        return current;
    }

    /** @throws IllegalArgumentException when the peer's URI is not of our scheme (msrps with TLS, else msrp) */
    void checkTransport(MsrpUri target) {
        if (target.secure() != secure()) {
            throw new IllegalArgumentException(secure()
                    ? "the peer's path is msrp (plain TCP), but the session is msrps (TLS): not sent in the clear"
                    : "the peer's path is msrps (TLS), which is not configured (imdp.msrp.tls)");
        }
    }

    /** Opens a connection for {@code endpoint}; the caller listens on the returned future. */
    ChannelFuture connect(MsrpUri target, MsrpConnection connection) {
        return new Bootstrap()
                .group(group())
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                .handler(initializer(connection, target))
                .connect(target.host(), target.port());
    }

    /**
     * @param outbound the handler of an outgoing connection, or {@code null} for accepted connections
     * @param target   where an outgoing connection goes, or {@code null}
     */
    private ChannelInitializer<SocketChannel> initializer(MsrpConnection outbound, MsrpUri target) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel channel) {
                ChannelPipeline pipeline = channel.pipeline();
                if (tls != null) {
                    // first: everything after it reads and writes plain MSRP
                    pipeline.addLast(MsrpTls.HANDLER, target == null ? tls.serverHandler(channel.alloc())
                            : tls.clientHandler(channel.alloc(), target.host(), target.port()));
                }
                if (outbound == null) {
                    pipeline.addLast(UnboundConnections.Guard.NAME, unbound.newGuard());
                }
                pipeline.addLast("decoder", new MsrpFrameDecoder(MsrpFrameDecoder.DEFAULT_MAX_LINE_LENGTH,
                        MsrpFrameDecoder.DEFAULT_MAX_HEADERS, config.maxBodySize()));
                pipeline.addLast("encoder", encoder);
                pipeline.addLast("handler", outbound != null ? outbound : new MsrpConnection(NettyMsrpSessions.this));
            }
        };
    }
}
