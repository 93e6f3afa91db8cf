package org.imdp.store;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecipientsTest {

    @Test
    void request_uri_and_register_to_meet_in_one_identity() {
        assertThat(Recipients.canonical("sip:bob@Example.COM;user=phone")).isEqualTo("sip:bob@example.com");
        assertThat(Recipients.canonical("\"Bob\" <sip:bob@example.com>;tag=1")).isEqualTo("sip:bob@example.com");
        assertThat(Recipients.canonical("SIP:bob@example.com:5061?subject=x")).isEqualTo("sip:bob@example.com:5061");
        assertThat(Recipients.canonical("tel:+4912345")).isEqualTo("tel:+4912345");
    }

    @Test
    void anything_but_a_sip_or_tel_uri_is_refused() {
        assertThatThrownBy(() -> Recipients.canonical(null)).hasMessageContaining("missing");
        assertThatThrownBy(() -> Recipients.canonical("bob")).hasMessageContaining("not a URI");
        assertThatThrownBy(() -> Recipients.canonical("http://x")).hasMessageContaining("scheme");
        assertThatThrownBy(() -> Recipients.canonical("sip:@example.com")).hasMessageContaining("lacks");
        assertThatThrownBy(() -> Recipients.canonical("sip:127.0.0.1")).hasMessageContaining("lacks");
        assertThatThrownBy(() -> Recipients.canonical("sip:bob\r\nTo:@x")).hasMessageContaining("illegal");
    }
}
