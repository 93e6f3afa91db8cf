package org.imdp.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.imdp.ch1.Ch1Constants;
import org.imdp.ch1.Ch1Endpoint;
import org.imdp.ch1.Ch1PermanentException;
import org.imdp.ch1.Ch1TransientException;
import org.imdp.ch1.codec.Diameter;
import org.imdp.ch1.codec.DiameterAvp;
import org.imdp.ch1.codec.DiameterEncoder;
import org.imdp.ch1.codec.DiameterFrameDecoder;
import org.imdp.ch1.codec.DiameterMessage;
import org.imdp.ch1.codec.MalformedDiameterMessage;
import org.imdp.ch1.support.AccountingEvents;
import org.imdp.ch1.support.TestDiameterServer;
import org.imdp.test.NettyLeakDetection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Property-based fuzzing of what a Charging Enabler answers (issue 10's fault campaign): ACAs with any Result-Code,
 * Experimental-Result, Error-Message and Failed-AVP, then damaged byte by byte inside a sound frame, go over TCP from a
 * {@link TestDiameterServer} to the real {@code ch1} producer (its decoder, its peer state machine, its answer
 * handling). Each ACR ends charged (2xxx), refused for good (5xxx) or failed for a retry ({@link Ch1TransientException}:
 * anything else, including an answer that cannot be read), and no answer resets the connection. A second property
 * puts any bytes through the frame decoder. Reproduce a failure as described in {@link MsrpCodecFuzzTest}.
 */
@AddLifecycleHook(NettyLeakDetection.class)
class DiameterAnswerFuzzTest {

    /** ACAs put through the ch1 producer's answer handling. */
    static final String ANSWERS = "diameter-answers";
    /** Byte strings through the frame decoder. */
    static final String DECODER_INPUTS = "diameter-decoder-inputs";

    private static final int MAX_FRAME = 4096;
    private static final Duration TRY_TIMEOUT = Duration.ofSeconds(5);
    /** Bytes that matter to an AVP's layout: zero lengths, the flag bits, the codes the answer handling reads. */
    private static final String AVP_GRAMMAR = "\u0000\u0001\u0004\u0008\u000c\u0080\u0040\u00ff\u010c\u0129\u0117";

    private static TestDiameterServer server;
    private static CamelContext camel;
    private static ProducerTemplate template;
    private static String uri;

    @BeforeContainer
    static void start() throws Exception {
        server = new TestDiameterServer("fuzz.localdomain");
        uri = "ch1:fuzz?peers=" + server.peer() + "&requestTimeout=3s&watchdogInterval=30s&maxFrameSize=" + MAX_FRAME;
        camel = new DefaultCamelContext();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:acr").to(uri);
            }
        });
        camel.start();
        template = camel.createProducerTemplate();
        Ch1Endpoint endpoint = camel.getEndpoint(uri, Ch1Endpoint.class);
        await().atMost(10, TimeUnit.SECONDS).until(() -> endpoint.getOpenPeers().size() == 1);
    }

    @AfterContainer
    static void stop() throws Exception {
        try {
            if (camel != null) {
                camel.close();
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
        FuzzVolume.check(ANSWERS, DECODER_INPUTS);
    }

    @Property
    void anyAnswerChargesRefusesOrRetriesWithoutAReset(@ForAll("answers") List<DiameterAvp> avps,
            @ForAll @Size(max = 6) List<@IntRange(min = 0, max = 1 << 20) Integer> mutations) {
        byte[] answer = frame(avps, mutations);
        server.onAcr((ctx, acr) -> {
            ByteBuf out = ctx.alloc().buffer(answer.length).writeBytes(answer);
            // the ACR's own identifiers, so that the peer matches the answer to its request
            out.setInt(12, acr.hopByHop()).setInt(16, acr.endToEnd());
            ctx.writeAndFlush(out);
        });
        FuzzVolume.count(ANSWERS, 1);
        Exchange result = assertTimeoutPreemptively(TRY_TIMEOUT,
                () -> template.request("direct:acr", e -> e.getIn().setBody(AccountingEvents.push("fuzz"))));
        Exception failure = result.getException();
        if (failure == null) {
            Statistics.collect("charged");
            assertThat(result.getIn().getHeader(Ch1Constants.RESULT_CODE, Long.class)).isBetween(2000L, 2999L);
        } else if (failure instanceof Ch1PermanentException permanent) {
            Statistics.collect("refused for good");
            assertThat(permanent.getResultCode()).isBetween(5000L, 5999L);
        } else {
            Statistics.collect(failure.getMessage().contains("malformed answer") ? "retried: malformed" : "retried: result");
            assertThat(failure).isInstanceOf(Ch1TransientException.class);
            assertThat(failure.getMessage()).doesNotContain("timeout", "timed out", "closed");
        }
        // an answer inside a sound frame never costs the connection (and the other requests on it)
        assertThat(server.connections()).isEqualTo(1);
    }

    /** Any bytes, cut anywhere: messages, malformed messages (answered or failed), or the framing is lost for good. */
    @Property
    void anyBytesGiveMessagesOrLoseTheFramingWithADocumentedException(@ForAll("soup") byte[] input,
            @ForAll @Size(max = 8) List<@IntRange(min = 0, max = 1 << 16) Integer> cuts) {
        FuzzVolume.count(DECODER_INPUTS, 1);
        EmbeddedChannel channel = new EmbeddedChannel(new DiameterFrameDecoder(MAX_FRAME));
        try {
            Throwable thrown = assertTimeoutPreemptively(TRY_TIMEOUT, () -> catchThrowable(() -> {
                int from = 0;
                for (int to : cutPoints(input.length, cuts)) {
                    channel.writeInbound(channel.alloc().buffer(to - from).writeBytes(input, from, to - from));
                    from = to;
                }
            }));
            for (Object o; (o = channel.readInbound()) != null; ) {
                assertThat(o).isInstanceOfAny(DiameterMessage.class, MalformedDiameterMessage.class);
                Statistics.collect(o.getClass().getSimpleName());
            }
            if (thrown != null) {
                Statistics.collect("framing lost");
                assertThat(thrown).isInstanceOfAny(CorruptedFrameException.class, TooLongFrameException.class);
            }
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    private static List<Integer> cutPoints(int length, List<Integer> cuts) {
        List<Integer> points = new ArrayList<>(cuts.stream().map(c -> length == 0 ? 0 : Math.floorMod(c, length))
                .distinct().sorted().toList());
        points.add(length);
        return points;
    }

    /** An ACA of these AVPs, damaged after its header and padded to whole words, with its Message Length set. */
    private static byte[] frame(List<DiameterAvp> avps, List<Integer> mutations) {
        byte[] encoded = encode(new DiameterMessage(DiameterMessage.FLAG_PROXIABLE, Diameter.CMD_ACCOUNTING,
                Diameter.APP_BASE_ACCOUNTING, 0, 0, avps));
        byte[] body = Mutations.mutate(Arrays.copyOfRange(encoded, DiameterMessage.HEADER_LENGTH, encoded.length),
                mutations, AVP_GRAMMAR);
        int length = Math.min(MAX_FRAME, DiameterMessage.HEADER_LENGTH + ((body.length + 3) & ~3));
        ByteBuffer frame = ByteBuffer.allocate(length);
        frame.put(encoded, 0, DiameterMessage.HEADER_LENGTH).put(body, 0, Math.min(body.length, frame.remaining()));
        frame.putInt(0, (DiameterMessage.VERSION << 24) | length);
        return frame.array();
    }

    private static byte[] encode(DiameterMessage message) {
        EmbeddedChannel channel = new EmbeddedChannel(new DiameterEncoder());
        try {
            channel.writeOutbound(message);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (ByteBuf part; (part = channel.readOutbound()) != null; ) {
                try {
                    byte[] b = new byte[part.readableBytes()];
                    part.readBytes(b);
                    bytes.writeBytes(b);
                } finally {
                    part.release();
                }
            }
            return bytes.toByteArray();
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    /** What a Charging Enabler may answer: any result, as Result-Code or Experimental-Result, with or without detail. */
    @Provide
    Arbitrary<List<DiameterAvp>> answers() {
        Arbitrary<Long> code = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of(2001L, 2002L, 3002L, 3004L, 4010L, 4241L, 5012L, 5030L, 5014L)),
                Tuple.of(1, Arbitraries.longs().between(0, 0xFFFFFFFFL)));
        Arbitrary<DiameterAvp> result = Arbitraries.oneOf(
                code.map(c -> DiameterAvp.unsigned32(Diameter.RESULT_CODE, 0, true, c)),
                code.map(c -> DiameterAvp.grouped(Diameter.EXPERIMENTAL_RESULT, 0, true, List.of(
                        DiameterAvp.unsigned32(Diameter.VENDOR_ID, 0, true, Diameter.VENDOR_3GPP),
                        DiameterAvp.unsigned32(Diameter.EXPERIMENTAL_RESULT_CODE, 0, true, c)))));
        Arbitrary<List<DiameterAvp>> detail = Combinators.combine(
                Arbitraries.strings().ofMaxLength(40).injectNull(0.5),
                Arbitraries.integers().between(0, 3000).list().ofMaxSize(3)).as((text, failed) -> {
                    List<DiameterAvp> avps = new ArrayList<>();
                    if (text != null) {
                        avps.add(DiameterAvp.utf8(Diameter.ERROR_MESSAGE, 0, false, text));
                    }
                    if (!failed.isEmpty()) {
                        avps.add(DiameterAvp.grouped(Diameter.FAILED_AVP, 0, true, failed.stream()
                                .map(c -> DiameterAvp.octets(c, 0, false, new byte[c % 7])).toList()));
                    }
                    return avps;
                });
        return Combinators.combine(result, detail, Arbitraries.of(true, false)).as((r, d, withOrigin) -> {
            List<DiameterAvp> avps = new ArrayList<>();
            avps.add(DiameterAvp.utf8(Diameter.SESSION_ID, 0, true, "im-deferred.localdomain;1;fuzz"));
            avps.add(r);
            if (withOrigin) {
                avps.add(DiameterAvp.identity(Diameter.ORIGIN_HOST, 0, true, "fuzz.localdomain"));
                avps.add(DiameterAvp.identity(Diameter.ORIGIN_REALM, 0, true, "localdomain"));
            }
            avps.add(DiameterAvp.enumerated(Diameter.ACCOUNTING_RECORD_TYPE, 0, true, Diameter.ACCOUNTING_RECORD_TYPE_EVENT));
            avps.add(DiameterAvp.unsigned32(Diameter.ACCOUNTING_RECORD_NUMBER, 0, true, 0));
            avps.addAll(d);
            return avps;
        });
    }

    /** Whole answers and requests, their pieces, header words that lose the framing, and random bytes. */
    @Provide
    Arbitrary<byte[]> soup() {
        Arbitrary<byte[]> whole = Combinators.combine(answers(), Arbitraries.integers().between(0, 1 << 20).list().ofMaxSize(4))
                .as(DiameterAnswerFuzzTest::frame);
        Arbitrary<byte[]> header = Arbitraries.of(
                new byte[] {1, 0, 0, 20}, new byte[] {1, 0, 0, 19}, new byte[] {2, 0, 0, 20}, new byte[] {1, 0x7f, 0, 0},
                new byte[] {1, 0, 0x10, 4}, new byte[] {(byte) 0x80, 0, 1, 0x0f});
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(40);
        return Arbitraries.frequencyOf(Tuple.of(4, whole), Tuple.of(1, header), Tuple.of(1, random))
                .list().ofMaxSize(6).map(parts -> {
                    ByteArrayOutputStream all = new ByteArrayOutputStream();
                    parts.forEach(all::writeBytes);
                    return all.toByteArray();
                });
    }
}
