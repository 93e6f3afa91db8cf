package org.imdp.bench;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import org.imdp.cpim.CpimMessage;
import org.imdp.sipmsrp.msrp.codec.MsrpByteRange;
import org.imdp.sipmsrp.msrp.codec.MsrpEndFlag;
import org.imdp.sipmsrp.msrp.codec.MsrpFrame;
import org.imdp.sipmsrp.msrp.codec.MsrpFrameDecoder;
import org.imdp.sipmsrp.msrp.codec.MsrpFrameEncoder;
import org.imdp.sipmsrp.msrp.codec.MsrpHeaderNames;
import org.imdp.sipmsrp.msrp.codec.MsrpRequest;
import org.imdp.sipmsrp.msrp.codec.MsrpResponse;
import org.imdp.store.DeferredMessage;
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
 * JMH: {@link MsrpFrameEncoder} and {@link MsrpFrameDecoder} in an {@link EmbeddedChannel}, one frame per
 * operation, for the frames a push consists of: a SEND carrying a whole 1 KiB {@code message/cpim} message as
 * {@code CpimMessage.wrap} writes it, a 64 KiB SEND chunk (the default {@code imdp.msrp.chunk-size}) of a
 * larger CPIM message with text content, and the 200 OK that answers a SEND. Run with
 * {@code scripts/bench/codec.sh} (docs/performance.md); {@code -prof gc} gives the allocation per operation
 * ({@code gc.alloc.rate.norm}), {@link EmbeddedChannelBaseline} what the channel itself costs.
 * <p>
 * Each operation releases everything it gets back, and every shared buffer must end a trial with the
 * reference count it started with, or the trial fails: a leak cannot pass for a fast codec.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MsrpCodecBenchmark {

    /** A frame of a push session. */
    public enum Frame {
        /** SEND with a whole message: 1024 octets of {@code message/cpim}. */
        SEND_CPIM_1KIB,
        /** SEND with the first 64 KiB chunk of a 1 MiB {@code message/cpim} message. */
        SEND_CHUNK_64KIB,
        /** 200 OK to a SEND. */
        RESPONSE_200
    }

    private static final String TO_PATH = "msrp://127.0.0.1:2855/bobsession0001;tcp";
    private static final String FROM_PATH = "msrp://127.0.0.1:43210/imdp0123456789ab;tcp";
    private static final String TRANSACTION_ID = "a8b9c0d1e2f3";
    private static final String MESSAGE_ID = "m1d2e3f4a5b6c7d8";
    private static final int CPIM_SIZE = 1024;
    private static final int CHUNK_SIZE = 64 * 1024;
    private static final int LARGE_MESSAGE_SIZE = 1024 * 1024;

    @State(Scope.Thread)
    public static class Codec {

        @Param
        public Frame frame;

        private EmbeddedChannel encoder;
        private EmbeddedChannel decoder;
        private MsrpFrame message;
        /** The body of {@link #message}, or {@code null} for a response. */
        private ByteBuf body;
        /** The encoded frame as it arrives from a socket: one pooled direct buffer. */
        private ByteBuf wire;

        @Setup(Level.Trial)
        public void setUp() {
            encoder = new EmbeddedChannel(new MsrpFrameEncoder());
            decoder = new EmbeddedChannel(new MsrpFrameDecoder());
            message = switch (frame) {
                case SEND_CPIM_1KIB -> send(cpim(CPIM_SIZE), CPIM_SIZE);
                case SEND_CHUNK_64KIB -> send(Arrays.copyOf(cpim(LARGE_MESSAGE_SIZE), CHUNK_SIZE),
                        LARGE_MESSAGE_SIZE);
                case RESPONSE_200 -> new MsrpResponse(TRANSACTION_ID, MsrpResponse.OK, "OK")
                        .addHeader(MsrpHeaderNames.TO_PATH, FROM_PATH)
                        .addHeader(MsrpHeaderNames.FROM_PATH, TO_PATH);
            };
            body = message instanceof MsrpRequest request ? request.content() : null;
            wire = PooledByteBufAllocator.DEFAULT.directBuffer();
            retainBody();
            encoder.writeOutbound(message);
            for (ByteBuf part; (part = encoder.readOutbound()) != null; part.release()) {
                wire.writeBytes(part, part.readerIndex(), part.readableBytes());
            }
            decoder.writeInbound(wire.retainedDuplicate());
            MsrpFrame decoded = decoder.readInbound();
            try {
                if (decoded == null || decoded.decoderResult().isFailure() || decoder.inboundMessages().size() > 0) {
                    throw new IllegalStateException("the benchmark frame does not decode as one frame: " + decoded);
                }
            } finally {
                ReferenceCountUtil.release(decoded);
            }
        }

        /** SEND of the first {@code chunk.length} octets of a CPIM message of {@code total} octets. */
        private static MsrpRequest send(byte[] chunk, int total) {
            return new MsrpRequest(TRANSACTION_ID, MsrpRequest.SEND, Unpooled.wrappedBuffer(chunk),
                    chunk.length == total ? MsrpEndFlag.COMPLETE : MsrpEndFlag.CONTINUES)
                    .addHeader(MsrpHeaderNames.TO_PATH, TO_PATH)
                    .addHeader(MsrpHeaderNames.FROM_PATH, FROM_PATH)
                    .addHeader(MsrpHeaderNames.MESSAGE_ID, MESSAGE_ID)
                    .addHeader(MsrpHeaderNames.BYTE_RANGE, new MsrpByteRange(1, chunk.length, total).toString())
                    .addHeader(MsrpHeaderNames.FAILURE_REPORT, "yes")
                    .addHeader(MsrpHeaderNames.CONTENT_TYPE, CpimMessage.MIME_TYPE);
        }

        /** A stored text message wrapped as the push wraps it, its content sized to make {@code size} octets. */
        private static byte[] cpim(int size) {
            DeferredMessage empty = message(new byte[0]);
            int contentSize = size - CpimMessage.wrap(empty).length;
            // Content-Length grows by a digit or more: shrink the content by as much
            contentSize -= Integer.toString(contentSize).length() - 1;
            byte[] wrapped = CpimMessage.wrap(message(text(contentSize)));
            if (wrapped.length != size) {
                throw new IllegalStateException("CPIM of " + wrapped.length + " octets, wanted " + size);
            }
            return wrapped;
        }

        private static DeferredMessage message(byte[] content) {
            return new DeferredMessage("Yz8tJ2xQm4Rb", "sip:alice@example.com", "sip:bob@example.com",
                    "text/plain;charset=UTF-8", Instant.parse("2026-11-26T08:00:00Z"),
                    "positive-delivery, negative-delivery", content);
        }

        /** Text in lines of 78 characters and CRLF, as a long pasted message has them. */
        private static byte[] text(int size) {
            byte[] line = "The quick brown fox jumps over the lazy dog, again and again and again and ag\r\n"
                    .getBytes(StandardCharsets.US_ASCII);
            byte[] text = new byte[size];
            for (int i = 0; i < size; i++) {
                text[i] = line[i % line.length];
            }
            return text;
        }

        /** The encoder releases the frame it wrote: each write needs a reference of its own. */
        void retainBody() {
            if (body != null) {
                body.retain();
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            boolean leftOver = encoder.finishAndReleaseAll() | decoder.finishAndReleaseAll();
            int bodyRefs = body == null ? 1 : body.refCnt();
            int wireRefs = wire.refCnt();
            ReferenceCountUtil.release(message);
            wire.release();
            if (leftOver || bodyRefs != 1 || wireRefs != 1) {
                throw new IllegalStateException("leak: frames left in the channels " + leftOver
                        + ", body references " + bodyRefs + ", wire buffer references " + wireRefs + " (1 expected)");
            }
        }
    }

    /** Encodes the frame; returns the octets written (start line and headers, body, end-line). */
    @Benchmark
    public int encode(Codec codec) {
        codec.retainBody();
        codec.encoder.writeOutbound(codec.message);
        int octets = 0;
        for (ByteBuf part; (part = codec.encoder.readOutbound()) != null; part.release()) {
            octets += part.readableBytes();
        }
        return octets;
    }

    /** Decodes the frame from one socket read; returns it for the black hole, released. */
    @Benchmark
    public Object decode(Codec codec) {
        codec.decoder.writeInbound(codec.wire.retainedDuplicate());
        MsrpFrame decoded = codec.decoder.readInbound();
        ReferenceCountUtil.release(decoded);
        return decoded;
    }
}
