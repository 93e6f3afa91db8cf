package org.imdp.intake;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.imdp.sipmsrp.SipMsrpConstants;
import org.imdp.store.DeferredMessage;
import org.imdp.store.DeferredStore;
import org.imdp.store.RejectedMessageException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A sender's own {@code message/cpim} on the SIP and JMS intake: unwrapped, its IMDN request and headers kept. */
class IntakeMessagesTest {

    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    private static final CamelContext CAMEL = new DefaultCamelContext();
    private static final String CPIM = """
            From: Alice <sip:alice@example.com>\r
            To: <sip:bob@example.com>\r
            NS: imdn <urn:ietf:params:imdn>\r
            imdn.Message-ID: 34jk324j\r
            DateTime: 2026-11-26T09:00:00+01:00\r
            imdn.Disposition-Notification: positive-delivery, negative-delivery\r
            Subject: hi\r
            \r
            Content-Type: text/plain;charset=UTF-8\r
            Content-Length: 5\r
            \r
            Hello""";

    private final IntakeMessages intake = new IntakeMessages(Clock.fixed(NOW, ZoneOffset.UTC));

    @AfterAll
    static void closeCamel() throws Exception {
        CAMEL.close();
    }

    private static Exchange sip(String from, String contentType, String body) {
        Exchange exchange = new DefaultExchange(CAMEL);
        exchange.getMessage().setHeader(SipMsrpConstants.REQUEST_URI, "sip:bob@example.com");
        exchange.getMessage().setHeader(SipMsrpConstants.FROM, from);
        exchange.getMessage().setHeader(SipMsrpConstants.CALL_ID, "a84b4c76e66710@pc33.example.com");
        exchange.getMessage().setHeader(SipMsrpConstants.CSEQ, 1L);
        exchange.getMessage().setHeader(SipMsrpConstants.FROM_TAG, "1928301774");
        exchange.getMessage().setHeader(SipMsrpConstants.CONTENT_TYPE, contentType);
        exchange.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
        return exchange;
    }

    /**
     * Issue 11: the P-Asserted-Identity (passed on by the consumer only from a trusted node) is the sender, whatever
     * the From says; the CPIM From must then name it.
     */
    @Test
    void theAssertedIdentityIsTheSenderWhateverTheFromSays() {
        Exchange plain = sip("<sip:mallory@example.com>;tag=1", "text/plain", "hi");
        plain.getMessage().setHeader(SipMsrpConstants.ASSERTED_IDENTITY, "sip:Alice@Example.com");
        assertThat(intake.fromSip(plain).sender()).isEqualTo("sip:Alice@example.com");

        Exchange cpim = sip("<sip:mallory@example.com>;tag=1", "message/cpim", CPIM);
        cpim.getMessage().setHeader(SipMsrpConstants.ASSERTED_IDENTITY, "sip:alice@example.com");
        assertThat(intake.fromSip(cpim).sender()).isEqualTo("sip:alice@example.com");

        Exchange disagreeing = sip("<sip:alice@example.com>;tag=1", "message/cpim", CPIM);
        disagreeing.getMessage().setHeader(SipMsrpConstants.ASSERTED_IDENTITY, "sip:carol@example.com");
        assertThatThrownBy(() -> intake.fromSip(disagreeing)).isInstanceOf(RejectedMessageException.class)
                .hasMessageContaining("is not the sender sip:carol@example.com");
    }

    @Test
    void aSipMessageCarryingCpimIsStoredAsItsContentWithTheSendersImdnRequest() {
        DeferredMessage m = intake.fromSip(sip("\"Alice\" <sip:alice@example.com>;tag=9", "message/cpim", CPIM));
        assertThat(m.messageId()).isEqualTo("34jk324j");
        assertThat(m.sender()).isEqualTo("sip:alice@example.com");
        assertThat(m.recipient()).isEqualTo("sip:bob@example.com");
        assertThat(m.contentType()).isEqualTo("text/plain;charset=UTF-8");
        assertThat(m.dateTime()).isEqualTo(Instant.parse("2026-11-26T08:00:00Z"));
        assertThat(m.dispositionNotification()).isEqualTo("positive-delivery, negative-delivery");
        assertThat(m.body()).asString(StandardCharsets.UTF_8).isEqualTo("Hello");
        assertThat(m.cpimHeaders().message()).containsExactly(Map.entry("Subject", "hi"));
    }

    @Test
    void aPlainMessageIsStoredAsIs() {
        DeferredMessage m = intake.fromSip(sip("<sip:alice@example.com>", "text/plain", "Hello"));
        assertThat(m.messageId()).matches("[0-9a-f]{32}");
        assertThat(m.dateTime()).isEqualTo(NOW);
        assertThat(m.dispositionNotification()).isNull();
        assertThat(m.cpimHeaders().isEmpty()).isTrue();
    }

    @Test
    void aCpimFromOtherThanTheSipFromIsRefused() {
        assertThatThrownBy(() -> intake.fromSip(sip("<sip:mallory@example.com>", "Message/CPIM", CPIM)))
                .isInstanceOf(RejectedMessageException.class)
                .hasMessageContaining("CPIM From Alice <sip:alice@example.com> is not the sender sip:mallory@example.com")
                .extracting("reason").isEqualTo(RejectedMessageException.Reason.INVALID);
    }

    @Test
    void malformedCpimIsRefusedWith400() {
        for (String bad : new String[] { "no blank line", CPIM.replace("Content-Length: 5", "Content-Length: 50"),
                CPIM.replace("imdn.Message-ID: 34jk324j\r\n", ""), CPIM.replace("34jk324j", "34jk 324j"),
                CPIM.replace("2026-11-26T09:00:00+01:00", "yesterday"),
                CPIM.replace("Content-Type: text/plain;charset=UTF-8\r\n", ""),
                CPIM.replace("Subject: hi", "Sub ject: hi"), CPIM.replace("NS: imdn <urn:ietf:params:imdn>", "NS: imdn"),
                CPIM.replace("Hello", "") }) {
            assertThatThrownBy(() -> intake.fromSip(sip("<sip:alice@example.com>", "message/cpim", bad)))
                    .as(bad).isInstanceOf(RejectedMessageException.class).extracting("reason").isEqualTo(RejectedMessageException.Reason.INVALID);
        }
    }

    /**
     * What the push could not wrap is refused at the intake, by the wrapper's own rule (issue 10: a U+0085 in the
     * inner Content-Type was stored with 202 and then stopped every push), saying which field and which character.
     */
    @Test
    void aValueTheCpimWrapperWouldRefuseIsRefusedWith400() {
        assertThatThrownBy(() -> intake.fromSip(sip("<sip:alice@example.com>", "message/cpim",
                CPIM.replace("Content-Type: text/plain;charset=UTF-8", "Content-Type: text/plain\u0085"))))
                .isInstanceOf(RejectedMessageException.class)
                .hasMessage("CPIM Content-Type contains control character U+0085, which cannot go into a CPIM header")
                .extracting("reason").isEqualTo(RejectedMessageException.Reason.INVALID);
        assertThatThrownBy(() -> intake.fromSip(sip("<sip:alice@example.com>", "text/plain\u2028x", "Hello")))
                .isInstanceOf(RejectedMessageException.class).hasMessageContaining("Content-Type contains line break U+2028");
        assertThatThrownBy(() -> intake.fromSip(sip("<sip:alice@example.com\u2000>", "text/plain", "Hello")))
                .isInstanceOf(RejectedMessageException.class).hasMessageStartingWith("sender (From): URI must be")
                .hasMessageContaining("white space");
        Exchange jms = new DefaultExchange(CAMEL);
        jms.getMessage().setHeaders(Map.of(DeferredStore.PROP_RECIPIENT, "sip:bob@example.com",
                DeferredStore.PROP_SENDER, "sip:alice@example.com", DeferredStore.PROP_CONTENT_TYPE, "text/plain",
                DeferredStore.PROP_MESSAGE_ID, "m\u00851"));
        jms.getMessage().setBody("Hello");
        assertThatThrownBy(() -> intake.fromJms(jms)).isInstanceOf(RejectedMessageException.class)
                .hasMessage("imdpMessageId contains control character U+0085, which cannot go into a CPIM header");
    }

    @Test
    void jmsIntakeTakesAnImdnRequestAsPropertyOrInsideCpim() {
        Exchange plain = new DefaultExchange(CAMEL);
        plain.getMessage().setHeaders(Map.of(DeferredStore.PROP_RECIPIENT, "sip:bob@example.com",
                DeferredStore.PROP_SENDER, "sip:alice@example.com", DeferredStore.PROP_CONTENT_TYPE, "text/plain",
                DeferredStore.PROP_MESSAGE_ID, "m1", DeferredStore.PROP_DISPOSITION, "negative-delivery"));
        plain.getMessage().setBody("Hello");
        assertThat(intake.fromJms(plain).dispositionNotification()).isEqualTo("negative-delivery");

        Exchange cpim = new DefaultExchange(CAMEL);
        cpim.getMessage().setHeaders(Map.of(DeferredStore.PROP_RECIPIENT, "sip:bob@example.com",
                DeferredStore.PROP_SENDER, "sip:alice@example.com", DeferredStore.PROP_CONTENT_TYPE, "message/cpim"));
        cpim.getMessage().setBody(CPIM.getBytes(StandardCharsets.UTF_8));
        DeferredMessage m = intake.fromJms(cpim);
        assertThat(m.messageId()).isEqualTo("34jk324j");
        assertThat(m.contentType()).isEqualTo("text/plain;charset=UTF-8");
        assertThat(m.dispositionNotification()).isEqualTo("positive-delivery, negative-delivery");

        plain.getMessage().setHeader(DeferredStore.PROP_DISPOSITION, "display\r\nX: y");
        assertThatThrownBy(() -> intake.fromJms(plain)).isInstanceOf(RejectedMessageException.class)
                .hasMessageContaining("imdpDisposition");
    }

    /**
     * Issue 10: a retransmission of a MESSAGE without imdn.Message-ID was stored again under a new random id. The id is
     * now derived from the request's transaction (Call-ID, CSeq, From tag; RFC 3261 section 17.2.3): a copy gets the
     * same id whenever it arrives, another request another id.
     */
    @Test
    void aMessageWithoutImdnMessageIdGetsTheSameIdOnEveryCopyOfItsTransaction() {
        Exchange first = sip("<sip:alice@example.com>", "text/plain", "Hello");
        Exchange again = sip("<sip:alice@example.com>", "text/plain", "Hello");
        String id = intake.fromSip(first).messageId();
        assertThat(id).matches("[0-9a-f]{32}");
        assertThat(new IntakeMessages(Clock.fixed(NOW.plusSeconds(30), ZoneOffset.UTC)).fromSip(again).messageId())
                .isEqualTo(id);

        Exchange nextCSeq = sip("<sip:alice@example.com>", "text/plain", "Hello");
        nextCSeq.getMessage().setHeader(SipMsrpConstants.CSEQ, 2L);
        Exchange otherTag = sip("<sip:alice@example.com>", "text/plain", "Hello");
        otherTag.getMessage().setHeader(SipMsrpConstants.FROM_TAG, "1928301775");
        Exchange otherCall = sip("<sip:alice@example.com>", "text/plain", "Hello");
        otherCall.getMessage().setHeader(SipMsrpConstants.CALL_ID, "b84b4c76e66710@pc33.example.com");
        assertThat(java.util.List.of(intake.fromSip(nextCSeq).messageId(), intake.fromSip(otherTag).messageId(),
                intake.fromSip(otherCall).messageId())).doesNotHaveDuplicates().doesNotContain(id);

        Exchange noCallId = sip("<sip:alice@example.com>", "text/plain", "Hello");
        noCallId.getMessage().removeHeader(SipMsrpConstants.CALL_ID);
        assertThatThrownBy(() -> intake.fromSip(noCallId)).isInstanceOf(RejectedMessageException.class)
                .extracting("reason").isEqualTo(RejectedMessageException.Reason.INVALID);
    }

    /** A JMS message without imdpMessageId gets its id from the JMS message id, which a redelivery keeps. */
    @Test
    void aJmsMessageWithoutMessageIdGetsItsIdFromTheJmsMessageId() {
        java.util.function.Function<String, Exchange> jms = jmsId -> {
            Exchange e = new DefaultExchange(CAMEL);
            e.getMessage().setHeaders(new java.util.HashMap<>(Map.of(DeferredStore.PROP_RECIPIENT, "sip:bob@example.com",
                    DeferredStore.PROP_SENDER, "sip:alice@example.com", DeferredStore.PROP_CONTENT_TYPE, "text/plain",
                    IntakeMessages.JMS_MESSAGE_ID, jmsId)));
            e.getMessage().setBody("Hello");
            return e;
        };
        String id = intake.fromJms(jms.apply("ID:7d3c2a1e-0f00-11f0-8a4b-0242ac120002")).messageId();
        assertThat(id).matches("[0-9a-f]{32}");
        assertThat(intake.fromJms(jms.apply("ID:7d3c2a1e-0f00-11f0-8a4b-0242ac120002")).messageId()).isEqualTo(id);
        assertThat(intake.fromJms(jms.apply("ID:7d3c2a1e-0f00-11f0-8a4b-0242ac120003")).messageId()).isNotEqualTo(id);
        // the id the sender gave wins
        Exchange named = jms.apply("ID:7d3c2a1e-0f00-11f0-8a4b-0242ac120002");
        named.getMessage().setHeader(DeferredStore.PROP_MESSAGE_ID, "m1");
        assertThat(intake.fromJms(named).messageId()).isEqualTo("m1");
    }
}
