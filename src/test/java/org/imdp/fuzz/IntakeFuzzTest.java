package org.imdp.fuzz;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;


import gov.nist.core.CommonLogger;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.parser.MessageParser;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.statistics.Statistics;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.imdp.cpim.CpimHeaders;
import org.imdp.cpim.CpimMessage;
import org.imdp.intake.IntakeMessages;
import org.imdp.sipmsrp.SipMsrpConstants;
import org.imdp.sipmsrp.sip.LoggingMessageParserFactory;
import org.imdp.sipmsrp.sip.Slf4jStackLogger;
import org.imdp.store.DeferredMessage;
import org.imdp.store.DeferredStore;
import org.imdp.store.Recipients;
import org.imdp.store.RejectedMessageException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Property-based fuzzing of the SIP intake path (issue 4): the bytes of a SIP message through the parser the
 * stack uses, the MESSAGE's headers through {@link IntakeMessages#fromSip}, and what is stored through
 * {@link CpimMessage#wrap} and back. Reproduce a failure as described in {@link MsrpCodecFuzzTest}.
 */
class IntakeFuzzTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final CamelContext CAMEL = new DefaultCamelContext();
    private static final Duration TRY_TIMEOUT = Duration.ofSeconds(5);

    private final IntakeMessages intake = new IntakeMessages(Clock.fixed(NOW, ZoneOffset.UTC));
    /** What the stack parses datagrams and streams with (the RI's StringMsgParser, plus a log line). */
    private final MessageParser sipParser = new LoggingMessageParserFactory().createMessageParser(null);

    static {
        // what a started stack sets from STACK_LOGGER: else the RI logs through log4j 1, not on the class path
        CommonLogger.legacyLogger = new Slf4jStackLogger();
    }

    /** SIP MESSAGEs' Request-URI, From, Content-Type and body through {@link IntakeMessages#fromSip}. */
    static final String INTAKE_MESSAGES = "sip-intake-messages";
    /** Byte strings through the stack's SIP parser. */
    static final String PARSER_INPUTS = "sip-parser-inputs";
    /** Of those, what the parser gave back as a SIP request. */
    static final String PARSED_REQUESTS = "sip-parsed-requests";

    @AfterContainer
    static void closeCamel() throws Exception {
        CAMEL.close();
        FuzzVolume.check(INTAKE_MESSAGES, PARSER_INPUTS, PARSED_REQUESTS);
    }

    @Property
    void aSipMessageIsStoredWithCanonicalAddressesOrRefusedWith400(@ForAll("uris") String requestUri,
            @ForAll("uris") String from, @ForAll("contentTypes") String contentType, @ForAll("bodies") byte[] body) {
        Exchange exchange = new DefaultExchange(CAMEL);
        // a missing header is refused like a malformed one
        requestUri = "".equals(requestUri) ? null : requestUri;
        exchange.getMessage().setHeader(SipMsrpConstants.REQUEST_URI, requestUri);
        exchange.getMessage().setHeader(SipMsrpConstants.FROM, from);
        exchange.getMessage().setHeader(SipMsrpConstants.CALL_ID, "fuzz@127.0.0.1");
        exchange.getMessage().setHeader(SipMsrpConstants.CSEQ, 1L);
        exchange.getMessage().setHeader(SipMsrpConstants.CONTENT_TYPE, contentType);
        exchange.getMessage().setBody(body);
        DeferredMessage message;
        FuzzVolume.count(INTAKE_MESSAGES, 1);
        try {
            message = intake.fromSip(exchange);
        } catch (RejectedMessageException e) {
            Statistics.collect("refused");
            assertThat(e.getReason()).isIn(RejectedMessageException.Reason.INVALID, RejectedMessageException.Reason.TOO_LARGE);
            return;
        }
        Statistics.collect("stored");
        assertThat(Recipients.canonical(message.recipient())).isEqualTo(message.recipient());
        assertThat(Recipients.canonical(message.sender())).isEqualTo(message.sender());
        if (contentType.strip().equalsIgnoreCase(CpimMessage.MIME_TYPE)) {
            // the sender's own CPIM is unwrapped: what is stored is its content
            assertThat(CpimMessage.parse(body).body()).isEqualTo(message.body());
        } else {
            assertThat(message.contentType()).isEqualTo(contentType.trim());
            assertThat(message.body()).isEqualTo(body);
        }
        assertPushable(message);
    }

    /** The JMS intake's string properties, any of them hostile: what it stores can be pushed, else it is refused. */
    @Property
    void aJmsMessageIsStoredOnlyWhenItCanBePushed(@ForAll("uris") String recipient, @ForAll("uris") String sender,
            @ForAll("contentTypes") String contentType, @ForAll("texts") String messageId,
            @ForAll("texts") String disposition, @ForAll("bodies") byte[] body) {
        Exchange exchange = new DefaultExchange(CAMEL);
        exchange.getMessage().setHeader(DeferredStore.PROP_RECIPIENT, recipient);
        exchange.getMessage().setHeader(DeferredStore.PROP_SENDER, sender);
        exchange.getMessage().setHeader(DeferredStore.PROP_CONTENT_TYPE, contentType);
        exchange.getMessage().setHeader(DeferredStore.PROP_MESSAGE_ID, messageId);
        exchange.getMessage().setHeader(DeferredStore.PROP_DISPOSITION, disposition);
        exchange.getMessage().setBody(body);
        DeferredMessage message;
        try {
            message = intake.fromJms(exchange);
        } catch (RejectedMessageException e) {
            Statistics.collect("refused");
            assertThat(e.getReason()).isEqualTo(RejectedMessageException.Reason.INVALID);
            return;
        }
        Statistics.collect("stored");
        assertPushable(message);
    }

    /**
     * Anything the intake accepts can be wrapped for the push (issue 10: a value the wrapper refuses was stored with
     * 202 and then stopped every push to its recipient), and the wrapper writes back what was stored.
     */
    private static void assertPushable(DeferredMessage message) {
        Throwable refused = catchThrowable(() -> CpimMessage.wrap(message));
        assertThat(refused).as("the push cannot wrap what the intake stored").isNull();
        CpimMessage pushed = CpimMessage.parse(CpimMessage.wrap(message));
        assertThat(pushed.contentType()).isEqualTo(message.contentType().strip());
        assertThat(pushed.header(CpimMessage.FROM)).isEqualTo("<" + message.sender() + ">");
        assertThat(pushed.header(CpimMessage.TO)).isEqualTo("<" + message.recipient() + ">");
        assertThat(pushed.header(CpimMessage.IMDN_MESSAGE_ID)).isEqualTo(message.messageId());
        assertThat(pushed.body()).isEqualTo(message.body());
    }

    /** What {@code wrap} writes, {@code parse} reads back as exactly the same headers: nothing injected. */
    @Property
    void cpimWrapRefusesOrRoundTripsItsHeaders(@ForAll("bareUris") String sender, @ForAll("bareUris") String recipient,
            @ForAll("texts") String messageId, @ForAll("texts") String contentType,
            @ForAll("texts") String disposition, @ForAll("bodies") byte[] body, @ForAll("headerNames") String extraName,
            @ForAll("texts") String extraValue) {
        CpimHeaders extra;
        try {
            extra = new CpimHeaders(List.of(Map.entry(extraName, extraValue)), List.of(Map.entry(extraName, extraValue)));
        } catch (IllegalArgumentException refused) {
            Statistics.collect("header refused");
            return;
        }
        DeferredMessage message = new DeferredMessage(messageId, sender, recipient, contentType, NOW, disposition, body,
                extra);
        byte[] wrapped;
        try {
            wrapped = CpimMessage.wrap(message);
        } catch (IllegalArgumentException refused) {
            Statistics.collect("refused");
            return;
        }
        Statistics.collect("wrapped");
        CpimMessage parsed = CpimMessage.parse(wrapped);
        List<Map.Entry<String, String>> expected = new java.util.ArrayList<>(List.of(
                Map.entry(CpimMessage.FROM, "<" + sender + ">"), Map.entry(CpimMessage.TO, "<" + recipient + ">"),
                Map.entry(CpimMessage.DATE_TIME, NOW.toString()), Map.entry(CpimMessage.NS, CpimMessage.IMDN_NAMESPACE),
                Map.entry(extraName, extraValue.strip()), Map.entry(CpimMessage.IMDN_MESSAGE_ID, messageId)));
        if (!disposition.isBlank()) {
            expected.add(Map.entry(CpimMessage.IMDN_DISPOSITION_NOTIFICATION, disposition.strip()));
        }
        assertThat(parsed.headers()).containsExactlyElementsOf(expected);
        assertThat(parsed.contentHeaders()).containsExactly(Map.entry(CpimMessage.CONTENT_TYPE, contentType.strip()),
                Map.entry(CpimMessage.CONTENT_LENGTH, Integer.toString(body.length)), Map.entry(extraName, extraValue.strip()));
        assertThat(CpimHeaders.parse(extra.serialize())).isEqualTo(extra);
        assertThat(parsed.body()).isEqualTo(body);
    }

    /**
     * A sender's own CPIM with arbitrary extra headers and content is stored unwrapped or refused with 400; what is
     * stored wraps into a document whose headers are exactly the wrapper's plus the sender's one, and whose content
     * is the sender's: neither a header value nor a body full of CRLFs can add or end a header.
     */
    @Property
    void aSendersCpimIsUnwrappedAndWrapsBackWithoutInjection(@ForAll("headerNames") String name,
            @ForAll("texts") String value, @ForAll("bodies") byte[] content, @ForAll("lines") String innerType) {
        byte[] head = ("From: <sip:alice@example.com>\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: m1\r\n"
                + "DateTime: 2026-01-01T00:00:00Z\r\nimdn.Disposition-Notification: negative-delivery\r\n"
                + name + ": " + value + "\r\n\r\nContent-Type: " + innerType + "\r\nContent-Length: " + content.length
                + "\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] cpim = java.util.Arrays.copyOf(head, head.length + content.length);
        System.arraycopy(content, 0, cpim, head.length, content.length);
        Exchange exchange = new DefaultExchange(CAMEL);
        exchange.getMessage().setHeader(SipMsrpConstants.REQUEST_URI, "sip:bob@example.com");
        exchange.getMessage().setHeader(SipMsrpConstants.FROM, "<sip:alice@example.com>;tag=1");
        exchange.getMessage().setHeader(SipMsrpConstants.CALL_ID, "fuzz@127.0.0.1");
        exchange.getMessage().setHeader(SipMsrpConstants.CSEQ, 1L);
        exchange.getMessage().setHeader(SipMsrpConstants.CONTENT_TYPE, CpimMessage.MIME_TYPE);
        exchange.getMessage().setBody(cpim);
        DeferredMessage message;
        FuzzVolume.count(INTAKE_MESSAGES, 1);
        try {
            message = intake.fromSip(exchange);
        } catch (RejectedMessageException e) {
            Statistics.collect("refused");
            assertThat(e.getReason()).isEqualTo(RejectedMessageException.Reason.INVALID);
            return;
        }
        Statistics.collect("stored");
        assertThat(message.messageId()).isEqualTo("m1");
        assertThat(message.dispositionNotification()).isEqualTo("negative-delivery");
        assertThat(message.body()).isEqualTo(content);
        CpimMessage pushed = CpimMessage.parse(CpimMessage.wrap(message));
        List<Map.Entry<String, String>> expected = new java.util.ArrayList<>(List.of(
                Map.entry(CpimMessage.FROM, "<sip:alice@example.com>"), Map.entry(CpimMessage.TO, "<sip:bob@example.com>"),
                Map.entry(CpimMessage.DATE_TIME, "2026-01-01T00:00:00Z"), Map.entry(CpimMessage.NS, CpimMessage.IMDN_NAMESPACE)));
        expected.addAll(message.cpimHeaders().message());
        expected.add(Map.entry(CpimMessage.IMDN_MESSAGE_ID, "m1"));
        expected.add(Map.entry(CpimMessage.IMDN_DISPOSITION_NOTIFICATION, "negative-delivery"));
        assertThat(pushed.headers()).containsExactlyElementsOf(expected);
        // the sender's extra text is one header line per line break it holds, at most; none more may appear
        long senderLines = 1 + (name + value).chars().filter(c -> c == '\n').count();
        assertThat(message.cpimHeaders().message()).hasSizeLessThanOrEqualTo((int) senderLines);
        assertThat(pushed.body()).isEqualTo(content);
        assertPushable(message);
    }

    /** JAIN-SIP answers any bytes with a message, {@code null} (nothing there) or a ParseException. */
    @Property
    void theSipParserParsesOrThrowsParseException(@ForAll("sipSoup") byte[] input) {
        Throwable thrown = assertTimeoutPreemptively(TRY_TIMEOUT,
                () -> catchThrowable(() -> sipParser.parseSIPMessage(input, true, false, null)));
        FuzzVolume.count(PARSER_INPUTS, 1);
        Statistics.collect(thrown == null ? "parsed or empty" : thrown.getClass().getSimpleName());
        if (thrown != null) {
            assertThat(thrown).isInstanceOf(ParseException.class);
        }
    }

    /**
     * A MESSAGE as a client sends it (any Request-URI, From, Content-Type and body), with up to 4 bytes flipped,
     * inserted (bytes that matter to SIP's grammar, or any) or deleted: the stack's parser gives a message or a
     * ParseException, and a MESSAGE left intact whose Content-Type it reads parses with its body whole.
     */
    @Property
    void aMutatedMessageParsesOrThrowsParseException(@ForAll("bareUris") String requestUri, @ForAll("bareUris") String from,
            @ForAll("lines") String contentType, @ForAll("bodies") byte[] body,
            @ForAll @Size(max = 4) List<@IntRange(min = 0, max = 1 << 20) Integer> mutations) {
        byte[] head = ("MESSAGE " + requestUri + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK776asdhds\r\n"
                + "Max-Forwards: 70\r\nFrom: <" + from + ">;tag=49583\r\nTo: <" + requestUri + ">\r\n"
                + "Call-ID: asd88asd77a@127.0.0.1\r\nCSeq: 1 MESSAGE\r\nContent-Type: " + contentType + "\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] message = java.util.Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, message, head.length, body.length);
        byte[] input = Mutations.mutate(message, mutations, ":;<>@ \r\n\"");
        FuzzVolume.count(PARSER_INPUTS, 1);
        SIPMessage[] parsed = new SIPMessage[1];
        Throwable thrown = assertTimeoutPreemptively(TRY_TIMEOUT,
                () -> catchThrowable(() -> parsed[0] = sipParser.parseSIPMessage(input, true, false, null)));
        if (thrown != null) {
            Statistics.collect("ParseException");
            assertThat(thrown).isInstanceOf(ParseException.class);
        } else if (parsed[0] instanceof SIPRequest request) {
            FuzzVolume.count(PARSED_REQUESTS, 1);
            Statistics.collect("request " + request.getMethod());
            // the RI drops a Content-Type it cannot parse, and the body with it (the intake then answers 400)
            if (mutations.isEmpty() && request.getContentTypeHeader() != null) {
                assertThat(request.getMethod()).isEqualTo("MESSAGE");
                assertThat(request.getRawContent() == null ? new byte[0] : request.getRawContent()).isEqualTo(body);
            }
        } else {
            Statistics.collect(parsed[0] == null ? "nothing" : "response");
        }
    }

    /** {@code scheme:user@host;params}, valid in most tries, without display name or brackets (as CPIM takes them). */
    @Provide
    Arbitrary<String> bareUris() {
        Arbitrary<String> scheme = Arbitraries.frequencyOf(Tuple.of(20, Arbitraries.of("sip:", "SIP:", "sips:", "tel:")),
                Tuple.of(1, Arbitraries.of("http:", "", "s ip:")));
        Arbitrary<String> user = Arbitraries.frequencyOf(Tuple.of(20, Arbitraries.of("bob@", "Bob@", "+4912345@", "a@b@", "")),
                Tuple.of(2, Arbitraries.strings().alpha().numeric().withChars("+-._%!~*'()&=$,;?").ofMaxLength(8).map(u -> u + "@")),
                Tuple.of(1, Arbitraries.of("a b@", "@", "a\"b@")));
        Arbitrary<String> host = Arbitraries.frequencyOf(
                Tuple.of(20, Arbitraries.of("example.com", "Example.COM", "127.0.0.1", "[::1]", "İ.com", "ß.de", "+4912345")),
                Tuple.of(1, Arbitraries.of("ex ample", "", "a\u0000b", "a\u007fb")));
        Arbitrary<String> suffix = Arbitraries.frequencyOf(
                Tuple.of(20, Arbitraries.of("", ":5060", ";user=phone", "?subject=x", ";transport=tcp?h=<x>")),
                Tuple.of(1, Arbitraries.of(">", " ", "\u00a0", "\u2028")));
        return Combinators.combine(scheme, user, host, suffix).as((sc, u, h, suf) -> sc + u + h + suf);
    }

    /** Mostly URI-shaped (so that many are stored), else any mix of URI pieces; never null. */
    @Provide
    Arbitrary<String> uris() {
        // display name and brackets, mostly matching
        Arbitrary<List<String>> around = Arbitraries.frequencyOf(
                Tuple.of(20, Arbitraries.of(List.of("", ""), List.of("<", ">"), List.of("\"Bob\" <", ">;tag=1"), List.of(" <", "> "))),
                Tuple.of(1, Arbitraries.of(List.of("", ">"), List.of("<", ""), List.of(">", "<"))));
        Arbitrary<String> shaped = Combinators.combine(around, bareUris()).as((a, uri) -> a.get(0) + uri + a.get(1));
        Arbitrary<String> piece = Arbitraries.oneOf(
                Arbitraries.of("sip:", "tel:", ":", "bob", "@", "Example.COM", ";", "?", "<", ">", "\"", " ", "\t",
                        "\r\n", "İ", "\u0000", "\u2028"),
                Arbitraries.strings().ofMaxLength(4));
        return Arbitraries.frequencyOf(Tuple.of(8, shaped),
                Tuple.of(1, piece.list().ofMaxSize(8).map(ps -> String.join("", ps))));
    }

    @Provide
    Arbitrary<String> contentTypes() {
        return Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.of("text/plain", " text/plain ", "message/cpim")),
                Tuple.of(1, Arbitraries.just((String) null)), Tuple.of(2, texts()),
                Tuple.of(1, Arbitraries.strings().withChars('a').ofMinLength(250).ofMaxLength(260).map(s -> "text/" + s)));
    }

    /** Header names, valid ones and ones that try to pass for the wrapper's or to break the line. */
    @Provide
    Arbitrary<String> headerNames() {
        return Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.of("Subject", "cc", "MyFeatures.Option", "imdn.Original-To")),
                Tuple.of(1, Arbitraries.of("From", "imdn.Message-ID", "Content-Length", "NS", "a b", "a:b", "a.b.c", "")),
                Tuple.of(1, Arbitraries.strings().withChars("aZ.-:\r\n \u0000é").ofMaxLength(8)));
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.of("text/plain", "message/cpim", " text/plain ", "positive-delivery")),
                Tuple.of(1, Arbitraries.strings().withChars("a/ :<>\t\r\n\u0000\u007f\u0085\u2028\u00a0é").ofMaxLength(12)),
                Tuple.of(1, Arbitraries.strings().ofMaxLength(12)));
    }

    /** {@link #texts()} that stay on their line (an LF would end the header here, a case of its own above). */
    @Provide
    Arbitrary<String> lines() {
        return texts().filter(t -> t.indexOf('\n') < 0);
    }

    @Provide
    Arbitrary<byte[]> bodies() {
        return Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(64)),
                Tuple.of(1, Arbitraries.just(new byte[0])));
    }

    /** SIP-looking lines, header names the RI parses specially, separators and random bytes. */
    @Provide
    Arbitrary<byte[]> sipSoup() {
        Arbitrary<String> token = Arbitraries.oneOf(
                Arbitraries.of("MESSAGE sip:bob@example.com SIP/2.0\r\n", "SIP/2.0 200 OK\r\n", "INVITE ", "SIP/2.0",
                        "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1\r\n", "From: <sip:a@b>;tag=1\r\n",
                        "To: <sip:b@c>\r\n", "Call-ID: x\r\n", "CSeq: 1 MESSAGE\r\n", "Max-Forwards: 70\r\n",
                        "Content-Length: ", "Content-Type: text/plain\r\n", "Expires: ", "Contact: ", "Route: ",
                        "Accept-Contact: ", "Date: ", "Retry-After: ", "Authorization: Digest ", "WWW-Authenticate: ",
                        "Content-Disposition: ", "Refer-To: ", "Event: ", "Subscription-State: ", "\r\n", "\r\n\r\n",
                        "\n", ":", ";", ",", "<", ">", "\"", "@", " ", "0", "-1", "99999999999999999999", "sip:", "tel:"),
                Arbitraries.strings().withCharRange('\0', '\u00ff').ofMaxLength(8));
        return token.list().ofMaxSize(40).map(ts -> String.join("", ts).getBytes(StandardCharsets.ISO_8859_1));
    }
}
