package org.imdp.sipmsrp.msrp.codec;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import org.imdp.test.NettyLeakDetection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(NettyLeakDetection.class)
class MsrpFrameDecoderTest {

    /** RFC 4975 §4 (first example), CRLF line ends. */
    static final String RFC_SEND = """
            MSRP a786hjs2 SEND\r
            To-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r
            From-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r
            Message-ID: 87652491\r
            Byte-Range: 1-25/25\r
            Content-Type: text/plain\r
            \r
            Hey Bob, are you there?\r
            -------a786hjs2$\r
            """;
    /** RFC 4975 §4, the answer to {@link #RFC_SEND}. */
    static final String RFC_OK = """
            MSRP a786hjs2 200 OK\r
            To-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r
            From-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r
            -------a786hjs2$\r
            """;
    /** RFC 4975 §7.1.2 style success report. */
    static final String RFC_REPORT = """
            MSRP dkei38sd REPORT\r
            To-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r
            From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r
            Message-ID: 12339sdqwer\r
            Byte-Range: 1-106/106\r
            Status: 000 200 OK\r
            -------dkei38sd$\r
            """;
    private static final String PATHS = "To-Path: msrp://b.example.com:2855/s2;tcp\r\n"
                                         + "From-Path: msrp://a.example.com:2855/s1;tcp\r\n";

    private EmbeddedChannel channel = new EmbeddedChannel(new MsrpFrameDecoder());

    @AfterEach
    void noLeftovers() {
        assertThat(channel.finish()).as("undecoded frames left").isFalse();
    }

    @Test
    void decodesTheRfcSend() {
        MsrpRequest request = writeAndReadOne(RFC_SEND);
        try {
            assertThat(request.decoderResult().isSuccess()).isTrue();
            assertThat(request.transactionId()).isEqualTo("a786hjs2");
            assertThat(request.method()).isEqualTo(MsrpRequest.SEND);
            assertThat(request.toPath()).isEqualTo("msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp");
            assertThat(request.fromPath()).isEqualTo("msrp://atlanta.example.com:7654/jshA7weztas;tcp");
            assertThat(request.messageId()).isEqualTo("87652491");
            // the RFC's example counts 25 octets; the decoder takes the body from the end-line, not from here
            assertThat(request.byteRange()).isEqualTo(new MsrpByteRange(1, 25, 25));
            assertThat(request.contentType()).isEqualTo("text/plain");
            assertThat(request.endFlag()).isEqualTo(MsrpEndFlag.COMPLETE);
            assertThat(text(request.content())).isEqualTo("Hey Bob, are you there?");
            assertThat(request.headers()).extracting(h -> h.getKey())
                    .containsExactly("To-Path", "From-Path", "Message-ID", "Byte-Range", "Content-Type");
        } finally {
            request.release();
        }
    }

    @Test
    void decodesByteByByte() {
        byte[] bytes = (RFC_SEND + RFC_OK).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            channel.writeInbound(Unpooled.wrappedBuffer(bytes, i, 1));
            if (i < bytes.length - 1 - RFC_OK.length()) {
                assertThat((Object) channel.readInbound()).as("frame before byte %d", i).isNull();
            }
        }
        MsrpRequest request = channel.readInbound();
        try {
            assertThat(text(request.content())).isEqualTo("Hey Bob, are you there?");
            assertThat(request.messageId()).isEqualTo("87652491");
        } finally {
            request.release();
        }
        MsrpResponse response = channel.readInbound();
        assertThat(response.status()).isEqualTo(200);
    }

    @Test
    void decodesSeveralFramesFromOneBuffer() {
        channel.writeInbound(buffer(RFC_SEND + RFC_OK + RFC_REPORT));
        MsrpRequest send = channel.readInbound();
        send.release();
        MsrpResponse ok = channel.readInbound();
        MsrpRequest report = channel.readInbound();
        assertThat(send.transactionId()).isEqualTo("a786hjs2");
        assertThat(ok.transactionId()).isEqualTo("a786hjs2");
        assertThat(report.method()).isEqualTo(MsrpRequest.REPORT);
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void decodesAllThreeEndFlags() {
        channel.writeInbound(buffer(chunk("tid00001", "abc", '+') + chunk("tid00002", "def", '$')
                                    + chunk("tid00003", "gh", '#')));
        assertThat(readChunk()).isEqualTo("abc+");
        assertThat(readChunk()).isEqualTo("def$");
        assertThat(readChunk()).isEqualTo("gh#");
    }

    @Test
    void keepsAnotherTransactionsEndLineInTheBody() {
        String body = "before\r\n-------othertid$\r\nafter -------tid0000 no flag\r\n-------tid00001x";
        MsrpRequest request = writeAndReadOne(chunk("tid00001", body, '$'));
        try {
            assertThat(text(request.content())).isEqualTo(body);
        } finally {
            request.release();
        }
    }

    @Test
    void keepsEveryOctetOfABinaryBody() {
        byte[] binary = new byte[512];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        ByteBuf in = Unpooled.buffer();
        in.writeCharSequence("MSRP bin00001 SEND\r\n" + PATHS + "Content-Type: application/octet-stream\r\n\r\n",
                StandardCharsets.US_ASCII);
        in.writeBytes(binary);
        in.writeCharSequence("\r\n-------bin00001$\r\n", StandardCharsets.US_ASCII);
        channel.writeInbound(in);
        MsrpRequest request = channel.readInbound();
        try {
            assertThat(ByteBufUtil.getBytes(request.content())).isEqualTo(binary);
        } finally {
            request.release();
        }
    }

    @Test
    void decodesAnEmptySend() {
        MsrpRequest request = writeAndReadOne("MSRP bind0001 SEND\r\n" + PATHS
                                              + "Message-ID: m1\r\nByte-Range: 1-0/0\r\n-------bind0001$\r\n");
        assertThat(request.decoderResult().isSuccess()).isTrue();
        assertThat(request.content().isReadable()).isFalse();
        assertThat(request.contentType()).isNull();
        assertThat(request.byteRange()).isEqualTo(new MsrpByteRange(1, 0, 0));
    }

    @Test
    void decodesResponsesWithAndWithoutComment() {
        channel.writeInbound(buffer(RFC_OK + "MSRP abcd1234 481\r\n" + PATHS + "-------abcd1234$\r\n"
                                    + "MSRP abcd1235 413 Stop sending, please\r\n" + PATHS + "-------abcd1235$\r\n"));
        MsrpResponse ok = channel.readInbound();
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.comment()).isEqualTo("OK");
        MsrpResponse noComment = channel.readInbound();
        assertThat(noComment.status()).isEqualTo(481);
        assertThat(noComment.comment()).isNull();
        MsrpResponse longComment = channel.readInbound();
        assertThat(longComment.status()).isEqualTo(413);
        assertThat(longComment.comment()).isEqualTo("Stop sending, please");
    }

    @Test
    void decodesAReportWithStatus() {
        MsrpRequest report = writeAndReadOne(RFC_REPORT);
        assertThat(report.method()).isEqualTo(MsrpRequest.REPORT);
        assertThat(report.status()).isEqualTo("000 200 OK");
        assertThat(report.messageId()).isEqualTo("12339sdqwer");
        assertThat(report.byteRange()).isEqualTo(new MsrpByteRange(1, 106, 106));
    }

    @Test
    void failsAnOversizedLineAndResynchronises() {
        channel = new EmbeddedChannel(new MsrpFrameDecoder(100, 64, 1024));
        channel.writeInbound(buffer("MSRP long0001 SEND\r\n" + PATHS + "X-Long: " + "x".repeat(200) + "\r\n"
                                    + "-------long0001$\r\n" + RFC_OK));
        MsrpRequest failed = channel.readInbound();
        assertThat(failed.transactionId()).isEqualTo("long0001");
        assertThat(failed.decoderResult().cause()).isInstanceOf(TooLongFrameException.class)
                .hasMessageContaining("larger than 100 bytes");
        MsrpResponse next = channel.readInbound();
        assertThat(next.status()).isEqualTo(200);
    }

    @Test
    void failsTooManyHeaders() {
        channel = new EmbeddedChannel(new MsrpFrameDecoder(4096, 3, 1024));
        channel.writeInbound(buffer("MSRP many0001 SEND\r\n" + PATHS + "A: 1\r\nB: 2\r\n-------many0001$\r\n"
                                    + RFC_OK));
        MsrpRequest failed = channel.readInbound();
        assertThat(failed.transactionId()).isEqualTo("many0001");
        assertThat(failed.decoderResult().cause()).hasMessageContaining("more than 3 headers");
        assertThat(((MsrpResponse) channel.readInbound()).status()).isEqualTo(200);
    }

    @Test
    void failsAnOversizedBodyAndResynchronises() {
        channel = new EmbeddedChannel(new MsrpFrameDecoder(4096, 64, 16));
        channel.writeInbound(buffer(chunk("big00001", "y".repeat(100), '$') + RFC_OK));
        MsrpRequest failed = channel.readInbound();
        assertThat(failed.transactionId()).isEqualTo("big00001");
        assertThat(failed.content().isReadable()).isFalse();
        assertThat(failed.decoderResult().cause()).isInstanceOf(TooLongFrameException.class)
                .hasMessageContaining("larger than 16 bytes");
        assertThat(((MsrpResponse) channel.readInbound()).status()).isEqualTo(200);
    }

    @Test
    void aBodyOfExactlyMaxBodySizeIsAccepted() {
        channel = new EmbeddedChannel(new MsrpFrameDecoder(4096, 64, 16));
        channel.writeInbound(buffer(chunk("max00001", "z".repeat(16), '$')));
        MsrpRequest request = channel.readInbound();
        try {
            assertThat(request.decoderResult().isSuccess()).isTrue();
            assertThat(request.content().readableBytes()).isEqualTo(16);
        } finally {
            request.release();
        }
    }

    @Test
    void reportsAGarbageStartLineAndResynchronises() {
        channel.writeInbound(buffer("GET / HTTP/1.1\r\nHost: x\r\n\r\n" + RFC_OK));
        MsrpInvalidFrame garbage = channel.readInbound();
        assertThat(garbage.transactionId()).isNull();
        assertThat(garbage.decoderResult().cause()).isInstanceOf(MsrpCodecException.class)
                .hasMessageContaining("Not an MSRP start line");
        assertThat(((MsrpResponse) channel.readInbound()).status()).isEqualTo(200);
    }

    @Test
    void reportsAMalformedTransactionId() {
        MsrpInvalidFrame garbage = writeAndReadOne("MSRP a! SEND\r\n");
        assertThat(garbage.decoderResult().cause()).hasMessageContaining("Malformed transaction id");
    }

    @Test
    void reportsAStatusCodeBelow100() {
        MsrpInvalidFrame garbage = writeAndReadOne("MSRP abcd1234 000 OK\r\n");
        assertThat(garbage.decoderResult().cause()).hasMessageContaining("Status code below 100");
    }

    @Test
    void reportsAMissingEndLineAndDecodesTheNextFrame() {
        channel.writeInbound(buffer("MSRP lost0001 200 OK\r\n" + PATHS + RFC_SEND));
        MsrpResponse incomplete = channel.readInbound();
        assertThat(incomplete.transactionId()).isEqualTo("lost0001");
        assertThat(incomplete.decoderResult().cause()).hasMessageContaining("Missing end-line of transaction lost0001");
        MsrpRequest next = channel.readInbound();
        try {
            assertThat(next.decoderResult().isSuccess()).isTrue();
            assertThat(text(next.content())).isEqualTo("Hey Bob, are you there?");
        } finally {
            next.release();
        }
    }

    @Test
    void rejectsABodyInAResponse() {
        MsrpResponse failed = writeAndReadOne("MSRP resp0001 200 OK\r\n" + PATHS + "\r\nbody\r\n-------resp0001$\r\n");
        assertThat(failed.decoderResult().cause()).hasMessageContaining("must not have a body");
    }

    @Test
    void rejectsAFrameWithoutPaths() {
        MsrpRequest failed = writeAndReadOne("MSRP nopa0001 SEND\r\nMessage-ID: 1\r\n-------nopa0001$\r\n");
        assertThat(failed.transactionId()).isEqualTo("nopa0001");
        assertThat(failed.decoderResult().cause()).hasMessageContaining("Missing To-Path or From-Path");
    }

    @Test
    void rejectsBareLineFeeds() {
        channel.writeInbound(buffer("MSRP bare0001 SEND\n" + RFC_OK));
        MsrpInvalidFrame failed = channel.readInbound();
        assertThat(failed.decoderResult().cause()).hasMessageContaining("bare LF");
        assertThat(((MsrpResponse) channel.readInbound()).status()).isEqualTo(200);
    }

    @Test
    void rejectsAnEndLineWithTheWrongTransactionId() {
        MsrpResponse failed = writeAndReadOne("MSRP righ0001 200 OK\r\n" + PATHS + "-------wrong001$\r\n");
        assertThat(failed.decoderResult().cause()).hasMessageContaining("Malformed end-line");
    }

    private <T> T writeAndReadOne(String frames) {
        channel.writeInbound(buffer(frames));
        T frame = channel.readInbound();
        assertThat((Object) frame).isNotNull();
        return frame;
    }

    private String readChunk() {
        MsrpRequest request = channel.readInbound();
        try {
            return text(request.content()) + request.endFlag().symbol();
        } finally {
            request.release();
        }
    }

    static String chunk(String tid, String body, char flag) {
        return "MSRP " + tid + " SEND\r\n" + PATHS + "Message-ID: msg1\r\nContent-Type: text/plain\r\n\r\n" + body
               + "\r\n-------" + tid + flag + "\r\n";
    }

    static ByteBuf buffer(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }

    private static String text(ByteBuf buf) {
        return buf.toString(StandardCharsets.UTF_8);
    }
}
