package org.imdp.ch1.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/** Writes {@link DiameterMessage}s. Stateless, so one instance may serve every channel. */
@ChannelHandler.Sharable
public class DiameterEncoder extends MessageToByteEncoder<DiameterMessage> {

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, DiameterMessage msg, boolean preferDirect) {
        return ctx.alloc().ioBuffer(msg.length());
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, DiameterMessage msg, ByteBuf out) {
        msg.encode(out);
    }
}
