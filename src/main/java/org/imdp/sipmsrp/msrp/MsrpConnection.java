package org.imdp.sipmsrp.msrp;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.concurrent.ScheduledFuture;
import org.imdp.sipmsrp.msrp.codec.MsrpByteRange;
import org.imdp.sipmsrp.msrp.codec.MsrpEndFlag;
import org.imdp.sipmsrp.msrp.codec.MsrpFrame;
import org.imdp.sipmsrp.msrp.codec.MsrpHeaderNames;
import org.imdp.sipmsrp.msrp.codec.MsrpIds;
import org.imdp.sipmsrp.msrp.codec.MsrpRequest;
import org.imdp.sipmsrp.msrp.codec.MsrpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MSRP TCP connection: the last handler of its pipeline and, once bound to an endpoint, the
 * {@link MsrpSession}. All state is touched on the channel's event loop only; public futures are completed
 * on the completion executor of {@link NettyMsrpSessions}.
 * <p>
 * A message is sent as SEND chunks of at most {@code chunkSize} octets, each with its own transaction id
 * and {@code Failure-Report: yes}. Up to {@code window} chunks of a message are in flight: written, their
 * response not yet in (RFC 4975 matches responses by transaction id and does not require stop-and-wait);
 * each 200 (or other 2xx, {@link MsrpStatusAction#acknowledges}) lets the next chunk go out. The first answer that
 * is not a 2xx decides the message: no further chunk
 * of it is written, and the answers to its chunks still in flight end their transactions and are
 * ignored. Every chunk is written whole, so when a 413 comes (RFC 4975 §10: no further chunk of that message)
 * no chunk of it is in progress that would need ending with {@code #}; chunks already written may still reach
 * the peer. A lost connection fails the message, whatever was answered before. The message counts as
 * delivered only when every chunk got a 2xx. With {@code successReport} message chunks also carry
 * {@code Success-Report: yes} and a message is acknowledged by its REPORT, not by the 200s of its chunks.
 * Messages are not overlapped: {@link #send} is called for the next message when the previous one is decided.
 */
final class MsrpConnection extends SimpleChannelInboundHandler<MsrpFrame> implements MsrpSession {

    private static final Logger LOG = LoggerFactory.getLogger(MsrpConnection.class);
    private static final String FAILURE_REPORT_YES = "yes";
    private static final String FAILURE_REPORT_NO = "no";
    private static final String FAILURE_REPORT_PARTIAL = "partial";
    private static final String SUCCESS_REPORT_YES = "yes";

    private final NettyMsrpSessions owner;
    private final Duration transactionTimeout;
    private final int chunkSize;
    private final int window;
    private final boolean successReport;
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
    /** Open transactions by id; event loop only. */
    private final Map<String, CompletableFuture<MsrpResponse>> pending = new HashMap<>();
    /**
     * The REPORT each message being sent may get (its final status with Success-Report), by Message-ID; event loop
     * only.
     */
    private final Map<String, CompletableFuture<Report>> reports = new HashMap<>();
    /** {@code null} for an accepted connection until its first request binds it. */
    private NettyMsrpEndpoint endpoint;
    /** Our To-Path: the peer's path (SDP a=path) or, when accepted, the From-Path of its first request. */
    private String remotePath;
    private Channel channel;
    /** Why we closed the connection ourselves; {@code null} while it is open or when the peer closed it. */
    private volatile String closeReason;
    private ScheduledFuture<?> bindTimer;

    /** An accepted connection, bound by its first request. */
    MsrpConnection(NettyMsrpSessions owner) {
        this.owner = owner;
        this.transactionTimeout = owner.config().transactionTimeout();
        this.chunkSize = owner.config().chunkSize();
        this.window = owner.config().window();
        this.successReport = owner.config().successReport();
    }

    /** An outgoing connection of {@code endpoint} towards {@code remotePath}. */
    MsrpConnection(NettyMsrpSessions owner, NettyMsrpEndpoint endpoint, String remotePath) {
        this(owner);
        this.endpoint = endpoint;
        this.remotePath = remotePath;
    }

    // ---------------------------------------------------------------- MsrpSession

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when {@code messageId} is not an MSRP {@code ident} (4 to 32 characters
     *                                  of {@code A-Z a-z 0-9 . - + % =}, starting alphanumeric): a UUID with
     *                                  dashes is too long, use {@link MsrpIds#newMessageId()}
     */
    @Override
    public CompletableFuture<MsrpSendResult> send(String messageId, String contentType, byte[] body) {
        if (!MsrpIds.isIdent(messageId)) {
            throw new IllegalArgumentException("Message-ID must be an MSRP ident (RFC 4975 §9): " + messageId);
        }
        Objects.requireNonNull(body, "body");
        if (body.length > 0) {
            Objects.requireNonNull(contentType, "contentType");
        }
        CompletableFuture<MsrpSendResult> result = new CompletableFuture<>();
        try {
            channel.eventLoop().execute(() -> {
                // a REPORT may come for any message: an error one stops it (a 413 in a REPORT, RFC 4975 §10)
                CompletableFuture<Report> report = null;
                if (body.length > 0) {
                    report = new CompletableFuture<>();
                    reports.put(messageId, report);
                }
                fill(new Outgoing(messageId, contentType, body, report, result));
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new MsrpException("MSRP is stopped", e));
        }
        return result;
    }

    @Override
    public CompletableFuture<Void> closeFuture() {
        return closeFuture;
    }

    @Override
    public void close() {
        closeWith("closed locally");
    }

    // ---------------------------------------------------------------- sending

    /** Binds an outgoing connection with an empty SEND; completes (on the event loop) when it got 200. */
    CompletableFuture<Void> bindOutgoing() {
        MsrpRequest bind = newSend(MsrpIds.newMessageId(), new MsrpByteRange(1, 0, 0), Unpooled.EMPTY_BUFFER,
                MsrpEndFlag.COMPLETE);
        return transact(bind).thenAccept(response -> {
            if (!MsrpStatusAction.acknowledges(response.status())) {
                throw new MsrpException("MSRP peer " + remotePath + " answered the binding SEND with "
                                        + response.status() + " " + Objects.toString(response.comment(), ""));
            }
        });
    }

    /** Writes chunks of {@code m} while it is undecided, the window has room and no REPORT has decided it. */
    private void fill(Outgoing m) {
        while (!m.decided && m.inFlight < window && m.nextChunk < m.chunks && !m.reported()) {
            sendChunk(m, m.nextChunk++);
        }
    }

    private void sendChunk(Outgoing m, int index) {
        int offset = index * chunkSize;
        int length = Math.min(chunkSize, m.body.length - offset);
        int end = offset + length;
        boolean last = end == m.body.length;
        ByteBuf content = length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(m.body, offset, length);
        MsrpRequest chunk = newSend(m.messageId, new MsrpByteRange(offset + 1L, end, m.body.length), content,
                last ? MsrpEndFlag.COMPLETE : MsrpEndFlag.CONTINUES);
        if (length > 0) {
            chunk.addHeader(MsrpHeaderNames.CONTENT_TYPE, m.contentType);
        }
        m.inFlight++;
        m.bytesSent = end;
        String tid = chunk.transactionId();
        transact(chunk).whenComplete((response, error) -> answered(m, tid, response, error));
    }

    /** The answer to one chunk of {@code m}: decides the message, or lets the next chunk go out. */
    private void answered(Outgoing m, String tid, MsrpResponse response, Throwable error) {
        m.inFlight--;
        if (m.decided) {
            // the message was decided by an earlier answer (an error, a lost connection or a REPORT)
            return;
        }
        if (error != null) {
            m.decide();
            complete(m.result, null, error);
        } else if (!MsrpStatusAction.acknowledges(response.status())) {
            m.decide();
            LOG.info("MSRP message {} to {}: chunk {} answered {} {}", m.messageId, remotePath, tid,
                    response.status(), Objects.toString(response.comment(), ""));
            complete(m.result, new MsrpSendResult(response.status(), response.comment(), m.bytesSent), null);
        } else if (++m.acknowledged < m.chunks && !m.reported()) {
            fill(m);
        } else if (m.report != null && (successReport || m.reported())) {
            m.decided = true;
            awaitReport(m.messageId, m.report, m.bytesSent, m.result);
        } else {
            m.decide();
            complete(m.result, new MsrpSendResult(response.status(), response.comment(), m.bytesSent), null);
        }
    }

    /**
     * Success-Report: the message counts as delivered only on its REPORT {@code 000 200} for every octet; an error
     * REPORT gives its code, none within the transaction timeout a local 408 (RFC 4975 §7.1.1).
     */
    private void awaitReport(String messageId, CompletableFuture<Report> report, long bytesSent,
            CompletableFuture<MsrpSendResult> result) {
        ScheduledFuture<?> timer = channel.eventLoop().schedule(() -> {
            if (reports.remove(messageId) != null) {
                report.complete(new Report(MsrpResponse.REQUEST_TIMEOUT, "no REPORT within " + transactionTimeout));
            }
        }, transactionTimeout.toNanos(), TimeUnit.NANOSECONDS);
        report.whenComplete((status, error) -> {
            timer.cancel(false);
            if (error != null) {
                complete(result, null, error);
            } else {
                complete(result, new MsrpSendResult(status.status(), status.comment(), bytesSent), null);
            }
        });
    }

    private MsrpRequest newSend(String messageId, MsrpByteRange range, ByteBuf content, MsrpEndFlag flag) {
        MsrpRequest request = new MsrpRequest(MsrpIds.newTransactionId(), MsrpRequest.SEND, content, flag)
                .addHeader(MsrpHeaderNames.TO_PATH, remotePath)
                .addHeader(MsrpHeaderNames.FROM_PATH, endpoint.localPath())
                .addHeader(MsrpHeaderNames.MESSAGE_ID, messageId)
                .addHeader(MsrpHeaderNames.BYTE_RANGE, range.toString())
                .addHeader(MsrpHeaderNames.FAILURE_REPORT, FAILURE_REPORT_YES);
        if (successReport && content.isReadable()) {
            request.addHeader(MsrpHeaderNames.SUCCESS_REPORT, SUCCESS_REPORT_YES);
        }
        return request;
    }

    /**
     * Writes a request and completes, on the event loop, with its response, or with a local 408 when none
     * came within the transaction timeout. Fails with {@link MsrpException} when the write fails or the
     * connection closes first.
     */
    private CompletableFuture<MsrpResponse> transact(MsrpRequest request) {
        CompletableFuture<MsrpResponse> response = new CompletableFuture<>();
        String tid = request.transactionId();
        if (!channel.isActive()) {
            request.release();
            response.completeExceptionally(new MsrpException("MSRP connection to " + remotePath + " is closed ("
                                                             + Objects.toString(closeReason, "by the peer") + ")"));
            return response;
        }
        pending.put(tid, response);
        ScheduledFuture<?> timer = channel.eventLoop().schedule(() -> {
            if (pending.remove(tid) != null) {
                LOG.warn("MSRP transaction {} to {} got no response within {}", tid, remotePath, transactionTimeout);
                response.complete(new MsrpResponse(tid, MsrpResponse.REQUEST_TIMEOUT,
                        "no response within " + transactionTimeout));
            }
        }, transactionTimeout.toNanos(), TimeUnit.NANOSECONDS);
        response.whenComplete((r, e) -> timer.cancel(false));
        channel.writeAndFlush(request).addListener(written -> {
            if (!written.isSuccess() && pending.remove(tid) != null) {
                response.completeExceptionally(new MsrpException("Cannot write MSRP transaction " + tid + " to "
                                                                 + remotePath, written.cause()));
            }
        });
        return response;
    }

    private <T> void complete(CompletableFuture<T> future, T value, Throwable error) {
        Throwable cause = error == null || error instanceof MsrpException ? error
                : new MsrpException(error.getMessage(), error);
        owner.completionExecutor().execute(() -> {
            if (cause == null) {
                future.complete(value);
            } else {
                future.completeExceptionally(cause);
            }
        });
    }

    // ---------------------------------------------------------------- receiving

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        channel = ctx.channel();
        if (endpoint == null) {
            // an accepted connection that never says anything must not stay open for ever
            bindTimer = ctx.executor().schedule(() -> {
                if (endpoint == null) {
                    LOG.warn("MSRP connection from {} sent no request within {}, closing it", channel.remoteAddress(),
                            transactionTimeout);
                    closeWith("no request within " + transactionTimeout);
                }
            }, transactionTimeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        super.channelActive(ctx);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, MsrpFrame frame) {
        if (frame.decoderResult().isFailure()) {
            malformed(frame);
        } else if (frame instanceof MsrpResponse response) {
            received(response);
        } else {
            received((MsrpRequest) frame);
        }
    }

    private void malformed(MsrpFrame frame) {
        Throwable cause = frame.decoderResult().cause();
        // a 400 needs both paths: the From-Path to address it, the To-Path when we are not bound yet
        if (frame instanceof MsrpRequest && frame.fromPath() != null && frame.toPath() != null) {
            LOG.warn("Malformed MSRP request {} from {}, answering 400: {}", frame.transactionId(),
                    channel.remoteAddress(), cause.getMessage());
            respond((MsrpRequest) frame, MsrpResponse.BAD_REQUEST);
        } else {
            LOG.warn("Unintelligible MSRP input from {}, closing the connection: {}", channel.remoteAddress(),
                    cause.getMessage());
            closeWith("unintelligible input from the peer: " + cause.getMessage());
        }
    }

    private void received(MsrpResponse response) {
        String tid = response.transactionId();
        CompletableFuture<MsrpResponse> transaction = pending.get(tid);
        if (transaction == null) {
            LOG.warn("MSRP response {} {} from {} matches no open transaction, dropped", tid, response.status(),
                    channel.remoteAddress());
            return;
        }
        if (endpoint != null && !endpoint.sessionId().equals(MsrpUri.firstSessionId(response.toPath()))) {
            LOG.warn("MSRP response {} has To-Path {}, not {}, dropped", tid, response.toPath(),
                    endpoint.localPath());
            return;
        }
        pending.remove(tid);
        transaction.complete(response);
    }

    private void received(MsrpRequest request) {
        if (endpoint == null && !bind(request)) {
            return;
        }
        boolean forUs = endpoint.sessionId().equals(MsrpUri.firstSessionId(request.toPath()));
        switch (request.method()) {
            case MsrpRequest.SEND -> {
                if (forUs) {
                    // we only push, but the peer may send (e.g. an empty SEND to bind, or to open a NAT)
                    respond(request, MsrpResponse.OK);
                } else {
                    respond(request, MsrpResponse.NO_SUCH_SESSION);
                }
            }
            // REPORTs are never answered (RFC 4975 §7.1.2)
            case MsrpRequest.REPORT -> {
                if (forUs) {
                    reported(request);
                }
            }
            default -> respond(request, MsrpResponse.UNKNOWN_METHOD);
        }
    }

    /**
     * A REPORT for a message being sent: an error one ends it with its status (no further chunk), a success for
     * all its octets completes the wait for a Success-Report; anything else is only logged.
     */
    private void reported(MsrpRequest report) {
        CompletableFuture<Report> waiting = reports.get(report.messageId());
        Integer status = reportStatus(report.status());
        MsrpByteRange range;
        try {
            range = report.byteRange();
        } catch (IllegalArgumentException e) {
            range = null;
        }
        boolean whole = range != null && range.start() == 1 && range.total() != MsrpByteRange.UNKNOWN
                        && range.end() == range.total();
        if (waiting == null || status == null || MsrpStatusAction.acknowledges(status) && !(successReport && whole)) {
            // not for a message being sent, unreadable, or a success not asked for or for part of the message only
            LOG.info("MSRP REPORT for message {} from {}: {} {}", report.messageId(), remotePath, report.status(),
                    report.header(MsrpHeaderNames.BYTE_RANGE));
            return;
        }
        reports.remove(report.messageId());
        waiting.complete(new Report(status, "REPORT " + report.status()));
    }

    /** The status code of a REPORT's {@code Status: 000 200 OK} (namespace 000, RFC 4975 §9), or null. */
    private static Integer reportStatus(String status) {
        String[] f = status == null ? new String[0] : status.strip().split("\\s+");
        if (f.length < 2 || !"000".equals(f[0]) || !f[1].matches("\\d{3}")) {
            return null;
        }
        return Integer.valueOf(f[1]);
    }

    /** Binds an accepted connection to the endpoint its first request is addressed to. */
    private boolean bind(MsrpRequest first) {
        String sessionId = MsrpUri.firstSessionId(first.toPath());
        NettyMsrpEndpoint target = owner.endpoint(sessionId);
        NettyMsrpEndpoint.Binding binding = target == null ? NettyMsrpEndpoint.Binding.NO_SUCH_SESSION
                : target.bindIncoming(this, first.fromPath());
        if (binding == NettyMsrpEndpoint.Binding.BOUND) {
            endpoint = target;
            remotePath = first.fromPath();
            if (bindTimer != null) {
                bindTimer.cancel(false);
            }
            // bound: its place among the unbound connections is free, its frames have the decoder's limits
            if (channel.pipeline().get(UnboundConnections.Guard.NAME) != null) {
                channel.pipeline().remove(UnboundConnections.Guard.NAME);
            }
            return true;
        }
        boolean unknown = binding == NettyMsrpEndpoint.Binding.NO_SUCH_SESSION;
        LOG.warn("MSRP connection from {} refused for session {} ({}), answering {} and closing",
                channel.remoteAddress(), sessionId, unknown ? "unknown, closed, or another peer's" : "already bound",
                unknown ? MsrpResponse.NO_SUCH_SESSION : MsrpResponse.WRONG_CONNECTION);
        respond(first, unknown ? MsrpResponse.NO_SUCH_SESSION : MsrpResponse.WRONG_CONNECTION);
        closeWith("first request for " + (unknown ? "an unknown" : "an already bound") + " session");
        return false;
    }

    /** Answers a request, honouring its Failure-Report (RFC 4975 §7.1.1): no, partial (errors only), yes. */
    private void respond(MsrpRequest request, int status) {
        String failureReport = request.failureReport();
        if (MsrpRequest.SEND.equals(request.method()) && (FAILURE_REPORT_NO.equals(failureReport)
                                                          || FAILURE_REPORT_PARTIAL.equals(failureReport)
                                                             && status == MsrpResponse.OK)) {
            return;
        }
        // To-Path: the previous hop, i.e. the first URI of the From-Path (RFC 4975 §7.2)
        String previousHop = request.fromPath().strip().split("\\s+")[0];
        String self = endpoint != null ? endpoint.localPath() : request.toPath().strip().split("\\s+")[0];
        channel.writeAndFlush(new MsrpResponse(request.transactionId(), status, MsrpStatusAction.reasonPhrase(status))
                .addHeader(MsrpHeaderNames.TO_PATH, previousHop)
                .addHeader(MsrpHeaderNames.FROM_PATH, self))
                .addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.warn("MSRP connection {} failed, closing it: {}", ctx.channel().remoteAddress(), cause.toString());
        closeWith("connection failed: " + cause.getMessage());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (bindTimer != null) {
            bindTimer.cancel(false);
        }
        String reason = closeReason != null ? "connection closed: " + closeReason : "peer closed the connection";
        for (Map.Entry<String, CompletableFuture<MsrpResponse>> open : List.copyOf(pending.entrySet())) {
            open.getValue().completeExceptionally(new MsrpException("MSRP transaction " + open.getKey() + " to "
                                                                    + remotePath + " failed: " + reason));
        }
        pending.clear();
        for (Map.Entry<String, CompletableFuture<Report>> waiting : List.copyOf(reports.entrySet())) {
            waiting.getValue().completeExceptionally(new MsrpException("REPORT for MSRP message " + waiting.getKey()
                                                                       + " from " + remotePath + " lost: " + reason));
        }
        reports.clear();
        if (endpoint != null) {
            LOG.debug("MSRP session {}: {}", endpoint.sessionId(), reason);
        }
        complete(closeFuture, null, null);
        super.channelInactive(ctx);
    }

    /** Flushes what is queued, then closes; the first reason given is kept. */
    private void closeWith(String reason) {
        if (closeReason == null) {
            closeReason = reason;
        }
        Channel current = channel;
        if (current != null && current.isOpen()) {
            current.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** A message being sent: its chunks and the window's state; event loop only. */
    private final class Outgoing {
        final String messageId;
        final String contentType;
        final byte[] body;
        /** Where a REPORT for the message arrives, or {@code null} for an empty message. */
        final CompletableFuture<Report> report;
        final CompletableFuture<MsrpSendResult> result;
        /** One bodiless chunk for an empty message. */
        final int chunks;
        int nextChunk;
        int inFlight;
        int acknowledged;
        long bytesSent;
        /** Set by the first answer that decides the message; later answers are ignored. */
        boolean decided;

        Outgoing(String messageId, String contentType, byte[] body, CompletableFuture<Report> report,
                CompletableFuture<MsrpSendResult> result) {
            this.messageId = messageId;
            this.contentType = contentType;
            this.body = body;
            this.report = report;
            this.result = result;
            this.chunks = Math.max(1, (int) ((body.length + (long) chunkSize - 1) / chunkSize));
        }

        /** A REPORT (an error one, or the success asked for) has decided the message. */
        boolean reported() {
            return report != null && report.isDone();
        }

        /** Decided without waiting for a REPORT. */
        void decide() {
            decided = true;
            reports.remove(messageId);
        }
    }

    /** The final status a REPORT gave a message (or the local 408 when none came). */
    private record Report(int status, String comment) {
    }

    @Override
    public String toString() {
        return "MsrpSession[" + (endpoint == null ? "unbound" : endpoint.localPath()) + " -> " + remotePath + "]";
    }
}
