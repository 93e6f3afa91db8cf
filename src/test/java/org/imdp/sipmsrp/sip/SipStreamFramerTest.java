package org.imdp.sipmsrp.sip;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The framer in front of JAIN-SIP's NIO parser: only whole messages go on, a body is kept only as it arrives and only
 * when the headers and the announced Content-Length fit the limit.
 */
class SipStreamFramerTest {

    private static final int MAX = 4096;

    private static String message(String body) {
        return "MESSAGE sip:bob@example.com SIP/2.0\r\n"
               + "Via: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK1\r\n"
               + "Call-ID: 1@example.com\r\n"
               + "CSeq: 1 MESSAGE\r\n"
               + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n"
               + "\r\n" + body;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void a_whole_message_goes_on_whole_and_only_once_all_of_its_body_arrived() throws Exception {
        SipStreamFramer framer = new SipStreamFramer(MAX);
        byte[] all = bytes(message("Hello Bob"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // one octet at a time: nothing goes on before the last one
        for (int i = 0; i < all.length - 1; i++) {
            assertThat(framer.feed(new byte[] {all[i]})).as("after octet %d", i).isEmpty();
        }
        out.writeBytes(framer.feed(new byte[] {all[all.length - 1]}));
        assertThat(out.toByteArray()).isEqualTo(all);
    }

    @Test
    void several_messages_and_keep_alives_in_one_read_go_on_in_order_and_the_partial_rest_waits() throws Exception {
        SipStreamFramer framer = new SipStreamFramer(MAX);
        String first = message("one");
        String second = message("");
        String third = message("three");
        String stream = "\r\n\r\n" + first + second + third;
        int cut = stream.length() - 2;

        byte[] ready = framer.feed(bytes(stream.substring(0, cut)));
        assertThat(new String(ready, StandardCharsets.UTF_8)).isEqualTo("\r\n\r\n" + first + second);
        assertThat(new String(framer.feed(bytes(stream.substring(cut))), StandardCharsets.UTF_8)).isEqualTo(third);
    }

    @Test
    void a_content_length_over_the_limit_fails_at_the_end_of_the_headers_before_any_body() throws Exception {
        SipStreamFramer framer = new SipStreamFramer(MAX);
        String headers = "MESSAGE sip:bob@example.com SIP/2.0\r\nCall-ID: 2@example.com\r\n"
                         + "Content-Length: 2000000000\r\n";
        assertThat(framer.feed(bytes(headers))).isEmpty();

        assertThatThrownBy(() -> framer.feed(bytes("\r\n")))
                .isInstanceOf(SipStreamLimitException.class).hasMessageContaining("Content-Length of 2000000000");
    }

    @Test
    void headers_and_body_together_over_the_limit_fail_even_when_each_fits() throws Exception {
        SipStreamFramer framer = new SipStreamFramer(MAX);
        String headers = "MESSAGE sip:bob@example.com SIP/2.0\r\nContent-Length: " + (MAX - 20) + "\r\n\r\n";

        assertThatThrownBy(() -> framer.feed(bytes(headers))).isInstanceOf(SipStreamLimitException.class)
                .hasMessageContaining("over " + MAX + " octets");
    }

    @Test
    void headers_without_end_fail_once_they_pass_the_limit() throws Exception {
        SipStreamFramer framer = new SipStreamFramer(MAX);
        assertThat(framer.feed(bytes("MESSAGE sip:bob@example.com SIP/2.0\r\n"))).isEmpty();

        assertThatThrownBy(() -> {
            for (int i = 0; i < MAX; i++) {
                framer.feed(bytes("X-Filler: " + i + "\r\n"));
            }
        }).isInstanceOf(SipStreamLimitException.class).hasMessageContaining("headers of more than " + MAX);
    }

    @Test
    void a_message_at_the_limit_goes_on() throws Exception {
        SipStreamFramer framer = new SipStreamFramer(MAX);
        String empty = message("");
        // "Content-Length: 0" becomes a four-digit length
        String body = "x".repeat(MAX - empty.length() - 3);
        String full = message(body);
        assertThat(bytes(full)).hasSize(MAX);

        assertThat(framer.feed(bytes(full))).isEqualTo(bytes(full));
    }

    @Test
    void the_long_form_content_length_is_required_as_the_ri_reads_no_other() {
        String compact = "MESSAGE sip:bob@example.com SIP/2.0\r\nCall-ID: 3@example.com\r\nl: 3\r\n\r\nabc";
        assertThatThrownBy(() -> new SipStreamFramer(MAX).feed(bytes(compact)))
                .isInstanceOf(SipStreamLimitException.class).hasMessageContaining("without a Content-Length");
    }

    @Test
    void a_content_length_the_ri_would_not_read_as_a_length_fails() {
        for (String value : new String[] {"abc", "-1", "", "99999999999"}) {
            String m = "MESSAGE sip:bob@example.com SIP/2.0\r\nContent-Length: " + value + "\r\n\r\n";
            assertThatThrownBy(() -> new SipStreamFramer(MAX).feed(bytes(m))).as(value)
                    .isInstanceOf(SipStreamLimitException.class);
        }
    }

    @Test
    void a_bare_cr_fails() {
        assertThatThrownBy(() -> new SipStreamFramer(MAX).feed(bytes("MESSAGE sip:bob@example.com SIP/2.0\r\r\n")))
                .isInstanceOf(SipStreamLimitException.class).hasMessageContaining("CR not followed by LF");
    }

    @Test
    void the_content_length_is_read_in_any_case_and_the_last_one_counts_as_the_ri_reads_it() throws Exception {
        String m = "MESSAGE sip:bob@example.com SIP/2.0\r\ncontent-length: 1\r\nCONTENT-LENGTH:  3 \r\n\r\nabc";
        assertThat(new SipStreamFramer(MAX).feed(bytes(m))).isEqualTo(bytes(m));
    }

    @Test
    void the_message_after_a_large_one_is_framed_from_its_own_start() throws Exception {
        SipStreamFramer framer = new SipStreamFramer(MAX);
        framer.feed(bytes(message("y".repeat(3000))));
        // the next message is framed from scratch: a partial one stays partial
        assertThat(framer.feed(bytes("MESSAGE sip:bob@example.com SIP/2.0\r\n"))).isEmpty();
        assertThat(new String(framer.feed(bytes("Content-Length: 0\r\n\r\n")), StandardCharsets.UTF_8))
                .isEqualTo("MESSAGE sip:bob@example.com SIP/2.0\r\nContent-Length: 0\r\n\r\n");
    }
}
