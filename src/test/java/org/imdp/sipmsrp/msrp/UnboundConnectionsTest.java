package org.imdp.sipmsrp.msrp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.imdp.sipmsrp.msrp.codec.MsrpFrameDecoder;
import org.imdp.sipmsrp.msrp.codec.MsrpRequest;
import org.imdp.test.NettyLeakDetection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guard in front of the MSRP decoder of an accepted connection, with the real decoder behind it, under Netty's
 * PARANOID leak detection: so many unbound connections at once, so many octets each before binding, and a bound
 * connection (guard removed) has the decoder's own limits again.
 */
@ExtendWith(NettyLeakDetection.class)
class UnboundConnectionsTest {

    private static final int MAX_BYTES = 1024;
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void closeChannels() {
        for (EmbeddedChannel channel : channels) {
            channel.finishAndReleaseAll();
        }
    }

    /** A channel with the guard and the decoder, as NettyMsrpSessions builds it, then made active. */
    private EmbeddedChannel accepted(UnboundConnections unbound) throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel(false, false);
        channel.pipeline().addLast(UnboundConnections.Guard.NAME, unbound.newGuard());
        channel.pipeline().addLast("decoder", new MsrpFrameDecoder());
        channel.register();
        channels.add(channel);
        return channel;
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    /** A SEND whose body is announced by nothing but its length so far: the decoder keeps waiting for its end. */
    private static String partialSend(int bodyOctets) {
        return "MSRP tx0001 SEND\r\nTo-Path: msrp://127.0.0.1:2855/s1;tcp\r\nFrom-Path: msrp://127.0.0.1:9/x;tcp\r\n"
               + "Message-ID: m1\r\nByte-Range: 1-*/*\r\nContent-Type: text/plain\r\n\r\n" + "x".repeat(bodyOctets);
    }

    @Test
    void a_connection_over_the_limit_of_unbound_ones_is_closed_at_once_and_frees_no_place() throws Exception {
        UnboundConnections unbound = new UnboundConnections(2, MAX_BYTES);
        EmbeddedChannel first = accepted(unbound);
        EmbeddedChannel second = accepted(unbound);
        assertThat(unbound.open()).isEqualTo(2);

        EmbeddedChannel third = accepted(unbound);
        assertThat(third.isOpen()).isFalse();
        assertThat(unbound.refused()).isEqualTo(1);
        assertThat(unbound.open()).isEqualTo(2);
        assertThat(first.isOpen()).isTrue();
        assertThat(second.isOpen()).isTrue();

        // a closed one frees its place
        first.close();
        assertThat(unbound.open()).isEqualTo(1);
        assertThat(accepted(unbound).isOpen()).isTrue();
        assertThat(unbound.open()).isEqualTo(2);
    }

    @Test
    void an_unbound_connection_is_closed_past_its_octets_whatever_frame_it_announces_and_nothing_leaks() throws Exception {
        UnboundConnections unbound = new UnboundConnections(4, MAX_BYTES);
        EmbeddedChannel channel = accepted(unbound);

        channel.writeInbound(ascii(partialSend(MAX_BYTES / 2)));
        assertThat(channel.isOpen()).isTrue();
        assertThat((Object) channel.readInbound()).as("the decoder waits for the end-line").isNull();

        channel.writeInbound(ascii("x".repeat(MAX_BYTES)));
        assertThat(channel.isOpen()).isFalse();
        assertThat(unbound.closedOverBytes()).isEqualTo(1);
        assertThat(unbound.open()).isZero();
    }

    @Test
    void once_bound_the_guard_is_gone_its_place_is_free_and_the_decoder_takes_larger_frames() throws Exception {
        UnboundConnections unbound = new UnboundConnections(1, MAX_BYTES);
        EmbeddedChannel channel = accepted(unbound);
        assertThat(accepted(unbound).isOpen()).as("the one place is taken").isFalse();

        // what MsrpConnection does when the first request bound the connection
        channel.pipeline().remove(UnboundConnections.Guard.NAME);
        assertThat(unbound.open()).isZero();

        channel.writeInbound(ascii(partialSend(4 * MAX_BYTES) + "\r\n-------tx0001$\r\n"));
        MsrpRequest send = channel.readInbound();
        assertThat(send.decoderResult().isSuccess()).isTrue();
        assertThat(send.content().readableBytes()).isEqualTo(4 * MAX_BYTES);
        send.release();
        assertThat(channel.isOpen()).isTrue();
        assertThat(accepted(unbound).isOpen()).as("the place is free again").isTrue();
    }
}
