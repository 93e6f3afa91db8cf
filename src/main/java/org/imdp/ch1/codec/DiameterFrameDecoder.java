package org.imdp.ch1.codec;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;

/**
 * Cuts the TCP stream into Diameter messages at the 24-bit Message Length (the same framing as
 * {@code LengthFieldBasedFrameDecoder(max, 1, 3, -4, 0)}) and decodes each one.
 * <p>
 * A bad version, a length below the header size or not a multiple of 4, or a length above
 * {@code maxFrameSize} loses the framing: the decoder throws (a {@link CorruptedFrameException} or
 * {@link TooLongFrameException}), discards everything after it, and the connection must be reset.
 * A message whose frame is sound but whose AVPs are broken is passed on as a
 * {@link MalformedDiameterMessage} so that it can be answered.
 * Not sharable: one per channel.
 */
public class DiameterFrameDecoder extends ByteToMessageDecoder {

    private final int maxFrameSize;
    private boolean broken;

    public DiameterFrameDecoder(int maxFrameSize) {
        if (maxFrameSize < DiameterMessage.HEADER_LENGTH) {
            throw new IllegalArgumentException("maxFrameSize must be at least " + DiameterMessage.HEADER_LENGTH + ": " + maxFrameSize);
        }
        this.maxFrameSize = maxFrameSize;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (broken) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < 4) {
            return;
        }
        int start = in.readerIndex();
        int version = in.getUnsignedByte(start);
        int length = in.getUnsignedMedium(start + 1);
        if (version != DiameterMessage.VERSION) {
            fail(in);
            throw new CorruptedFrameException("Diameter version " + version + " (expected 1): framing lost");
        }
        if (length < DiameterMessage.HEADER_LENGTH || (length & 3) != 0) {
            fail(in);
            throw new CorruptedFrameException("Diameter Message Length " + length + " is invalid: framing lost");
        }
        if (length > maxFrameSize) {
            fail(in);
            throw new TooLongFrameException("Diameter Message Length " + length + " exceeds the limit of " + maxFrameSize);
        }
        if (in.readableBytes() < length) {
            return;
        }
        ByteBuf frame = in.readSlice(length);
        try {
            out.add(DiameterMessage.decode(frame));
        } catch (MalformedDiameterMessageException e) {
            out.add(new MalformedDiameterMessage(e.header(), e.getMessage()));
        }
    }

    private void fail(ByteBuf in) {
        broken = true;
        in.skipBytes(in.readableBytes());
    }
}
