package org.imdp.sipmsrp.sdp;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SipMsrpSdpTest {

    private static final String PATH = "msrp://198.51.100.5:2855/iau39soe2843z;tcp";
    private static final List<String> CPIM = List.of("message/cpim");

    @Test
    void offer_has_the_msrp_lines_of_protocols_b4_in_order() {
        String offer = SdpOffer.build(PATH, 3818390400L, CPIM, false);

        assertThat(offer.split("\r\n")).containsExactly(
                "v=0",
                "o=- 3818390400 3818390400 IN IP4 198.51.100.5",
                "s=-",
                "c=IN IP4 198.51.100.5",
                "t=0 0",
                "m=message 2855 TCP/MSRP *",
                "a=accept-types:message/cpim",
                "a=accept-wrapped-types:*",
                "a=path:" + PATH,
                "a=setup:actpass",
                "a=sendonly");
        assertThat(offer).endsWith("\r\n");
    }

    @Test
    void offer_accepts_the_types_it_is_given_and_an_answer_takes_them_by_name_or_wildcard() {
        assertThat(SdpOffer.build(PATH, 1, List.of("message/cpim", "text/plain"), false))
                .contains("a=accept-types:message/cpim text/plain\r\n");
        assertThatThrownBy(() -> SdpOffer.build(PATH, 1, List.of(), false)).isInstanceOf(IllegalArgumentException.class);

        SdpAnswer.MsrpMedia media = SdpAnswer.parse("m=message 5 TCP/MSRP *\r\na=accept-types:MESSAGE/* text/plain\r\n")
                .msrp().orElseThrow();

        assertThat(media.accepts("message/cpim")).isTrue();
        assertThat(media.accepts("text/plain")).isTrue();
        assertThat(media.accepts("text/html")).isFalse();
        assertThat(media.accepts("application/octet-stream")).isFalse();
    }

    @Test
    void offer_with_cema_carries_msrp_cema_and_the_default_does_not() {
        assertThat(SdpOffer.build(PATH, 1, CPIM, true)).contains("a=setup:actpass\r\na=msrp-cema\r\na=sendonly\r\n");
        assertThat(SdpOffer.build(PATH, 1, CPIM, false)).doesNotContain("msrp-cema");
    }

    @Test
    void answer_with_cema_gives_the_media_level_connection_address_over_the_session_level_one() {
        String sdp = "v=0\r\no=- 1 1 IN IP4 10.0.0.7\r\ns=-\r\nc=IN IP4 10.0.0.7\r\nt=0 0\r\n"
                     + "m=message 20001 TCP/MSRP *\r\nc=IN IP4 192.0.2.44\r\n"
                     + "a=accept-types:message/cpim\r\n"
                     + "a=path:msrp://dummy.invalid:9/s9sd8f7;tcp\r\n"
                     + "a=msrp-cema\r\n";

        SdpAnswer.MsrpMedia media = SdpAnswer.parse(sdp).msrp().orElseThrow();

        assertThat(media.cema()).isTrue();
        assertThat(media.address()).isEqualTo("192.0.2.44");
        assertThat(media.port()).isEqualTo(20001);
        assertThat(media.cemaAgreed(true)).isTrue();
        assertThat(media.cemaAgreed(false)).as("not offered").isFalse();
    }

    @Test
    void answer_without_cema_keeps_the_session_level_address_and_no_agreement() {
        String sdp = "v=0\r\no=- 1 1 IN IP4 10.0.0.7\r\ns=-\r\nc=IN IP4 10.0.0.7\r\nt=0 0\r\n"
                     + "m=message 2856 TCP/MSRP *\r\na=path:msrp://10.0.0.7:2856/s9sd8f7;tcp\r\n";

        SdpAnswer.MsrpMedia media = SdpAnswer.parse(sdp).msrp().orElseThrow();

        assertThat(media.cema()).isFalse();
        assertThat(media.address()).isEqualTo("10.0.0.7");
        assertThat(media.cemaAgreed(true)).isFalse();
    }

    @Test
    void offer_on_ipv6_uses_ip6_address_type() {
        String offer = SdpOffer.build("msrp://[2001:db8::5]:2855/abc;tcp", 1, CPIM, false);

        assertThat(offer).contains("c=IN IP6 2001:db8::5\r\n").contains("m=message 2855 TCP/MSRP *\r\n");
    }

    @Test
    void offer_refuses_a_path_without_port() {
        assertThatThrownBy(() -> SdpOffer.build("msrp://host/abc;tcp", 1, CPIM, false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void answer_with_relays_active_setup_and_max_size() {
        String sdp = "v=0\r\no=- 1 1 IN IP4 10.0.0.7\r\ns=-\r\nc=IN IP4 10.0.0.7\r\nt=0 0\r\n"
                     + "m=audio 49170 RTP/AVP 0\r\na=setup:passive\r\n"
                     + "m=message 9 TCP/MSRP *\r\n"
                     + "a=accept-types:message/cpim text/plain\r\n"
                     + "a=path:msrps://relay.example.com:2855/r1;tcp msrp://10.0.0.7:49152/s9sd8f7;tcp\r\n"
                     + "a=setup:active\r\n"
                     + "a=max-size:4096\r\n"
                     + "a=recvonly\r\n";

        SdpAnswer.MsrpMedia media = SdpAnswer.parse(sdp).msrp().orElseThrow();

        assertThat(media.port()).isEqualTo(9);
        assertThat(media.protocol()).isEqualTo("TCP/MSRP");
        assertThat(media.path()).containsExactly("msrps://relay.example.com:2855/r1;tcp",
                "msrp://10.0.0.7:49152/s9sd8f7;tcp");
        assertThat(media.setup()).isEqualTo(SdpSetup.ACTIVE);
        assertThat(media.weConnect()).isFalse();
        assertThat(media.acceptTypes()).containsExactly("message/cpim", "text/plain");
        assertThat(media.accepts("message/cpim")).isTrue();
        assertThat(media.maxSize()).isEqualTo(4096L);
    }

    @Test
    void answer_without_setup_means_we_connect_and_lf_line_ends_are_read() {
        String sdp = "v=0\nm=message 49152 TCP/TLS/MSRP *\na=accept-types:*\na=path:msrps://10.0.0.7:49152/x;tcp\n";

        SdpAnswer.MsrpMedia media = SdpAnswer.parse(sdp).msrp().orElseThrow();

        assertThat(media.setup()).isNull();
        assertThat(media.weConnect()).isTrue();
        assertThat(media.accepts("message/cpim")).isTrue();
        assertThat(media.maxSize()).isNull();
        assertThat(media.protocol()).isEqualTo("TCP/TLS/MSRP");
    }

    @Test
    void answer_that_does_not_take_cpim() {
        SdpAnswer.MsrpMedia media = SdpAnswer.parse("m=message 5 TCP/MSRP *\r\na=accept-types:text/plain\r\n")
                .msrp().orElseThrow();

        assertThat(media.accepts("message/cpim")).isFalse();
        assertThat(media.path()).isEmpty();
    }

    @Test
    void answers_without_usable_msrp_media() {
        List<String> answers = List.of(
                "v=0\r\nm=audio 49170 RTP/AVP 0\r\na=path:msrp://10.0.0.7:1/x;tcp\r\n",
                "v=0\r\nm=message 0 TCP/MSRP *\r\na=path:msrp://10.0.0.7:1/x;tcp\r\n",
                "v=0\r\nm=message 7 UDP/BFCP *\r\n",
                "v=0\r\nm=message x TCP/MSRP *\r\n",
                "");
        for (String sdp : answers) {
            assertThat(SdpAnswer.parse(sdp).msrp()).as(sdp).isEmpty();
        }
        assertThat(SdpAnswer.parse(null).msrp()).isEmpty();
    }

    @Test
    void the_offer_reads_back_as_msrp_media() {
        SdpAnswer.MsrpMedia media = SdpAnswer.parse(SdpOffer.build(PATH, 7, CPIM, false)).msrp().orElseThrow();

        assertThat(media.path()).containsExactly(PATH);
        assertThat(media.setup()).isEqualTo(SdpSetup.ACTPASS);
        assertThat(media.port()).isEqualTo(2855);
    }

    @Test
    void an_msrps_path_is_offered_on_tcp_tls_msrp() {
        String offer = SdpOffer.build("msrps://198.51.100.5:2855/iau39soe2843z;tcp", 1, CPIM, false);
        assertThat(offer).contains("m=message 2855 TCP/TLS/MSRP *\r\n")
                .contains("a=path:msrps://198.51.100.5:2855/iau39soe2843z;tcp\r\n");
        assertThat(SdpOffer.build(PATH, 1, CPIM, false)).contains("m=message 2855 TCP/MSRP *\r\n");
    }
}
