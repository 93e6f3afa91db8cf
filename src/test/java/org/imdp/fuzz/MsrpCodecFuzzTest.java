package org.imdp.fuzz;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.TooLongFrameException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import org.imdp.sipmsrp.msrp.codec.MsrpCodecException;
import org.imdp.sipmsrp.msrp.codec.MsrpFrame;
import org.imdp.sipmsrp.msrp.codec.MsrpFrameDecoder;
import org.imdp.sipmsrp.msrp.codec.MsrpIds;
import org.imdp.sipmsrp.msrp.codec.MsrpInvalidFrame;
import org.imdp.sipmsrp.msrp.codec.MsrpRequest;
import org.imdp.sipmsrp.msrp.codec.MsrpResponse;
import org.imdp.test.NettyLeakDetection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Property-based fuzzing of the MSRP codec (issue 4). Each property runs {@code jqwik.tries.default} tries
 * (junit-platform.properties) with a random seed; a failure prints the seed and the shrunk sample, the next
 * run retries that sample first ({@code target/jqwik-database}), and {@code @Property(seed = "<seed>")}
 * replays the whole run. See docs/tests.md ("Fuzzing") for a longer session.
 */
@AddLifecycleHook(NettyLeakDetection.class)
class MsrpCodecFuzzTest {

    /** Small limits, so that random input reaches every limit. */
    private static final int MAX_LINE = 128;
    private static final int MAX_HEADERS = 6;
    private static final int MAX_BODY = 256;
    /** A whole valid SEND with a body (RFC 4975 §4), also offered broken as a piece of the soup. */
    private static final String RFC_SEND = "MSRP a786hjs2 SEND\r\nTo-Path: msrp://b.example.com:2855/s2;tcp\r\n"
            + "From-Path: msrp://a.example.com:2855/s1;tcp\r\nContent-Type: text/plain\r\n\r\nHey Bob\r\n"
            + "-------a786hjs2$\r\n";
    /** Bounds one try; a decoder stuck in a loop fails here instead of hanging the build. */
    private static final Duration TRY_TIMEOUT = Duration.ofSeconds(5);

    /** What {@link MsrpWire#decode} counts: every frame the decoder emitted, failed ones included. */
    static final String FRAMES = "msrp-frames";

    @AfterContainer
    static void volume() {
        FuzzVolume.check(FRAMES);
    }

    private static MsrpFrameDecoder smallDecoder() {
        return new MsrpFrameDecoder(MAX_LINE, MAX_HEADERS, MAX_BODY);
    }

    @Property
    void anyInputGivesFramesOrDocumentedFailures(@ForAll("msrpSoup") byte[] input,
            @ForAll @Size(max = 12) List<@IntRange(min = 0, max = 4096) Integer> cuts) {
        MsrpWire wire = new MsrpWire();
        List<Object> out = assertTimeoutPreemptively(TRY_TIMEOUT, () -> wire.decode(smallDecoder(), input, cuts));
        try {
            for (Object o : out) {
                assertThat(o).isInstanceOf(MsrpFrame.class);
                MsrpFrame frame = (MsrpFrame) o;
                // printed after the property: shows that the soup reaches every outcome, bodies included
                Statistics.collect(o.getClass().getSimpleName(), frame.decoderResult().isSuccess() ? "ok" : "failed",
                        o instanceof MsrpRequest r && r.content().isReadable() ? "body" : "");
                if (frame.decoderResult().isFailure()) {
                    assertThat(frame.decoderResult().cause())
                            .isInstanceOfAny(MsrpCodecException.class, TooLongFrameException.class);
                    if (frame instanceof MsrpRequest request) {
                        assertThat(request.content().isReadable()).as("body of a failed frame").isFalse();
                    }
                } else {
                    assertThat(frame).isNotInstanceOf(MsrpInvalidFrame.class);
                    assertThat(MsrpIds.isIdent(frame.transactionId())).isTrue();
                    assertThat(frame.toPath()).isNotNull();
                    assertThat(frame.fromPath()).isNotNull();
                    assertThat(frame.headers()).hasSizeLessThanOrEqualTo(MAX_HEADERS);
                    if (frame instanceof MsrpRequest request) {
                        assertThat(request.content().readableBytes()).isLessThanOrEqualTo(MAX_BODY);
                    }
                }
            }
        } finally {
            wire.release(out);
        }
        wire.assertAllReleased();
    }

    @Property
    void encodedFramesDecodeToEqualFrames(@ForAll("frames") MsrpFrames.Spec spec,
            @ForAll @Size(max = 12) List<@IntRange(min = 0, max = 4096) Integer> cuts) {
        MsrpWire wire = new MsrpWire();
        byte[] encoded = wire.encode(spec.build());
        List<Object> out = wire.decode(new MsrpFrameDecoder(), encoded, cuts);
        try {
            assertThat(out).hasSize(1);
            assertEqual((MsrpFrame) out.get(0), spec);
        } finally {
            wire.release(out);
        }
        wire.assertAllReleased();
    }

    /**
     * A connection's worth of valid frames back to back (a few frames, sent round after round as a push session's
     * SENDs and 200s follow each other), cut anywhere, comes out as the same frames in the same order: one decoder
     * instance carries its state from frame to frame (a body's end-line search, the next start line).
     */
    @Property
    void aStreamOfFramesDecodesToTheSameFramesInOrder(@ForAll("streams") List<MsrpFrames.Spec> specs,
            @ForAll @IntRange(min = 1, max = 8) int rounds,
            @ForAll @Size(max = 24) List<@IntRange(min = 0, max = 1 << 20) Integer> cuts) {
        MsrpWire wire = new MsrpWire();
        byte[] round = concat(specs.stream().map(spec -> wire.encode(spec.build())).toArray(byte[][]::new));
        byte[] stream = concat(java.util.Collections.nCopies(rounds, round).toArray(byte[][]::new));
        List<Object> out = assertTimeoutPreemptively(TRY_TIMEOUT, () -> wire.decode(new MsrpFrameDecoder(), stream, cuts));
        try {
            assertThat(out).hasSize(rounds * specs.size());
            for (int i = 0; i < out.size(); i++) {
                assertEqual((MsrpFrame) out.get(i), specs.get(i % specs.size()));
            }
        } finally {
            wire.release(out);
        }
        wire.assertAllReleased();
    }

    /**
     * The decoder's documented resync: after a failure it drops input up to the next line that starts with
     * {@code "MSRP "}. A body has no length, so only a failure ends one early: the over-long line between
     * the garbage and the next frame makes sure that whatever state the garbage left the decoder in (in
     * headers, in a body, skipping) ends in a failure, and the frame after it must then come out intact.
     */
    @Property
    void aValidFrameAfterMutatedOnesIsStillDecoded(@ForAll("smallFrames") MsrpFrames.Spec damaged,
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 0, max = 1 << 20) Integer> mutations,
            @ForAll("smallFrames") MsrpFrames.Spec next,
            @ForAll @Size(max = 8) List<@IntRange(min = 0, max = 4096) Integer> cuts) {
        MsrpWire wire = new MsrpWire();
        byte[] garbage = Mutations.mutate(wire.encode(damaged.build()), mutations, "\r\n-$ :M");
        byte[] longLine = ("x".repeat(Math.max(MAX_LINE, MAX_BODY) + 1) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] input = concat(garbage, longLine, wire.encode(next.build()));
        List<Object> out = assertTimeoutPreemptively(TRY_TIMEOUT, () -> wire.decode(smallDecoder(), input, cuts));
        try {
            assertThat(out).isNotEmpty();
            assertEqual((MsrpFrame) out.get(out.size() - 1), next);
        } finally {
            wire.release(out);
        }
        wire.assertAllReleased();
    }

    /**
     * Header values and comments with any characters (CR, LF, NUL, DEL, NEL, U+2028, ...) are either refused
     * by the encoder or come back as the same number of headers: nothing can inject a line.
     */
    @Property
    void arbitraryHeaderTextIsRefusedOrCannotInjectAHeader(@ForAll("frames") MsrpFrames.Spec spec,
            @ForAll("anyText") String value, @ForAll("anyText") String comment) {
        MsrpFrames.Spec injected = new MsrpFrames.Spec(spec.tid(), spec.method(), spec.status(),
                spec.status() == 0 ? null : comment, value, spec.fromPath(), spec.headers(), value, spec.body(),
                spec.flag());
        MsrpWire wire = new MsrpWire();
        byte[] encoded;
        try {
            encoded = wire.encode(injected.build());
        } catch (EncoderException e) {
            assertThat(e).hasCauseInstanceOf(MsrpCodecException.class);
            wire.assertAllReleased();
            return;
        }
        List<Object> out = wire.decode(new MsrpFrameDecoder(), encoded, List.of());
        try {
            assertThat(out).hasSize(1);
            MsrpFrame frame = (MsrpFrame) out.get(0);
            assertThat(frame.decoderResult().isSuccess()).isTrue();
            assertThat(frame.headers()).extracting(h -> h.getKey())
                    .containsExactlyElementsOf(injected.build().headers().stream().map(h -> h.getKey()).toList());
            assertThat(frame.toPath()).isEqualTo(value.strip());
        } finally {
            wire.release(out);
        }
        wire.assertAllReleased();
    }

    private static void assertEqual(MsrpFrame actual, MsrpFrames.Spec expected) {
        assertThat(actual.decoderResult().isSuccess()).as("%s", actual.decoderResult()).isTrue();
        assertThat(actual.transactionId()).isEqualTo(expected.tid());
        assertThat(actual.endFlag()).isEqualTo(expected.flag());
        MsrpFrame built = expected.build();
        try {
            assertThat(actual.headers()).containsExactlyElementsOf(built.headers());
        } finally {
            if (built instanceof MsrpRequest r) {
                r.release();
            }
        }
        if (expected.status() == 0) {
            MsrpRequest request = (MsrpRequest) actual;
            assertThat(request.method()).isEqualTo(expected.method());
            assertThat(ByteBufUtil.getBytes(request.content())).isEqualTo(expected.body());
        } else {
            MsrpResponse response = (MsrpResponse) actual;
            assertThat(response.status()).isEqualTo(expected.status());
            assertThat(response.comment()).isEqualTo(expected.comment());
        }
    }

    private static byte[] concat(byte[]... parts) {
        byte[] all = new byte[Arrays.stream(parts).mapToInt(p -> p.length).sum()];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    @Provide
    Arbitrary<MsrpFrames.Spec> frames() {
        return MsrpFrames.frames(100, 8, 30);
    }

    /** Up to 8 frames: SENDs, 200s, REPORTs, other methods. */
    @Provide
    Arbitrary<List<MsrpFrames.Spec>> streams() {
        return MsrpFrames.frames(40, 4, 12).list().ofMinSize(1).ofMaxSize(8);
    }

    /** Frames within the small limits of {@link #smallDecoder()}. */
    @Provide
    Arbitrary<MsrpFrames.Spec> smallFrames() {
        return MsrpFrames.frames(20, MAX_HEADERS - 3, 8)
                .filter(s -> s.body().length <= MAX_BODY);
    }

    @Provide
    Arbitrary<String> anyText() {
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(20),
                Arbitraries.strings().withChars("a: \t\r\n\u0000\u007f\u0085\u2028-$MSRP").ofMaxLength(20));
    }

    /** Up to ~2 KiB of MSRP tokens, valid frames' pieces and random bytes, glued in any order. */
    @Provide
    Arbitrary<byte[]> msrpSoup() {
        Arbitrary<String> token = Arbitraries.oneOf(
                Arbitraries.of(RFC_SEND, RFC_SEND.replace("To-Path", "X"), RFC_SEND.replace("\n-", "\n+"),
                        "MSRP ", "MSRP a786hjs2 SEND\r\n", "MSRP a786hjs2 200 OK\r\n", " SEND", " 200",
                        "To-Path: msrp://b/s;tcp\r\n", "From-Path: msrp://a/s;tcp\r\n", "Content-Type: text/plain\r\n",
                        "\r\n", "\r\n\r\n", "\r", "\n", "-------a786hjs2$\r\n", "\r\n-------a786hjs2+\r\n", "-------", "$", "+", "#", ":", " "),
                MsrpFrames.tids(),
                Arbitraries.strings().withCharRange('\0', '\u00ff').ofMaxLength(40),
                Arbitraries.strings().withChars('x').ofMinLength(100).ofMaxLength(300));
        return token.list().ofMaxSize(60)
                .map(ts -> String.join("", ts).getBytes(StandardCharsets.ISO_8859_1));
    }
}
