package org.imdp.ch1.codec;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import org.imdp.test.NettyLeakDetection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(NettyLeakDetection.class)
class DiameterCodecTest {

    /** DWR, hbh 1, e2e 2, Origin-Host "a.b" (1 octet padding), Origin-Realm "b" (3 octets padding). */
    private static final String DWR_HEX = "0100002c" + "80000118" + "00000000" + "00000001" + "00000002"
            + "00000108" + "4000000b" + "612e6200"
            + "00000128" + "40000009" + "62000000";

    /** Service-Information { IM-Information { Total-Number-Of-Messages-Sent = 3 } }, all V+M vendor 10415. */
    private static final String GROUPED_VENDOR_HEX = "00000369" + "c0000028" + "000028af"
            + "0000083e" + "c000001c" + "000028af"
            + "00000842" + "c0000010" + "000028af" + "00000003";

    private final EmbeddedChannel channel = new EmbeddedChannel(new DiameterFrameDecoder(4096), new DiameterEncoder());

    @AfterEach
    void noLeftovers() {
        channel.finishAndReleaseAll();
    }

    private static DiameterMessage dwr() {
        return new DiameterMessage(DiameterMessage.FLAG_REQUEST, Diameter.CMD_DEVICE_WATCHDOG, 0, 1, 2, List.of(
                DiameterAvp.identity(Diameter.ORIGIN_HOST, 0, true, "a.b"),
                DiameterAvp.identity(Diameter.ORIGIN_REALM, 0, true, "b")));
    }

    private static ByteBuf hex(String hex) {
        return Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex));
    }

    @Test
    void encodes_header_avps_and_padding_as_rfc6733_lays_them_out() {
        channel.writeOutbound(dwr());
        ByteBuf wire = channel.readOutbound();
        try {
            assertThat(ByteBufUtil.hexDump(wire)).isEqualTo(DWR_HEX);
        } finally {
            wire.release();
        }
    }

    @Test
    void decodes_a_byte_vector() {
        channel.writeInbound(hex(DWR_HEX));
        DiameterMessage msg = channel.readInbound();
        assertThat(msg.isRequest()).isTrue();
        assertThat(msg.isProxiable()).isFalse();
        assertThat(msg.commandCode()).isEqualTo(280);
        assertThat(msg.hopByHop()).isEqualTo(1);
        assertThat(msg.endToEnd()).isEqualTo(2);
        assertThat(msg.avp(Diameter.ORIGIN_HOST).orElseThrow().asIdentity()).isEqualTo("a.b");
        assertThat(msg.avp(Diameter.ORIGIN_REALM).orElseThrow().asIdentity()).isEqualTo("b");
        assertThat(msg.avp(Diameter.ORIGIN_REALM).orElseThrow().isMandatory()).isTrue();
    }

    @Test
    void a_frame_split_across_reads_comes_out_once_complete() {
        byte[] bytes = ByteBufUtil.decodeHexDump(DWR_HEX);
        assertThat(channel.writeInbound(Unpooled.wrappedBuffer(bytes, 0, 3))).isFalse();
        assertThat(channel.writeInbound(Unpooled.wrappedBuffer(bytes, 3, 20))).isFalse();
        assertThat(channel.writeInbound(Unpooled.wrappedBuffer(bytes, 23, bytes.length - 23))).isTrue();
        DiameterMessage msg = channel.readInbound();
        assertThat(msg.avps()).hasSize(2);
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void several_frames_in_one_read_come_out_in_order() {
        ByteBuf three = Unpooled.buffer();
        dwr().encode(three);
        dwr().withHopByHop(7).encode(three);
        dwr().withHopByHop(9).withRetransmit().encode(three);
        channel.writeInbound(three);
        assertThat(((DiameterMessage) channel.readInbound()).hopByHop()).isEqualTo(1);
        assertThat(((DiameterMessage) channel.readInbound()).hopByHop()).isEqualTo(7);
        DiameterMessage third = channel.readInbound();
        assertThat(third.hopByHop()).isEqualTo(9);
        assertThat(third.isRetransmit()).isTrue();
        assertThat(third.endToEnd()).isEqualTo(2);
    }

    @Test
    void grouped_vendor_avp_round_trips_against_its_byte_vector() {
        DiameterAvp serviceInformation = DiameterAvp.grouped(Diameter.SERVICE_INFORMATION, Diameter.VENDOR_3GPP, true, List.of(
                DiameterAvp.grouped(Diameter.IM_INFORMATION, Diameter.VENDOR_3GPP, true, List.of(
                        DiameterAvp.unsigned32(Diameter.TOTAL_NUMBER_OF_MESSAGES_SENT, Diameter.VENDOR_3GPP, true, 3)))));
        ByteBuf out = Unpooled.buffer();
        try {
            serviceInformation.encode(out);
            assertThat(ByteBufUtil.hexDump(out)).isEqualTo(GROUPED_VENDOR_HEX);
        } finally {
            out.release();
        }
        ByteBuf in = hex(GROUPED_VENDOR_HEX);
        try {
            DiameterAvp decoded = DiameterAvp.decode(in);
            assertThat(decoded.isVendorSpecific()).isTrue();
            assertThat(decoded.vendorId()).isEqualTo(10415);
            DiameterAvp im = decoded.asGrouped().get(0);
            assertThat(im.code()).isEqualTo(2110);
            DiameterAvp total = im.asGrouped().get(0);
            assertThat(total.code()).isEqualTo(2114);
            assertThat(total.asUnsigned32()).isEqualTo(3);
        } finally {
            in.release();
        }
    }

    @Test
    void typed_values_encode_as_the_rfc_says() throws Exception {
        Instant instant = Instant.parse("2009-03-02T15:50:10Z");
        assertThat(DiameterAvp.time(Diameter.EVENT_TIMESTAMP, 0, true, instant).asOctets())
                .isEqualTo(ByteBufUtil.decodeHexDump("cd567eb2"));
        assertThat(DiameterAvp.time(Diameter.EVENT_TIMESTAMP, 0, true, instant).asTime()).isEqualTo(instant);
        assertThat(DiameterAvp.address(Diameter.HOST_IP_ADDRESS, 0, true, InetAddress.getByName("127.0.0.1")).asOctets())
                .isEqualTo(ByteBufUtil.decodeHexDump("00017f000001"));
        assertThat(DiameterAvp.address(Diameter.HOST_IP_ADDRESS, 0, true, InetAddress.getByName("::1")).asAddress())
                .isEqualTo(InetAddress.getByName("::1"));
        assertThat(DiameterAvp.unsigned32(1, 0, false, 0xFFFFFFFFL).asUnsigned32()).isEqualTo(0xFFFFFFFFL);
        assertThat(DiameterAvp.unsigned64(1, 0, false, 1L << 40).asUnsigned64()).isEqualTo(1L << 40);
        assertThat(DiameterAvp.integer32(1, 0, false, -5).asInteger32()).isEqualTo(-5);
        assertThat(DiameterAvp.enumerated(1, 0, false, 6).asEnumerated()).isEqualTo(6);
        assertThat(DiameterAvp.utf8(1, 0, false, "grüß").asUtf8()).isEqualTo("grüß");
        assertThat(DiameterAvp.octets(1, 0, false, new byte[] {1, 2}).asOctets()).containsExactly(1, 2);
    }

    @Test
    void padding_is_written_and_skipped_but_not_counted_in_the_avp_length() {
        DiameterAvp fiveOctets = DiameterAvp.utf8(Diameter.SESSION_ID, 0, true, "abcde");
        ByteBuf out = Unpooled.buffer();
        try {
            fiveOctets.encode(out);
            DiameterAvp.unsigned32(Diameter.RESULT_CODE, 0, true, 2001).encode(out);
            assertThat(ByteBufUtil.hexDump(out, 0, 16)).isEqualTo("00000107" + "4000000d" + "6162636465" + "000000");
            assertThat(DiameterAvp.decode(out).asUtf8()).isEqualTo("abcde");
            assertThat(DiameterAvp.decode(out).asUnsigned32()).isEqualTo(2001);
            assertThat(out.isReadable()).isFalse();
        } finally {
            out.release();
        }
    }

    @Test
    void a_length_that_is_not_a_multiple_of_four_loses_the_framing_and_the_rest_is_discarded() {
        assertThatThrownBy(() -> channel.writeInbound(hex("01000015" + "80000118" + "00000000" + "00000001" + "00000002" + "00")))
                .isInstanceOf(CorruptedFrameException.class)
                .hasMessageContaining("Message Length 21");
        // whatever follows on this connection is not trusted any more
        channel.writeInbound(hex(DWR_HEX));
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void a_length_below_the_header_size_is_rejected() {
        assertThatThrownBy(() -> channel.writeInbound(hex("01000010" + "80000118")))
                .isInstanceOf(CorruptedFrameException.class);
    }

    @Test
    void a_bad_version_is_rejected() {
        assertThatThrownBy(() -> channel.writeInbound(hex("0200002c" + "80000118")))
                .isInstanceOf(CorruptedFrameException.class)
                .hasMessageContaining("version 2");
    }

    @Test
    void a_length_above_the_limit_is_rejected_before_the_body_arrives() {
        assertThatThrownBy(() -> channel.writeInbound(hex("01fffffc" + "80000118")))
                .isInstanceOf(TooLongFrameException.class)
                .hasMessageContaining("16777212");
    }

    @Test
    void a_truncated_avp_inside_a_sound_frame_is_reported_with_its_header() {
        // frame of 32 octets; the AVP claims 16 octets but only 12 are left
        channel.writeInbound(hex("01000020" + "00000110" + "00000003" + "0000002a" + "00000007"
                + "0000010c" + "40000010" + "000007d1"));
        MalformedDiameterMessage malformed = channel.readInbound();
        assertThat(malformed.header().hopByHop()).isEqualTo(42);
        assertThat(malformed.header().commandCode()).isEqualTo(272);
        assertThat(malformed.header().isRequest()).isFalse();
        assertThat(malformed.reason()).contains("truncated AVP 268");
        // the stream is still in sync
        channel.writeInbound(hex(DWR_HEX));
        assertThat(((DiameterMessage) channel.readInbound()).commandCode()).isEqualTo(280);
    }

    @Test
    void an_avp_shorter_than_its_header_is_malformed() {
        ByteBuf in = hex("0000010c" + "40000004");
        try {
            assertThatThrownBy(() -> DiameterAvp.decode(in)).isInstanceOf(DiameterCodecException.class)
                    .hasMessageContaining("shorter than its header");
        } finally {
            in.release();
        }
    }

    @Test
    void v_flag_and_vendor_id_must_agree() {
        assertThatThrownBy(() -> new DiameterAvp(1, DiameterAvp.FLAG_VENDOR, 0, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
        ByteBuf in = hex("0000010c" + "c000000c" + "00000000");
        try {
            assertThatThrownBy(() -> DiameterAvp.decode(in)).isInstanceOf(DiameterCodecException.class);
        } finally {
            in.release();
        }
    }
}
