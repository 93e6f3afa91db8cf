package org.imdp.cpim;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
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
                .hasMessage("CPIM sender contains control character U+000D, which cannot go into a CPIM header");
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

    /** The one rule for a CPIM header value, the intake's and the wrapper's: one line, whatever reads the lines. */
    @Test
    void aHeaderValueIsOneLineForEveryLineReader() {
        for (String good : new String[] { "", "text/plain; charset=\"UTF-8\"", "Grüße é", "\u00a0nbsp", "emoji \ud83d\ude00",
                "sip:bob@example.com" }) {
            assertThat(CpimMessage.headerValue("v", good)).as(good).isEqualTo(good);
        }
        for (String[] bad : new String[][] { { "a\u0085b", "control character U+0085" },
                { "\u0080", "control character U+0080" }, { "x\u009f", "control character U+009F" },
                { "\r", "control character U+000D" }, { "a\tb", "control character U+0009" },
                { "\u007f", "control character U+007F" }, { "a\u2028b", "line break U+2028" },
                { "\u2029", "line break U+2029" }, { "a\ud83d", "unpaired surrogate U+D83D" },
                { "\ude00a", "unpaired surrogate U+DE00" } }) {
            assertThatThrownBy(() -> CpimMessage.headerValue("CPIM Content-Type", bad[0])).as(bad[1])
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("CPIM Content-Type contains " + bad[1] + ", which cannot go into a CPIM header");
        }
        assertThatThrownBy(() -> CpimMessage.headerToken("id", "a\u2003b")).hasMessageContaining("white space");
        assertThatThrownBy(() -> CpimMessage.headerUri("URI", "sip:a@b\u2028")).hasMessageContaining("line break");
        // and the wrapper applies it to every field it writes
        assertThatThrownBy(() -> CpimMessage.wrap(new DeferredMessage("id1", "sip:a@b", "sip:c@d", "text/plain\u0085",
                Instant.EPOCH, null, new byte[0]))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CPIM content type contains control character U+0085");
    }

    @Test
    void refusesControlCharactersInOtherFields() {
        assertThatThrownBy(() -> CpimMessage.wrap(message("sip:a@b", "id\r1", null, new byte[0])))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("CPIM message id contains control character U+000D, which cannot go into a CPIM header");
        assertThatThrownBy(() -> CpimMessage.wrap(message("sip:a@b", "id1", "display\nX: y", new byte[0])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CPIM disposition notification");
        assertThatThrownBy(() -> CpimMessage.wrap(new DeferredMessage("id1", "sip:a@b", "sip:c@d",
                "text/plain\r\n\r\nfake body", Instant.EPOCH, null, new byte[0])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CPIM content type");
    }

    /** A client's own CPIM (RFC 3862 §3.1 style, prefix of its own choosing) with headers beyond the wrapper's. */
    private static final String CLIENT_CPIM = """
            From: Alice <sip:alice@example.com>\r
            To: Bob <sip:bob@example.com>\r
            cc: <sip:carol@example.com>\r
            Subject: lunch?\r
            NS: i <urn:ietf:params:imdn>\r
            NS: MyFeatures <mid:MessageFeatures@id.foo.com>\r
            MyFeatures.VitalMessageOption: Confirmation-requested\r
            i.Message-ID: 7f3a\r
            i.Original-To: <sip:bob@example.com>\r
            DateTime: 2026-11-26T09:00:00+01:00\r
            i.Disposition-Notification: negative-delivery\r
            \r
            Content-Type: text/plain\r
            Content-ID: <1234567890@foo.com>\r
            \r
            12:30?""";

    @Test
    void takesApartAClientsCpimWhateverItsImdnPrefix() {
        CpimMessage cpim = CpimMessage.parse(CLIENT_CPIM.getBytes(StandardCharsets.UTF_8));
        assertThat(cpim.imdnHeader(CpimMessage.MESSAGE_ID)).isEqualTo("7f3a");
        assertThat(cpim.imdnHeader(CpimMessage.DISPOSITION_NOTIFICATION)).isEqualTo("negative-delivery");
        CpimHeaders other = cpim.otherHeaders();
        assertThat(other.message()).containsExactly(Map.entry("cc", "<sip:carol@example.com>"),
                Map.entry("Subject", "lunch?"), Map.entry("NS", "MyFeatures <mid:MessageFeatures@id.foo.com>"),
                Map.entry("MyFeatures.VitalMessageOption", "Confirmation-requested"),
                Map.entry("imdn.Original-To", "<sip:bob@example.com>"));
        assertThat(other.content()).containsExactly(Map.entry("Content-ID", "<1234567890@foo.com>"));
    }

    @Test
    void wrapsTheSendersOtherHeadersAgainAndParsesThemBack() {
        CpimHeaders other = CpimMessage.parse(CLIENT_CPIM.getBytes(StandardCharsets.UTF_8)).otherHeaders();
        DeferredMessage m = new DeferredMessage("7f3a", "sip:alice@example.com", "sip:bob@example.com", "text/plain",
                Instant.parse("2026-11-26T08:00:00Z"), "negative-delivery", "12:30?".getBytes(StandardCharsets.UTF_8),
                other);
        String wrapped = new String(CpimMessage.wrap(m), StandardCharsets.UTF_8);
        assertThat(wrapped).isEqualTo("""
                From: <sip:alice@example.com>\r
                To: <sip:bob@example.com>\r
                DateTime: 2026-11-26T08:00:00Z\r
                NS: imdn <urn:ietf:params:imdn>\r
                cc: <sip:carol@example.com>\r
                Subject: lunch?\r
                NS: MyFeatures <mid:MessageFeatures@id.foo.com>\r
                MyFeatures.VitalMessageOption: Confirmation-requested\r
                imdn.Original-To: <sip:bob@example.com>\r
                imdn.Message-ID: 7f3a\r
                imdn.Disposition-Notification: negative-delivery\r
                \r
                Content-Type: text/plain\r
                Content-Length: 6\r
                Content-ID: <1234567890@foo.com>\r
                \r
                12:30?""");
        assertThat(CpimMessage.parse(CpimMessage.wrap(m)).otherHeaders()).isEqualTo(other);
        assertThat(CpimHeaders.parse(other.serialize())).isEqualTo(other);
    }

    @Test
    void keptHeadersCannotInjectLinesOrTakeTheWrappersPlace() {
        for (String value : new String[] { "a\r\nFrom: <sip:evil@x>", "a\n", "a\rb", "x\u0000", "\u0085" }) {
            assertThatThrownBy(() -> new CpimHeaders(List.of(Map.entry("Subject", value)), List.of()))
                    .as(value).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("control character");
        }
        for (String name : new String[] { "Sub ject", "Subject:", "a.b.c", "", "From", "to", "imdn.Message-ID",
                "IMDN.disposition-notification", "DateTime", "X\r\nY" }) {
            assertThatThrownBy(() -> new CpimHeaders(List.of(Map.entry(name, "v")), List.of()))
                    .as(name).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> new CpimHeaders(List.of(), List.of(Map.entry("Content-Length", "0"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("written by the wrapper");
        assertThatThrownBy(() -> new CpimHeaders(List.of(Map.entry("NS", "imdn <urn:x>")), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wrapper's own");
        // a stored block is checked the same way when it is read back
        assertThatThrownBy(() -> CpimHeaders.parse("Subject: a\r\nFrom: <sip:evil@x>\r\n\r\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("written by the wrapper");
        assertThatThrownBy(() -> CpimHeaders.parse("Subject: a\r\n\r\n\r\nX: y\r\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Malformed CPIM header line");
        assertThatThrownBy(() -> CpimHeaders.parse("Subject: a\nX: y\r\n\r\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("control character");
    }

    @Test
    void parsingIsStrictAndBounded() {
        assertThatThrownBy(() -> CpimMessage.parse("Bad Name: x\r\n\r\nContent-Type: text/plain\r\n\r\nx"
                .getBytes(StandardCharsets.UTF_8))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Malformed CPIM header line");
        String many = "X: y\r\n".repeat(CpimMessage.MAX_HEADERS + 1);
        assertThatThrownBy(() -> CpimMessage.parse((many + "\r\nContent-Type: text/plain\r\n\r\nx")
                .getBytes(StandardCharsets.UTF_8))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more than");
        String longLine = "X: " + "y".repeat(CpimMessage.MAX_LINE) + "\r\n";
        assertThatThrownBy(() -> CpimMessage.parse((longLine + "\r\nContent-Type: text/plain\r\n\r\nx")
                .getBytes(StandardCharsets.UTF_8))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("longer than");
        CpimMessage otherImdn = CpimMessage.parse(("NS: imdn <urn:example:other>\r\n\r\nContent-Type: text/plain\r\n\r\nx")
                .getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(otherImdn::otherHeaders).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("another namespace");
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
