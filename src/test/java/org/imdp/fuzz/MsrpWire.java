package org.imdp.fuzz;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import org.imdp.sipmsrp.msrp.codec.MsrpFrameDecoder;
import org.imdp.sipmsrp.msrp.codec.MsrpFrameEncoder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs bytes through the MSRP decoder and frames through the encoder on an {@link EmbeddedChannel} whose
 * allocator remembers every buffer, so that a property can check, try by try, that every one of them was
 * released (the GC-based leak report of {@code NettyLeakDetection} only says that some try leaked).
 */
final class MsrpWire {

    private final TrackingAllocator alloc = new TrackingAllocator();

    /**
     * Writes {@code input} cut at {@code cuts} (taken modulo the input length), then closes the channel.
     * Exceptions that reach the pipeline are rethrown by the channel, so they fail the property.
     *
     * @return everything the decoder emitted, in order; the caller releases it with {@link #release}
     */
    List<Object> decode(MsrpFrameDecoder decoder, byte[] input, List<Integer> cuts) {
        EmbeddedChannel channel = channel(decoder);
        List<Object> out = new ArrayList<>();
        try {
            TreeSet<Integer> points = new TreeSet<>();
            cuts.forEach(c -> points.add(input.length == 0 ? 0 : Math.floorMod(c, input.length)));
            points.add(input.length);
            int from = 0;
            for (int to : points) {
                channel.writeInbound(alloc.heapBuffer(to - from).writeBytes(input, from, to - from));
                drain(channel, out);
                from = to;
            }
            channel.finish();
            drain(channel, out);
            FuzzVolume.count(MsrpCodecFuzzTest.FRAMES, out.size());
            return out;
        } catch (RuntimeException | Error e) {
            release(out);
            channel.finishAndReleaseAll();
            throw e;
        }
    }

    /** @return the encoded bytes; the encoder's exception (an {@code EncoderException}) when it refuses */
    byte[] encode(Object frame) {
        EmbeddedChannel channel = channel(new MsrpFrameEncoder());
        try {
            channel.writeOutbound(frame);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (ByteBuf part; (part = channel.readOutbound()) != null; ) {
                byte[] b = new byte[part.readableBytes()];
                part.readBytes(b);
                part.release();
                bytes.writeBytes(b);
            }
            return bytes.toByteArray();
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    void release(List<Object> frames) {
        frames.forEach(ReferenceCountUtil::release);
    }

    void assertAllReleased() {
        assertThat(alloc.buffers).as("buffers not released").allMatch(b -> b.refCnt() == 0);
    }

    private EmbeddedChannel channel(ChannelHandler handler) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(alloc);
        channel.pipeline().addLast(handler);
        return channel;
    }

    private static void drain(EmbeddedChannel channel, List<Object> out) {
        for (Object o; (o = channel.readInbound()) != null; ) {
            out.add(o);
        }
    }

    private static final class TrackingAllocator extends AbstractByteBufAllocator {

        final List<ByteBuf> buffers = new ArrayList<>();

        TrackingAllocator() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf buf = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
            buffers.add(buf);
            return buf;
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf buf = new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity);
            buffers.add(buf);
            return buf;
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }
}
