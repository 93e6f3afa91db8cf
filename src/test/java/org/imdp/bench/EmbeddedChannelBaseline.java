package org.imdp.bench;

import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH: what {@link MsrpCodecBenchmark} and {@link DiameterCodecBenchmark} pay for the {@link EmbeddedChannel}
 * around the codec, measured the same way with no handler in it: a buffer written in and read back out, on each
 * side. Subtract it (time and {@code gc.alloc.rate.norm}) to see the codec's own share.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class EmbeddedChannelBaseline {

    private EmbeddedChannel channel;
    private ByteBuf buffer;

    @Setup(Level.Trial)
    public void setUp() {
        channel = new EmbeddedChannel();
        buffer = PooledByteBufAllocator.DEFAULT.directBuffer(64).writeZero(64);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        boolean leftOver = channel.finishAndReleaseAll();
        int refs = buffer.refCnt();
        buffer.release();
        if (leftOver || refs != 1) {
            throw new IllegalStateException("leak: buffers left in the channel " + leftOver + ", references " + refs);
        }
    }

    @Benchmark
    public Object inbound() {
        channel.writeInbound(buffer.retainedDuplicate());
        ByteBuf read = channel.readInbound();
        read.release();
        return read;
    }

    @Benchmark
    public Object outbound() {
        channel.writeOutbound(buffer.retainedDuplicate());
        ByteBuf written = channel.readOutbound();
        written.release();
        return written;
    }
}
