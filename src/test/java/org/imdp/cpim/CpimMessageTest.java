package org.imdp.cpim;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import org.imdp.store.DeferredMessage;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CpimMessageTest {

    /** PROTOCOLS.md A.6, with CRLF line ends. */
    private static final String A6_EXAMPLE = """
            From: <sip:alice@example.com>\r
            To: <sip:bob@example.com>\r
            DateTime: 2009-03-02T15:49:02Z\r
            NS: imdn <urn:ietf:params:imdn>\r
            imdn.Message-ID: 34jk324j\r
            imdn.Disposition-Notification: positive-delivery, display\r
            \r
            Content-Type: text/plain;charset=UTF-8\r
            Content-Length: 13\r
            \r
            Hello, World!""";

    @Test
    void wrapsTheA6ExampleByteForByte() {
        assertThat(new String(CpimMessage.wrap(a6()), StandardCharsets.UTF_8)).isEqualTo(A6_EXAMPLE);
    }

    @Test
    void leavesOutDispositionNotificationWhenNotAskedFor() {
        String wrapped = new String(CpimMessage.wrap(message("sip:alice@example.com", "34jk324j", null,
                "Hello, World!".getBytes(StandardCharsets.UTF_8))), StandardCharsets.UTF_8);
        assertThat(wrapped).doesNotContain("Disposition-Notification")
                .contains("imdn.Message-ID: 34jk324j\r\n\r\nContent-Type: ");
    }

    @Test
    void keepsABinaryBodyIntactAndCountsOctets() {
        byte[] binary = new byte[70_000];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) (i * 31);
        }
        byte[] wrapped = CpimMessage.wrap(message("sip:alice@example.com", "bin1", null, binary));
        CpimMessage parsed = CpimMessage.parse(wrapped);
        assertThat(parsed.body()).isEqualTo(binary);
        assertThat(parsed.contentHeaders()).contains(Map.entry(CpimMessage.CONTENT_LENGTH, "70000"));
    }

    @Test
    void parsesWhatItWraps() {
        CpimMessage parsed = CpimMessage.parse(CpimMessage.wrap(a6()));
        assertThat(parsed.header(CpimMessage.FROM)).isEqualTo("<sip:alice@example.com>");
        assertThat(parsed.header(CpimMessage.TO)).isEqualTo("<sip:bob@example.com>");
        assertThat(parsed.header(CpimMessage.DATE_TIME)).isEqualTo("2009-03-02T15:49:02Z");
        assertThat(parsed.header(CpimMessage.NS)).isEqualTo(CpimMessage.IMDN_NAMESPACE);
        assertThat(parsed.header(CpimMessage.IMDN_MESSAGE_ID)).isEqualTo("34jk324j");
        assertThat(parsed.header(CpimMessage.IMDN_DISPOSITION_NOTIFICATION)).isEqualTo("positive-delivery, display");
        assertThat(parsed.contentType()).isEqualTo("text/plain;charset=UTF-8");
        assertThat(parsed.body()).asString(StandardCharsets.UTF_8).isEqualTo("Hello, World!");
    }

    @Test
    void parsesBareLineFeedsAndIgnoresBytesBeyondContentLength() {
        CpimMessage parsed = CpimMessage.parse(
                "From: <sip:a@b>\n\nContent-Type: text/plain\nContent-Length: 2\n\nhi\r\n".getBytes(StandardCharsets.UTF_8));
        assertThat(parsed.header(CpimMessage.FROM)).isEqualTo("<sip:a@b>");
        assertThat(parsed.body()).asString(StandardCharsets.UTF_8).isEqualTo("hi");
    }

    @Test
    void refusesMalformedDocuments() {
        assertThatThrownBy(() -> CpimMessage.parse("From: <sip:a@b>\r\n".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not ended by a blank line");
        assertThatThrownBy(() -> CpimMessage.parse(
                "From: <sip:a@b>\r\n\r\nContent-Length: 9\r\n\r\nhi".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Content-Length 9");
    }

    @Test
    void refusesAHeaderInjectedThroughTheSender() {
        assertThatThrownBy(() -> CpimMessage.wrap(message("sip:a@b\r\nTo: <sip:evil>", "id1", null, new byte[0])))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("CPIM sender contains control character 0xd");
    }

    @Test
    void refusesAngleBracketsAndSpacesInUris() {
        assertThatThrownBy(() -> CpimMessage.wrap(message("sip:a@b>, <sip:evil@x", "id1", null, new byte[0])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("white space");
        assertThatThrownBy(() -> CpimMessage.wrap(message("sip:a@b><sip:evil@x", "id1", null, new byte[0])))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("CPIM sender must not contain '<' or '>'");
        assertThatThrownBy(() -> CpimMessage.wrap(new DeferredMessage("id1", "sip:a@b", "sip:bob@x>", "text/plain",
                Instant.EPOCH, null, new byte[0]))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("CPIM recipient must not contain '<' or '>'");
    }

    @Test
    void refusesControlCharactersInOtherFields() {
        assertThatThrownBy(() -> CpimMessage.wrap(message("sip:a@b", "id\r1", null, new byte[0])))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("CPIM message id contains control character 0xd");
        assertThatThrownBy(() -> CpimMessage.wrap(message("sip:a@b", "id1", "display\nX: y", new byte[0])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CPIM disposition notification");
        assertThatThrownBy(() -> CpimMessage.wrap(new DeferredMessage("id1", "sip:a@b", "sip:c@d",
                "text/plain\r\n\r\nfake body", Instant.EPOCH, null, new byte[0])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CPIM content type");
    }

    private static DeferredMessage a6() {
        return new DeferredMessage("34jk324j", "sip:alice@example.com", "sip:bob@example.com",
                "text/plain;charset=UTF-8", Instant.parse("2009-03-02T15:49:02Z"), "positive-delivery, display",
                "Hello, World!".getBytes(StandardCharsets.UTF_8));
    }

    private static DeferredMessage message(String sender, String id, String disposition, byte[] body) {
        return new DeferredMessage(id, sender, "sip:bob@example.com", "text/plain;charset=UTF-8",
                Instant.parse("2009-03-02T15:49:02Z"), disposition, body);
    }
}
