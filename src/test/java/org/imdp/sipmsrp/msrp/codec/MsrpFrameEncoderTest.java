package org.imdp.sipmsrp.msrp.codec;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import org.imdp.test.NettyLeakDetection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(NettyLeakDetection.class)
class MsrpFrameEncoderTest {

    private static final String TO = "msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp";
    private static final String FROM = "msrp://atlanta.example.com:7654/jshA7weztas;tcp";

    private final EmbeddedChannel channel = new EmbeddedChannel(new MsrpFrameEncoder());

    @AfterEach
    void noLeftovers() {
        assertThat(channel.finish()).as("unread output left").isFalse();
    }

    @Test
    void encodesTheRfcSendWithPathsFirstAndContentTypeLast() {
        // added in the "wrong" order on purpose: the encoder owns the wire order
        MsrpRequest send = new MsrpRequest("a786hjs2", MsrpRequest.SEND, body("Hey Bob, are you there?"),
                MsrpEndFlag.COMPLETE)
                .addHeader(MsrpHeaderNames.CONTENT_TYPE, "text/plain")
                .addHeader(MsrpHeaderNames.FROM_PATH, FROM)
                .addHeader(MsrpHeaderNames.MESSAGE_ID, "87652491")
                .addHeader(MsrpHeaderNames.TO_PATH, TO)
                .addHeader(MsrpHeaderNames.BYTE_RANGE, "1-25/25");
        assertThat(channel.writeOutbound(send)).isTrue();
        assertThat(readOutbound()).isEqualTo(MsrpFrameDecoderTest.RFC_SEND);
        assertThat(send.refCnt()).isZero();
    }

    @Test
    void encodesTheRfcResponse() {
        channel.writeOutbound(new MsrpResponse("a786hjs2", 200, "OK").addHeader(MsrpHeaderNames.TO_PATH, FROM)
                .addHeader(MsrpHeaderNames.FROM_PATH, TO));
        assertThat(readOutbound()).isEqualTo(MsrpFrameDecoderTest.RFC_OK);
    }

    @Test
    void encodesAResponseWithoutCommentAndAnEmptySend() {
        channel.writeOutbound(new MsrpResponse("abcd1234", 481, null).addHeader(MsrpHeaderNames.TO_PATH, FROM)
                .addHeader(MsrpHeaderNames.FROM_PATH, TO));
        assertThat(readOutbound()).isEqualTo("MSRP abcd1234 481\r\nTo-Path: " + FROM + "\r\nFrom-Path: " + TO
                                             + "\r\n-------abcd1234$\r\n");
        channel.writeOutbound(new MsrpRequest("bind0001", MsrpRequest.SEND).addHeader(MsrpHeaderNames.TO_PATH, TO)
                .addHeader(MsrpHeaderNames.FROM_PATH, FROM).addHeader(MsrpHeaderNames.MESSAGE_ID, "m1")
                .addHeader(MsrpHeaderNames.BYTE_RANGE, "1-0/0"));
        assertThat(readOutbound()).isEqualTo("MSRP bind0001 SEND\r\nTo-Path: " + TO + "\r\nFrom-Path: " + FROM
                                             + "\r\nMessage-ID: m1\r\nByte-Range: 1-0/0\r\n-------bind0001$\r\n");
    }

    @Test
    void roundTripsThroughTheDecoder() {
        byte[] binary = new byte[1000];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) (i * 7);
        }
        channel.writeOutbound(new MsrpRequest("rt000001", MsrpRequest.SEND, Unpooled.wrappedBuffer(binary),
                MsrpEndFlag.CONTINUES).addHeader(MsrpHeaderNames.TO_PATH, TO).addHeader(MsrpHeaderNames.FROM_PATH, FROM)
                .addHeader(MsrpHeaderNames.MESSAGE_ID, "m1").addHeader(MsrpHeaderNames.BYTE_RANGE, "1-1000/3000")
                .addHeader(MsrpHeaderNames.FAILURE_REPORT, "yes")
                .addHeader(MsrpHeaderNames.CONTENT_TYPE, "application/octet-stream"));
        EmbeddedChannel decoder = new EmbeddedChannel(new MsrpFrameDecoder());
        for (Object part; (part = channel.readOutbound()) != null;) {
            decoder.writeInbound(part);
        }
        MsrpRequest decoded = decoder.readInbound();
        try {
            assertThat(decoded.decoderResult().isSuccess()).isTrue();
            assertThat(decoded.endFlag()).isEqualTo(MsrpEndFlag.CONTINUES);
            assertThat(decoded.byteRange()).isEqualTo(new MsrpByteRange(1, 1000, 3000));
            assertThat(decoded.failureReport()).isEqualTo("yes");
            assertThat(ByteBufUtil.getBytes(decoded.content())).isEqualTo(binary);
        } finally {
            decoded.release();
        }
        assertThat(decoder.finish()).isFalse();
    }

    @Test
    void refusesCrLfInAHeaderValue() {
        MsrpRequest injected = request(body("x")).addHeader(MsrpHeaderNames.MESSAGE_ID, "m1\r\nStatus: 000 200 OK");
        assertRefused(injected, "Control character 0xd in MSRP Message-ID");
        assertThat(injected.refCnt()).isZero();
    }

    @Test
    void refusesALineFeedInAResponseComment() {
        assertRefused(new MsrpResponse("abcd1234", 200, "OK\n-------abcd1234$").addHeader(MsrpHeaderNames.TO_PATH, FROM)
                .addHeader(MsrpHeaderNames.FROM_PATH, TO), "Control character 0xa in MSRP comment");
    }

    @Test
    void refusesAnIllegalHeaderName() {
        assertRefused(request(Unpooled.EMPTY_BUFFER).addHeader("Bad Name", "v"), "Illegal MSRP header name");
        assertRefused(request(Unpooled.EMPTY_BUFFER).addHeader("X:Y", "v"), "Illegal MSRP header name");
    }

    @Test
    void refusesAMalformedTransactionIdOrMethod() {
        assertRefused(new MsrpRequest("ab", MsrpRequest.SEND).addHeader(MsrpHeaderNames.TO_PATH, TO)
                .addHeader(MsrpHeaderNames.FROM_PATH, FROM), "Malformed transaction id");
        assertRefused(new MsrpRequest("abcd1234", "send\r\n").addHeader(MsrpHeaderNames.TO_PATH, TO)
                .addHeader(MsrpHeaderNames.FROM_PATH, FROM), "Illegal MSRP method");
    }

    @Test
    void refusesABodyWithoutContentTypeAndMissingPaths() {
        assertRefused(request(body("x")), "Content-Type must be present exactly when there is a body");
        assertRefused(new MsrpRequest("abcd1234", MsrpRequest.SEND).addHeader(MsrpHeaderNames.TO_PATH, TO),
                "To-Path and From-Path are required");
    }

    @Test
    void refusesABodyThatContainsItsOwnEndLine() {
        assertRefused(request(body("a\r\n-------abcd1234$\r\n")).addHeader(MsrpHeaderNames.CONTENT_TYPE, "text/plain"),
                "contains its own end-line");
    }

    @Test
    void findsTheEndLineWhereverItIsAndNothingElse() {
        byte[] marker = "-------abcd1234".getBytes(StandardCharsets.US_ASCII);
        for (String body : new String[] {"-------abcd1234", "x-------abcd1234", "-------abcd1234+ tail",
                "--------abcd1234", "- -- ---------abcd1234$"}) {
            assertThat(containsEndLine(body, marker)).as(body).isTrue();
        }
        for (String body : new String[] {"", "-", "-------abcd123", "------abcd1234", "-------abcd12-4", "abcd1234-------",
                "no dash at all, long enough to cover several words of the search"}) {
            assertThat(containsEndLine(body, marker)).as(body).isFalse();
        }
        // only the readable part counts
        ByteBuf read = Unpooled.copiedBuffer("-------abcd1234 then more", StandardCharsets.US_ASCII);
        try {
            read.readerIndex(1);
            assertThat(MsrpFrameEncoder.containsEndLine(read, marker)).isFalse();
        } finally {
            read.release();
        }
    }

    private static boolean containsEndLine(String body, byte[] marker) {
        ByteBuf buf = Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII);
        try {
            return MsrpFrameEncoder.containsEndLine(buf, marker);
        } finally {
            buf.release();
        }
    }

    private void assertRefused(MsrpFrame frame, String message) {
        assertThatThrownBy(() -> channel.writeOutbound(frame)).isInstanceOf(EncoderException.class)
                .hasCauseInstanceOf(MsrpCodecException.class).cause().hasMessageContaining(message);
        assertThat((Object) channel.readOutbound()).isNull();
    }

    private static MsrpRequest request(ByteBuf content) {
        return new MsrpRequest("abcd1234", MsrpRequest.SEND, content, MsrpEndFlag.COMPLETE)
                .addHeader(MsrpHeaderNames.TO_PATH, TO).addHeader(MsrpHeaderNames.FROM_PATH, FROM);
    }

    private static ByteBuf body(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }

    private String readOutbound() {
        StringBuilder text = new StringBuilder();
        for (ByteBuf part; (part = channel.readOutbound()) != null;) {
            text.append(part.toString(StandardCharsets.UTF_8));
            part.release();
        }
        return text.toString();
    }
}
