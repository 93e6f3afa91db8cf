package org.imdp.bench;

import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import org.imdp.ch1.AccountingRequestFactory;
import org.imdp.ch1.Ch1Configuration;
import org.imdp.ch1.Ch1PermanentException;
import org.imdp.ch1.codec.Diameter;
import org.imdp.ch1.codec.DiameterEncoder;
import org.imdp.ch1.codec.DiameterFrameDecoder;
import org.imdp.ch1.codec.DiameterMessage;
import org.imdp.ch1.support.AccountingEvents;
import org.imdp.ch1.support.TestDiameterServer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH: {@link DiameterEncoder} and {@link DiameterFrameDecoder} in an {@link EmbeddedChannel}, one message per
 * operation: the CH-1 ACR (EVENT_RECORD) exactly as {@link AccountingRequestFactory} builds it for a push of three
 * messages from two senders, and its ACA (Result-Code 2001) as the test Charging Enabler answers it. Run with
 * {@code scripts/bench/codec.sh} (docs/performance.md).
 * <p>
 * Each operation releases what it gets back; a trial whose shared buffer does not end with the reference count it
 * started with fails.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DiameterCodecBenchmark {

    /** A message of the CH-1 exchange. */
    public enum Message {
        /** Accounting-Request, EVENT_RECORD, for one push session. */
        ACR,
        /** Accounting-Answer, DIAMETER_SUCCESS. */
        ACA
    }

    /** The largest message the decoder takes, as the CH-1 peer connection configures it. */
    private static final int MAX_FRAME_SIZE = 1 << 20;

    @State(Scope.Thread)
    public static class Codec {

        @Param
        public Message message;

        private EmbeddedChannel encoder;
        private EmbeddedChannel decoder;
        private DiameterMessage diameter;
        /** The encoded message as it arrives from a socket: one pooled direct buffer. */
        private ByteBuf wire;

        @Setup(Level.Trial)
        public void setUp() throws Ch1PermanentException {
            encoder = new EmbeddedChannel(new DiameterEncoder());
            decoder = new EmbeddedChannel(new DiameterFrameDecoder(MAX_FRAME_SIZE));
            DiameterMessage acr = new AccountingRequestFactory(new Ch1Configuration())
                    .create(AccountingEvents.push("bench-event-1")).withHopByHop(0x1000).withEndToEnd(0x2000);
            diameter = message == Message.ACR ? acr
                    : TestDiameterServer.answer(acr, Diameter.DIAMETER_SUCCESS, "ocs.localdomain");
            encoder.writeOutbound(diameter);
            ByteBuf encoded = encoder.readOutbound();
            wire = PooledByteBufAllocator.DEFAULT.directBuffer(encoded.readableBytes()).writeBytes(encoded);
            encoded.release();
            decoder.writeInbound(wire.retainedDuplicate());
            DiameterMessage decoded = decoder.readInbound();
            if (decoded == null || decoded.avps().size() != diameter.avps().size()) {
                throw new IllegalStateException("the benchmark message does not decode as itself: " + decoded);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            boolean leftOver = encoder.finishAndReleaseAll() | decoder.finishAndReleaseAll();
            int wireRefs = wire.refCnt();
            wire.release();
            if (leftOver || wireRefs != 1) {
                throw new IllegalStateException("leak: messages left in the channels " + leftOver
                        + ", wire buffer references " + wireRefs + " (1 expected)");
            }
        }
    }

    /** Encodes the message; returns the octets written. */
    @Benchmark
    public int encode(Codec codec) {
        codec.encoder.writeOutbound(codec.diameter);
        ByteBuf encoded = codec.encoder.readOutbound();
        int octets = encoded.readableBytes();
        encoded.release();
        return octets;
    }

    /** Decodes the message from one socket read. */
    @Benchmark
    public DiameterMessage decode(Codec codec) {
        codec.decoder.writeInbound(codec.wire.retainedDuplicate());
        return codec.decoder.readInbound();
    }
}
