package org.imdp.imdn;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.imdp.cpim.CpimHeaders;
import org.imdp.cpim.CpimMessage;
import org.imdp.sipmsrp.SipMsrpConstants;
import org.imdp.store.DeferredStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImdnDocumentTest {

    private static final Instant SENT = Instant.parse("2026-11-23T08:00:00Z");
    private static final Instant NOW = Instant.parse("2026-11-26T08:00:00Z");
    private static final CamelContext CAMEL = new DefaultCamelContext();

    @AfterAll
    static void closeCamel() throws Exception {
        CAMEL.close();
    }

    private static Schema schema() throws Exception {
        return SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI)
                .newSchema(ImdnDocumentTest.class.getResource("/xsd/imdn.xsd"));
    }

    private static Document dom(byte[] xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml));
    }

    @Test
    void aFailedDeliveryNotificationIsValidAgainstTheRfc5438Schema() throws Exception {
        byte[] xml = ImdnDocument.failedDelivery("34jk324j", SENT, "sip:bob@example.com", "sip:bob@example.com");
        schema().newValidator().validate(new StreamSource(new ByteArrayInputStream(xml)));

        Document doc = dom(xml);
        assertThat(doc.getDocumentElement().getNamespaceURI()).isEqualTo("urn:ietf:params:xml:ns:imdn");
        assertThat(doc.getDocumentElement().getLocalName()).isEqualTo("imdn");
        assertThat(doc.getElementsByTagNameNS(ImdnDocument.NAMESPACE, "message-id").item(0).getTextContent()).isEqualTo("34jk324j");
        assertThat(doc.getElementsByTagNameNS(ImdnDocument.NAMESPACE, "datetime").item(0).getTextContent())
                .isEqualTo("2026-11-23T08:00:00Z");
        assertThat(doc.getElementsByTagNameNS(ImdnDocument.NAMESPACE, "failed").item(0).getParentNode().getParentNode()
                .getLocalName()).isEqualTo("delivery-notification");
    }

    @Test
    void theSchemaRefusesWhatIsNotAnImdn() throws Exception {
        byte[] wrong = new String(ImdnDocument.failedDelivery("1", SENT, "sip:b@x", "sip:b@x"), StandardCharsets.UTF_8)
                .replace("<failed/>", "<stored/>").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> schema().newValidator().validate(new StreamSource(new ByteArrayInputStream(wrong))))
                .hasMessageContaining("stored");
    }

    @Test
    void markupInAnIdIsEscapedNotInterpreted() throws Exception {
        String id = "</message-id><delivered/>&x";
        byte[] xml = ImdnDocument.failedDelivery(id, SENT, "sip:b@x?a=<b>&c", "sip:b@x");
        schema().newValidator().validate(new StreamSource(new ByteArrayInputStream(xml)));
        assertThat(dom(xml).getElementsByTagNameNS(ImdnDocument.NAMESPACE, "message-id").item(0).getTextContent())
                .isEqualTo(id);
        assertThatThrownBy(() -> ImdnDocument.failedDelivery("a\u0001", SENT, "sip:b@x", "sip:b@x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("control character");
    }

    @Test
    void negativeDeliveryIsFoundAmongTheRequestedDispositions() {
        assertThat(DeliveryNotifications.negativeDeliveryRequested("positive-delivery, negative-delivery")).isTrue();
        assertThat(DeliveryNotifications.negativeDeliveryRequested("Negative-Delivery;x=1")).isTrue();
        assertThat(DeliveryNotifications.negativeDeliveryRequested("positive-delivery, display")).isFalse();
        assertThat(DeliveryNotifications.negativeDeliveryRequested("negative-deliveryx")).isFalse();
        assertThat(DeliveryNotifications.negativeDeliveryRequested(null)).isFalse();
    }

    @Test
    void theNotificationIsCpimFromTheServerToTheSenderAboutTheStoredMessage() throws Exception {
        Exchange exchange = new DefaultExchange(CAMEL);
        exchange.getMessage().setHeaders(Map.of(DeferredStore.PROP_SENDER, "sip:alice@example.com:5070",
                DeferredStore.PROP_RECIPIENT, "sip:bob@example.com", DeferredStore.PROP_MESSAGE_ID, "34jk324j",
                DeferredStore.PROP_DATE_TIME, SENT.toString(), DeferredStore.PROP_DISPOSITION, "negative-delivery",
                DeferredStore.PROP_CPIM_HEADERS, new CpimHeaders(List.of(Map.entry("imdn.Original-To", "<sip:bobby@example.com>")),
                        List.of()).serialize()));
        exchange.getMessage().setBody("the stored content");
        new DeliveryNotifications("sip:im-deferred@example.com", Clock.fixed(NOW, ZoneOffset.UTC)).failed(exchange);

        assertThat(exchange.getMessage().getHeader(SipMsrpConstants.RECIPIENT)).isEqualTo("sip:alice@example.com:5070");
        assertThat(exchange.getMessage().getHeader(SipMsrpConstants.CONTENT_TYPE)).isEqualTo("message/cpim");
        CpimMessage cpim = CpimMessage.parse(exchange.getMessage().getBody(byte[].class));
        assertThat(cpim.header("From")).isEqualTo("<sip:im-deferred@example.com>");
        assertThat(cpim.header("To")).isEqualTo("<sip:alice@example.com:5070>");
        assertThat(cpim.header("DateTime")).isEqualTo(NOW.toString());
        assertThat(cpim.imdnHeader("Message-ID")).matches("[0-9a-f]{32}");
        assertThat(cpim.imdnHeader("Disposition-Notification")).isNull();
        assertThat(cpim.contentType()).isEqualTo("message/imdn+xml");
        assertThat(cpim.contentHeaders()).contains(Map.entry("Content-Disposition", "notification"));
        schema().newValidator().validate(new StreamSource(new ByteArrayInputStream(cpim.body())));
        Document doc = dom(cpim.body());
        assertThat(doc.getElementsByTagNameNS(ImdnDocument.NAMESPACE, "message-id").item(0).getTextContent()).isEqualTo("34jk324j");
        assertThat(doc.getElementsByTagNameNS(ImdnDocument.NAMESPACE, "recipient-uri").item(0).getTextContent())
                .isEqualTo("sip:bob@example.com");
        assertThat(doc.getElementsByTagNameNS(ImdnDocument.NAMESPACE, "original-recipient-uri").item(0).getTextContent())
                .isEqualTo("sip:bobby@example.com");
    }

    @Test
    void aStoredMessageWithoutWhatANotificationNeedsIsRefused() {
        Exchange exchange = new DefaultExchange(CAMEL);
        exchange.getMessage().setHeaders(Map.of(DeferredStore.PROP_SENDER, "sip:alice@example.com",
                DeferredStore.PROP_RECIPIENT, "sip:bob@example.com", DeferredStore.PROP_DATE_TIME, "yesterday"));
        DeliveryNotifications notifications = new DeliveryNotifications("sip:s@x", Clock.systemUTC());
        assertThatThrownBy(() -> notifications.failed(exchange)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("property imdpMessageId is missing");
        exchange.getMessage().setHeader(DeferredStore.PROP_MESSAGE_ID, "m1");
        assertThatThrownBy(() -> notifications.failed(exchange)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("imdpDateTime");
    }
}
