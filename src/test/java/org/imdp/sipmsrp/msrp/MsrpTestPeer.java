package org.imdp.sipmsrp.msrp;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import org.imdp.sipmsrp.msrp.codec.MsrpByteRange;
import org.imdp.sipmsrp.msrp.codec.MsrpEndFlag;
import org.imdp.sipmsrp.msrp.codec.MsrpFrame;
import org.imdp.sipmsrp.msrp.codec.MsrpFrameDecoder;
import org.imdp.sipmsrp.msrp.codec.MsrpFrameEncoder;
import org.imdp.sipmsrp.msrp.codec.MsrpHeaderNames;
import org.imdp.sipmsrp.msrp.codec.MsrpIds;
import org.imdp.sipmsrp.msrp.codec.MsrpRequest;
import org.imdp.sipmsrp.msrp.codec.MsrpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A scriptable MSRP endpoint for tests, playing the IM client, built on the project's codec.
 * <p>
 * It listens on {@code 127.0.0.1} ({@link #start(int)}, port 0 = any free port) under one session-id, so
 * {@link #path()} is what a client would put in its SDP {@code a=path}. It can also connect to a path
 * itself ({@link #connect(String)}), as a client answering {@code a=setup:active} does. On every connection
 * it records each request it receives ({@link #frames()}, bodies copied, nothing to release) and answers:
 * <ul>
 * <li>a request whose To-Path is not {@link #path()}: 481;</li>
 * <li>an empty SEND (binding): always 200;</li>
 * <li>a SEND with a body (a message chunk): as set by {@link #answerWith(int)} (default 200),
 * {@link #answerInTurn(int...)}, {@link #silent()}, {@link #closeOnMessage()} or {@link #hold()} (answered
 * later by the test, in any order, with {@link #answerHeld(int, int)});</li>
 * <li>REPORT: no answer; any other method: 501.</li>
 * </ul>
 * A message whose last chunk asked for {@code Success-Report: yes} and was answered 200 gets a REPORT with
 * {@code Status: 000 200 OK} for all its octets, or the status set with {@link #reportWith(int)}, or none after
 * {@link #noReports()}.
 * Chunks are put back together by {@link #message(String)}. Call {@link #close()} when done.
 */
public final class MsrpTestPeer implements AutoCloseable {

    /** What the peer does with a SEND that carries a body. */
    public enum Behaviour {
        /** Answer with the status of {@link #answerInTurn(int...)} or {@link #answerWith(int)}. */
        ANSWER,
        /** Never answer, so that the sender's transaction times out. */
        SILENT,
        /** Close the connection instead of answering. */
        CLOSE,
        /** Keep the chunk unanswered until the test answers it with {@link #answerHeld(int, int)}. */
        HOLD
    }

    /** A message chunk kept unanswered by {@link #hold()}, on the connection it came in. */
    private record Held(ChannelHandlerContext ctx, MsrpRequest request) {
    }

    /**
     * One request the peer received.
     *
     * @param request the request without its body (holds no buffer)
     * @param body    a copy of the body; empty when there was none
     */
    public record Received(MsrpRequest request, byte[] body) {

        public String header(String name) {
            return request.header(name);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(MsrpTestPeer.class);
    private final String host;
    /** The relay reservation method of RFC 4976. */
    private static final String AUTH = "AUTH";
    private static final long SHUTDOWN_TIMEOUT_MILLIS = 2000;

    private final String sessionId = MsrpIds.newSessionId();
    private final List<Received> frames = new CopyOnWriteArrayList<>();
    private final Map<String, CompletableFuture<MsrpResponse>> pending = new ConcurrentHashMap<>();
    private final MsrpFrameEncoder encoder = new MsrpFrameEncoder();
    private volatile Behaviour behaviour = Behaviour.ANSWER;
    private volatile int status = MsrpResponse.OK;
    private final Queue<Integer> inTurn = new ConcurrentLinkedQueue<>();
    /** How long each message chunk's answer is held back (a network's round trip), or null. */
    private volatile Duration answerDelay;
    /** Every chunk held so far, in arrival order (answered ones stay in place, so indexes do not move). */
    private final List<Held> held = new CopyOnWriteArrayList<>();
    /** Held chunks not answered yet, and the most there ever were at once. */
    private final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicInteger maxOutstanding = new AtomicInteger();
    /** Status of the REPORT to a message that asked for a Success-Report; null: no REPORT. */
    private volatile Integer reportStatus = MsrpResponse.OK;
    /** Status of a REPORT sent after every message chunk answered 200, asked for or not; null: none. */
    private volatile Integer chunkReportStatus;
    private EventLoopGroup group;
    private Channel server;
    private int port;
    private MsrpTls tls;

    /** A peer on {@code 127.0.0.1}. */
    public MsrpTestPeer() {
        this("127.0.0.1");
    }

    /** A peer on {@code host} (e.g. the far end of a veth pair). */
    public MsrpTestPeer(String host) {
        this.host = host;
    }

    /**
     * MSRP over TLS (before {@link #start(int)}): the peer listens with TLS on an {@code msrps:} path, showing the
     * certificate of {@code server}, and opens its own connections with {@code client}.
     */
    public MsrpTestPeer tls(SslContext server, SslContext client) {
        this.tls = new MsrpTls(server, client);
        return this;
    }

    /** Binds {@code host:port}; 0 picks a free port. */
    public MsrpTestPeer start(int port) {
        group = new NioEventLoopGroup(1);
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(initializer(null, null, 0)).bind(host, port).syncUninterruptibly().channel();
        this.port = ((InetSocketAddress) server.localAddress()).getPort();
        return this;
    }

    public int port() {
        return port;
    }

    /** Our MSRP URI, {@code msrp://127.0.0.1:<port>/<session-id>;tcp} ({@code msrps://} with {@link #tls}). */
    public String path() {
        return (tls != null ? "msrps://" : "msrp://") + host + ":" + port + "/" + sessionId + ";tcp";
    }

    /** Every request received so far, on all connections, in arrival order. */
    public List<Received> frames() {
        return List.copyOf(frames);
    }

    /** The message with {@code messageId}, reassembled from the bodies of its chunks by Byte-Range. */
    public byte[] message(String messageId) {
        List<Received> chunks = frames.stream()
                .filter(r -> messageId.equals(r.request().messageId()) && r.body().length > 0)
                .sorted(Comparator.comparingLong(r -> r.request().byteRange().start()))
                .toList();
        if (chunks.isEmpty()) {
            throw new AssertionError("No chunk of message " + messageId + " received");
        }
        long total = chunks.get(0).request().byteRange().total();
        byte[] message = new byte[Math.toIntExact(total)];
        long next = 1;
        for (Received chunk : chunks) {
            MsrpByteRange range = chunk.request().byteRange();
            if (range.start() != next || range.end() - range.start() + 1 != chunk.body().length) {
                throw new AssertionError("Chunk " + range + " of message " + messageId + " does not follow octet "
                                         + (next - 1) + " or does not match its " + chunk.body().length + " octets");
            }
            System.arraycopy(chunk.body(), 0, message, Math.toIntExact(range.start() - 1), chunk.body().length);
            next = range.end() + 1;
        }
        if (next - 1 != total) {
            throw new AssertionError("Message " + messageId + " has " + (next - 1) + " of " + total + " octets");
        }
        return message;
    }

    /** Answer message chunks with {@code status} (200 by default). */
    public MsrpTestPeer answerWith(int status) {
        this.status = status;
        this.behaviour = Behaviour.ANSWER;
        return this;
    }

    /**
     * Answer the next message chunks with {@code statuses}, one each in order, and later ones as set by
     * {@link #answerWith(int)}: for different answers to the messages of one session.
     */
    public MsrpTestPeer answerInTurn(int... statuses) {
        for (int s : statuses) {
            inTurn.add(s);
        }
        this.behaviour = Behaviour.ANSWER;
        return this;
    }

    /**
     * Hold each answer to a message chunk back for {@code delay}, as a network's round trip would: for benchmarks of
     * chunks in flight. Answers keep their order.
     */
    public MsrpTestPeer answerAfter(Duration delay) {
        this.answerDelay = delay;
        return this;
    }

    /** REPORT {@code status} (e.g. 415) to messages that ask for a Success-Report, instead of 200. */
    public MsrpTestPeer reportWith(int status) {
        this.reportStatus = status;
        return this;
    }

    /**
     * After the 200 to every message chunk, also send a REPORT with {@code status} for the octets so far, asked
     * for or not: e.g. 413, a receiver that wants the rest of the message stopped.
     */
    public MsrpTestPeer reportEveryChunkWith(int status) {
        this.chunkReportStatus = status;
        return this;
    }

    /** Never send a REPORT, even when one is asked for. */
    public MsrpTestPeer noReports() {
        this.reportStatus = null;
        return this;
    }

    /** Do not answer message chunks at all. */
    public MsrpTestPeer silent() {
        this.behaviour = Behaviour.SILENT;
        return this;
    }

    /** Close the connection when a message chunk arrives. */
    public MsrpTestPeer closeOnMessage() {
        this.behaviour = Behaviour.CLOSE;
        return this;
    }

    /**
     * Keep message chunks unanswered ({@link #held()}) until {@link #answerHeld(int, int)}: to see how many a sender
     * has in flight, and to answer them in any order.
     */
    public MsrpTestPeer hold() {
        this.behaviour = Behaviour.HOLD;
        return this;
    }

    /** How many message chunks were held so far, answered or not. */
    public int held() {
        return held.size();
    }

    /** The most held chunks that were unanswered at the same time. */
    public int maxOutstanding() {
        return maxOutstanding.get();
    }

    /**
     * Answers held chunk {@code index} (0 = the first held) with {@code status}; completes when the response is
     * written, so anything the test does afterwards reaches the sender after it.
     */
    public CompletableFuture<Void> answerHeld(int index, int status) {
        Held chunk = held.get(index);
        outstanding.decrementAndGet();
        CompletableFuture<Void> written = new CompletableFuture<>();
        respond(chunk.ctx(), chunk.request(), status).addListener(f -> written.complete(null));
        return written;
    }

    /** Sends a REPORT with {@code status} for every octet of the message of held chunk {@code index}. */
    public void sendReport(int index, int status) {
        Held chunk = held.get(index);
        report(chunk.ctx(), chunk.request(), status, chunk.request().byteRange().total());
    }

    /** Closes the connection of held chunk {@code index}; completes when it is closed. */
    public CompletableFuture<Void> closeHeld(int index) {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        held.get(index).ctx().close().addListener(f -> closed.complete(null));
        return closed;
    }

    /** Opens a TCP connection to the host and port of {@code targetPath}, as an active client does. */
    public Connection connect(String targetPath) {
        MsrpUri target = MsrpUri.parse(targetPath);
        return connect(target.host(), target.port(), targetPath);
    }

    /**
     * Opens a TCP connection to {@code host:port} whose requests go to {@code targetPath}: e.g. an MSRP relay,
     * whose URI for AUTH has no session-id (RFC 4976).
     */
    public Connection connect(String host, int port, String targetPath) {
        Connection connection = new Connection(targetPath);
        connection.channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(initializer(connection, host, port)).connect(host, port).syncUninterruptibly()
                .channel();
        return connection;
    }

    @Override
    public void close() {
        if (group != null) {
            server.close().syncUninterruptibly();
            group.shutdownGracefully(0, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).syncUninterruptibly();
            group = null;
        }
    }

    private ChannelInitializer<SocketChannel> initializer(Connection connection, String toHost, int toPort) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel channel) {
                if (tls != null) {
                    channel.pipeline().addLast(MsrpTls.HANDLER, connection == null ? tls.serverHandler(channel.alloc())
                            : tls.clientHandler(channel.alloc(), toHost, toPort));
                }
                channel.pipeline().addLast(new MsrpFrameDecoder(), encoder, new PeerHandler(connection));
            }
        };
    }

    /** A connection the peer opened itself. */
    public final class Connection implements AutoCloseable {

        private final String targetPath;
        private final List<MsrpResponse> responses = new CopyOnWriteArrayList<>();
        private final CompletableFuture<Void> closed = new CompletableFuture<>();
        private Channel channel;

        private Connection(String targetPath) {
            this.targetPath = targetPath;
        }

        /** Sends an empty SEND to bind the connection; completes with the response. */
        public CompletableFuture<MsrpResponse> bind() {
            return request(MsrpRequest.SEND);
        }

        /**
         * Reserves a relay (RFC 4976 AUTH, no credentials); completes with the response, whose {@code Use-Path}
         * goes first in the client's a=path.
         */
        public CompletableFuture<MsrpResponse> auth() {
            MsrpRequest request = new MsrpRequest(MsrpIds.newTransactionId(), AUTH)
                    .addHeader(MsrpHeaderNames.TO_PATH, targetPath)
                    .addHeader(MsrpHeaderNames.FROM_PATH, path());
            CompletableFuture<MsrpResponse> response = new CompletableFuture<>();
            pending.put(request.transactionId(), response);
            channel.writeAndFlush(request);
            return response;
        }

        /** Sends a body-less request of {@code method}; completes with the response (never, for REPORT). */
        public CompletableFuture<MsrpResponse> request(String method) {
            MsrpRequest request = new MsrpRequest(MsrpIds.newTransactionId(), method)
                    .addHeader(MsrpHeaderNames.TO_PATH, targetPath)
                    .addHeader(MsrpHeaderNames.FROM_PATH, path())
                    .addHeader(MsrpHeaderNames.MESSAGE_ID, MsrpIds.newMessageId())
                    .addHeader(MsrpHeaderNames.BYTE_RANGE, "1-0/0");
            CompletableFuture<MsrpResponse> response = new CompletableFuture<>();
            pending.put(request.transactionId(), response);
            channel.writeAndFlush(request);
            return response;
        }

        /**
         * Sends a one-chunk SEND of {@code text} (text/plain) to {@code toPath} with {@code Failure-Report:
         * failureReport} ({@code null}: no such header); completes with the response, if one comes.
         */
        public CompletableFuture<MsrpResponse> send(String toPath, String failureReport, String text) {
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            MsrpRequest request = new MsrpRequest(MsrpIds.newTransactionId(), MsrpRequest.SEND,
                    Unpooled.wrappedBuffer(body), MsrpEndFlag.COMPLETE)
                    .addHeader(MsrpHeaderNames.TO_PATH, toPath)
                    .addHeader(MsrpHeaderNames.FROM_PATH, path())
                    .addHeader(MsrpHeaderNames.MESSAGE_ID, MsrpIds.newMessageId())
                    .addHeader(MsrpHeaderNames.BYTE_RANGE, "1-" + body.length + "/" + body.length)
                    .addHeader(MsrpHeaderNames.CONTENT_TYPE, "text/plain");
            if (failureReport != null) {
                request.addHeader(MsrpHeaderNames.FAILURE_REPORT, failureReport);
            }
            CompletableFuture<MsrpResponse> response = new CompletableFuture<>();
            pending.put(request.transactionId(), response);
            channel.writeAndFlush(request);
            return response;
        }

        /** Writes {@code text} as it is, bypassing the encoder, to send malformed input. */
        public void writeRaw(String text) {
            channel.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        }

        /** Every response received on this connection. */
        public List<MsrpResponse> responses() {
            return List.copyOf(responses);
        }

        /** Completes when the connection is closed, by either side. */
        public CompletableFuture<Void> closed() {
            return closed;
        }

        @Override
        public void close() {
            channel.close().syncUninterruptibly();
        }
    }

    private void report(ChannelHandlerContext ctx, MsrpRequest request, int status, long end) {
        ctx.writeAndFlush(new MsrpRequest(MsrpIds.newTransactionId(), MsrpRequest.REPORT)
                .addHeader(MsrpHeaderNames.TO_PATH, request.fromPath())
                .addHeader(MsrpHeaderNames.FROM_PATH, path())
                .addHeader(MsrpHeaderNames.MESSAGE_ID, request.messageId())
                .addHeader(MsrpHeaderNames.BYTE_RANGE, "1-" + end + "/" + request.byteRange().total())
                .addHeader(MsrpHeaderNames.STATUS, "000 " + status + " " + MsrpStatusAction.reasonPhrase(status)));
    }

    private ChannelFuture respond(ChannelHandlerContext ctx, MsrpRequest request, int code) {
        return ctx.writeAndFlush(new MsrpResponse(request.transactionId(), code, null)
                .addHeader(MsrpHeaderNames.TO_PATH, request.fromPath().split(" ")[0])
                .addHeader(MsrpHeaderNames.FROM_PATH, path()));
    }

    private final class PeerHandler extends SimpleChannelInboundHandler<MsrpFrame> {

        private final Connection connection;

        PeerHandler(Connection connection) {
            this.connection = connection;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, MsrpFrame frame) {
            if (frame.decoderResult().isFailure()) {
                LOG.warn("Test peer got a malformed frame: {}", frame);
            } else if (frame instanceof MsrpResponse response) {
                if (connection != null) {
                    connection.responses.add(response);
                }
                CompletableFuture<MsrpResponse> waiting = pending.remove(response.transactionId());
                if (waiting != null) {
                    waiting.complete(response);
                }
            } else {
                MsrpRequest request = (MsrpRequest) frame;
                MsrpRequest headers = request.replace(Unpooled.EMPTY_BUFFER);
                frames.add(new Received(headers, ByteBufUtil.getBytes(request.content())));
                if (behaviour == Behaviour.HOLD && MsrpRequest.SEND.equals(request.method())
                    && request.content().isReadable() && sessionId.equals(MsrpUri.firstSessionId(request.toPath()))) {
                    maxOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
                    held.add(new Held(ctx, headers));
                } else {
                    answer(ctx, request);
                }
            }
        }

        private void answer(ChannelHandlerContext ctx, MsrpRequest request) {
            if (!sessionId.equals(MsrpUri.firstSessionId(request.toPath()))) {
                respond(ctx, request, MsrpResponse.NO_SUCH_SESSION);
            } else if (MsrpRequest.REPORT.equals(request.method())) {
                LOG.debug("Test peer got a REPORT: {}", request);
            } else if (!MsrpRequest.SEND.equals(request.method())) {
                respond(ctx, request, MsrpResponse.UNKNOWN_METHOD);
            } else if (!request.content().isReadable()) {
                respond(ctx, request, MsrpResponse.OK);
            } else {
                switch (behaviour) {
                    case ANSWER -> {
                        Integer next = inTurn.poll();
                        int code = next != null ? next : status;
                        // only the request's headers are used, still there once its content is released
                        Runnable answer = () -> {
                            respond(ctx, request, code);
                            if (code == MsrpResponse.OK) {
                                reportIfAsked(ctx, request);
                            }
                        };
                        Duration delay = answerDelay;
                        if (delay == null) {
                            answer.run();
                        } else {
                            ctx.executor().schedule(answer, delay.toNanos(), TimeUnit.NANOSECONDS);
                        }
                    }
                    case SILENT -> LOG.debug("Test peer stays silent on {}", request.transactionId());
                    case CLOSE -> ctx.close();
                    case HOLD -> throw new IllegalStateException("held chunks are not answered here");
                }
            }
        }

        /**
         * The REPORT to the last chunk of a message that asked for a Success-Report (RFC 4975 §7.1.2), and the one
         * of {@link #reportEveryChunkWith(int)}.
         */
        private void reportIfAsked(ChannelHandlerContext ctx, MsrpRequest request) {
            MsrpByteRange range = request.byteRange();
            Integer everyChunk = chunkReportStatus;
            if (everyChunk != null) {
                report(ctx, request, everyChunk, range.end());
            }
            Integer success = reportStatus;
            if (success != null && "yes".equals(request.successReport()) && request.endFlag() == MsrpEndFlag.COMPLETE) {
                report(ctx, request, success, range.total());
            }
        }



        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (connection != null) {
                connection.closed.complete(null);
            }
            super.channelInactive(ctx);
        }
    }
}
