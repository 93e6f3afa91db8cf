package org.imdp.ch1.support;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import org.imdp.ch1.codec.Diameter;
import org.imdp.ch1.codec.DiameterAvp;
import org.imdp.ch1.codec.DiameterEncoder;
import org.imdp.ch1.codec.DiameterFrameDecoder;
import org.imdp.ch1.codec.DiameterMessage;

/**
 * A small Diameter server built from the project's codec, for what freeDiameter cannot be made to do:
 * answer a chosen Result-Code, drop a connection in the middle of a request, send garbage or a request
 * of its own. Answers CER, DWR and DPR like a server would.
 */
public final class TestDiameterServer implements AutoCloseable {

    /** What to do with an ACR. */
    @FunctionalInterface
    public interface AcrBehaviour {
        void onAcr(ChannelHandlerContext ctx, DiameterMessage acr);
    }

    private final String identity;
    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final Channel server;
    private final BlockingQueue<DiameterMessage> received = new LinkedBlockingQueue<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile Channel current;
    private volatile AcrBehaviour acrBehaviour = answering(Diameter.DIAMETER_SUCCESS);
    private volatile boolean answerWatchdog = true;
    private volatile boolean refuseConnections;

    public TestDiameterServer(String identity) throws InterruptedException {
        this.identity = identity;
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.incrementAndGet();
                        current = ch;
                        ch.pipeline().addLast(new DiameterFrameDecoder(1 << 20), new DiameterEncoder(), new Handler());
                    }
                }).bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public String peer() {
        return "127.0.0.1:" + port();
    }

    public BlockingQueue<DiameterMessage> received() {
        return received;
    }

    public int connections() {
        return connections.get();
    }

    public void onAcr(AcrBehaviour behaviour) {
        this.acrBehaviour = behaviour;
    }

    public void answerWatchdog(boolean answer) {
        this.answerWatchdog = answer;
    }

    /**
     * While true, every CER is answered DIAMETER_UNABLE_TO_COMPLY (5012), so that no connection gets OPEN (a Charging
     * Enabler that is down, and one the client reaches again at once when set back to false); true also drops the
     * latest connection.
     */
    public void refuseConnections(boolean refuse) {
        refuseConnections = refuse;
        Channel ch = current;
        if (refuse && ch != null) {
            ch.close().syncUninterruptibly();
        }
    }

    /** Writes to the latest connection: a {@link DiameterMessage} or raw bytes. */
    public void send(Object message) {
        current.writeAndFlush(message).syncUninterruptibly();
    }

    public boolean connected() {
        Channel ch = current;
        return ch != null && ch.isActive();
    }

    public AcrBehaviour answering(long resultCode) {
        return (ctx, acr) -> ctx.writeAndFlush(answer(acr, resultCode));
    }

    /** Takes the request and drops the connection without answering, as a crashing server would. */
    public static AcrBehaviour closingWithoutAnswer() {
        return (ctx, acr) -> ctx.close();
    }

    /**
     * Answers with an ACA whose only AVP is a Result-Code of 3 octets (Unsigned32 has 4): a well-formed frame whose
     * result cannot be read. The codec cannot encode it, so it goes out as raw bytes.
     */
    public static AcrBehaviour answeringWithA3OctetResultCode() {
        return (ctx, acr) -> ctx.writeAndFlush(ctx.alloc().buffer().writeBytes(ByteBufUtil.decodeHexDump(
                "01000020" + "0000010f" + "00000003" + String.format("%08x%08x", acr.hopByHop(), acr.endToEnd())
                + "0000010c" + "4000000b" + "0007d1" + "00")));
    }

    public DiameterMessage answer(DiameterMessage request, long resultCode) {
        return answer(request, resultCode, identity);
    }

    /** The answer a server with Origin-Host {@code identity} gives to {@code request}. */
    public static DiameterMessage answer(DiameterMessage request, long resultCode, String identity) {
        List<DiameterAvp> avps = new ArrayList<>();
        request.avp(Diameter.SESSION_ID).ifPresent(avps::add);
        avps.add(DiameterAvp.unsigned32(Diameter.RESULT_CODE, 0, true, resultCode));
        avps.add(DiameterAvp.identity(Diameter.ORIGIN_HOST, 0, true, identity));
        avps.add(DiameterAvp.identity(Diameter.ORIGIN_REALM, 0, true, "localdomain"));
        if (request.commandCode() == Diameter.CMD_ACCOUNTING) {
            avps.add(DiameterAvp.enumerated(Diameter.ACCOUNTING_RECORD_TYPE, 0, true, Diameter.ACCOUNTING_RECORD_TYPE_EVENT));
            avps.add(DiameterAvp.unsigned32(Diameter.ACCOUNTING_RECORD_NUMBER, 0, true, 0));
        }
        if (request.commandCode() == Diameter.CMD_CAPABILITIES_EXCHANGE) {
            avps.add(DiameterAvp.address(Diameter.HOST_IP_ADDRESS, 0, true, InetAddress.getLoopbackAddress()));
            avps.add(DiameterAvp.unsigned32(Diameter.VENDOR_ID, 0, true, 0));
            avps.add(DiameterAvp.utf8(Diameter.PRODUCT_NAME, 0, false, "test server"));
            avps.add(DiameterAvp.unsigned32(Diameter.ACCT_APPLICATION_ID, 0, true, Diameter.APP_BASE_ACCOUNTING));
        }
        int flags = request.flags() & DiameterMessage.FLAG_PROXIABLE;
        return new DiameterMessage(flags, request.commandCode(), request.applicationId(), request.hopByHop(), request.endToEnd(), avps);
    }

    /** A request from this server to the client. */
    public DiameterMessage request(int commandCode, long applicationId, int hopByHop) {
        return new DiameterMessage(DiameterMessage.FLAG_REQUEST, commandCode, applicationId, hopByHop, hopByHop, List.of(
                DiameterAvp.identity(Diameter.ORIGIN_HOST, 0, true, identity),
                DiameterAvp.identity(Diameter.ORIGIN_REALM, 0, true, "localdomain")));
    }

    /** Raw bytes for the latest connection. */
    public ByteBuf buffer(byte[] bytes) {
        return current.alloc().buffer(bytes.length).writeBytes(bytes);
    }

    /** Requests of one command received so far. */
    public List<DiameterMessage> requests(int commandCode) {
        return received.stream().filter(m -> m.isRequest() && m.commandCode() == commandCode).toList();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Handler extends SimpleChannelInboundHandler<Object> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof DiameterMessage m)) {
                return;
            }
            received.add(m);
            if (!m.isRequest()) {
                return;
            }
            switch (m.commandCode()) {
                case Diameter.CMD_CAPABILITIES_EXCHANGE -> ctx.writeAndFlush(answer(m, refuseConnections
                        ? 5012 : Diameter.DIAMETER_SUCCESS));
                case Diameter.CMD_DEVICE_WATCHDOG -> {
                    if (answerWatchdog) {
                        ctx.writeAndFlush(answer(m, Diameter.DIAMETER_SUCCESS));
                    }
                }
                case Diameter.CMD_DISCONNECT_PEER -> ctx.writeAndFlush(answer(m, Diameter.DIAMETER_SUCCESS))
                        .addListener(f -> ctx.close());
                case Diameter.CMD_ACCOUNTING -> acrBehaviour.onAcr(ctx, m);
                default -> ctx.writeAndFlush(answer(m, Diameter.DIAMETER_COMMAND_UNSUPPORTED));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
