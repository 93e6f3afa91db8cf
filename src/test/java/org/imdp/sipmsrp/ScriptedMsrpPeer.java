package org.imdp.sipmsrp;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import org.imdp.sipmsrp.msrp.MsrpTestPeer;
import org.imdp.sipmsrp.msrp.codec.MsrpFrameDecoder;
import org.imdp.sipmsrp.msrp.codec.MsrpFrameEncoder;
import org.imdp.sipmsrp.msrp.codec.MsrpHeaderNames;
import org.imdp.sipmsrp.msrp.codec.MsrpIds;
import org.imdp.sipmsrp.msrp.codec.MsrpRequest;
import org.imdp.sipmsrp.msrp.codec.MsrpResponse;

/**
 * A passive MSRP peer that answers each message-carrying SEND with the next status of a script (then 200),
 * for tests that need different answers for different messages of one session; {@link MsrpTestPeer} answers all
 * of them alike. Empty (binding) SENDs get 200. Each message must fit in one SEND.
 */
final class ScriptedMsrpPeer implements AutoCloseable {

    private static final String HOST = "127.0.0.1";

    private final String sessionId = MsrpIds.newSessionId();
    private final Deque<Integer> script = new ArrayDeque<>();
    private final List<byte[]> bodies = new CopyOnWriteArrayList<>();
    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final Channel server;

    /** Listens on a free loopback port; message n gets statuses[n], later ones 200. */
    ScriptedMsrpPeer(int... statuses) {
        for (int s : statuses) {
            script.add(s);
        }
        MsrpFrameEncoder encoder = new MsrpFrameEncoder();
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new MsrpFrameDecoder(), encoder, new Answerer());
                    }
                }).bind(HOST, 0).syncUninterruptibly().channel();
    }

    String path() {
        return "msrp://" + HOST + ":" + ((InetSocketAddress) server.localAddress()).getPort() + "/" + sessionId
               + ";tcp";
    }

    /** Bodies of the message-carrying SENDs, in arrival order. */
    List<byte[]> bodies() {
        return List.copyOf(bodies);
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Answerer extends SimpleChannelInboundHandler<MsrpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, MsrpRequest request) {
            int status = MsrpResponse.OK;
            if (request.content().isReadable()) {
                bodies.add(ByteBufUtil.getBytes(request.content()));
                synchronized (script) {
                    status = script.isEmpty() ? MsrpResponse.OK : script.poll();
                }
            }
            ctx.writeAndFlush(new MsrpResponse(request.transactionId(), status, null)
                    .addHeader(MsrpHeaderNames.TO_PATH, request.fromPath().split(" ")[0])
                    .addHeader(MsrpHeaderNames.FROM_PATH, path()));
        }
    }
}
