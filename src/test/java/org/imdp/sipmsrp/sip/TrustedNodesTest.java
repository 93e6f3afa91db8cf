package org.imdp.sipmsrp.sip;

import java.net.InetAddress;

import org.imdp.sipmsrp.SipMsrpConfiguration;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrustedNodesTest {

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void cidr_blocks_and_single_addresses_of_both_families() throws Exception {
        TrustedNodes nodes = TrustedNodes.parse(" 10.1.2.0/23, 192.0.2.7 ,2001:db8:a::/48, ::1");

        assertThat(nodes.contains(ip("10.1.2.1"))).isTrue();
        assertThat(nodes.contains(ip("10.1.3.255"))).isTrue();
        assertThat(nodes.contains(ip("10.1.4.0"))).as("outside the /23").isFalse();
        assertThat(nodes.contains(ip("192.0.2.7"))).isTrue();
        assertThat(nodes.contains(ip("192.0.2.8"))).as("a bare address is that address alone").isFalse();
        assertThat(nodes.contains(ip("2001:db8:a:ffff::1"))).isTrue();
        assertThat(nodes.contains(ip("2001:db8:b::1"))).isFalse();
        assertThat(nodes.contains(ip("::1"))).isTrue();
        assertThat(nodes.contains(ip("127.0.0.1"))).as("::1 does not stand for IPv4 loopback").isFalse();
        assertThat(nodes.contains(null)).isFalse();
        assertThat(nodes).hasToString("[10.1.2.0/23, 192.0.2.7, 2001:db8:a::/48, ::1]");
    }

    @Test
    void prefix_lengths_at_the_edges() throws Exception {
        assertThat(TrustedNodes.parse("0.0.0.0/0").contains(ip("203.0.113.9"))).isTrue();
        assertThat(TrustedNodes.parse("0.0.0.0/0").contains(ip("2001:db8::1"))).as("another family").isFalse();
        assertThat(TrustedNodes.parse("10.0.0.128/25").contains(ip("10.0.0.127"))).isFalse();
        assertThat(TrustedNodes.parse("10.0.0.128/25").contains(ip("10.0.0.200"))).isTrue();
        assertThat(TrustedNodes.parse("2001:db8::1/128").contains(ip("2001:db8::2"))).isFalse();
    }

    @Test
    void entries_that_are_not_literal_addresses_with_a_fitting_prefix_are_refused() {
        assertThatThrownBy(() -> TrustedNodes.parse("s-cscf.example.com")).hasMessageContaining("no host names");
        assertThatThrownBy(() -> TrustedNodes.parse("10.0.0.0/33")).hasMessageContaining("10.0.0.0/33")
                .hasMessageContaining("0 to 32");
        assertThatThrownBy(() -> TrustedNodes.parse("2001:db8::/129")).hasMessageContaining("0 to 128");
        assertThatThrownBy(() -> TrustedNodes.parse("10.0.0.0/x")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> TrustedNodes.parse("10.0.0.256")).hasMessageContaining("10.0.0.256");
    }

    @Test
    void an_empty_list_trusts_loopback_on_a_loopback_host_and_nobody_elsewhere() throws Exception {
        TrustedNodes onLoopback = SipMsrpConfiguration.trustedNodes("", "127.0.0.1");
        assertThat(onLoopback.contains(ip("127.0.0.2"))).isTrue();
        assertThat(onLoopback.contains(ip("::1"))).isTrue();
        assertThat(onLoopback.contains(ip("192.0.2.1"))).isFalse();

        assertThat(SipMsrpConfiguration.trustedNodes(" ", "::1").contains(ip("127.0.0.1"))).isTrue();
        assertThat(SipMsrpConfiguration.trustedNodes(null, "0.0.0.0").isEmpty()).isTrue();
        assertThat(SipMsrpConfiguration.trustedNodes("", "192.0.2.1").contains(ip("127.0.0.1"))).isFalse();
        // a list replaces the default, also on loopback
        assertThat(SipMsrpConfiguration.trustedNodes("127.0.0.1/32", "127.0.0.1").contains(ip("127.0.0.2"))).isFalse();
    }
}
