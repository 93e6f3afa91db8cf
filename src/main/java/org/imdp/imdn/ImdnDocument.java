package org.imdp.imdn;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Objects;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * An IMDN document, {@code message/imdn+xml} (RFC 5438 §7.2.1.1 and its XML schema): which message, when it was
 * sent, to whom, and its disposition. Written with a StAX writer, so that whatever a sender put into a message
 * id or URI is escaped, never markup.
 */
public final class ImdnDocument {

    public static final String MIME_TYPE = "message/imdn+xml";
    public static final String NAMESPACE = "urn:ietf:params:xml:ns:imdn";
    /** Content-Disposition of an IMDN inside CPIM (RFC 5438 §7.2.1.1). */
    public static final String CONTENT_DISPOSITION = "notification";

    private static final XMLOutputFactory XML = XMLOutputFactory.newFactory();

    private ImdnDocument() {
    }

    /**
     * A {@code <delivery-notification>} with status {@code <failed/>} (RFC 5438 §7.2.1.1).
     *
     * @param messageId         imdn.Message-ID of the message that could not be delivered
     * @param dateTime          its DateTime (the original submission time)
     * @param recipient         the recipient it was meant for ({@code <recipient-uri>})
     * @param originalRecipient the recipient the sender addressed ({@code <original-recipient-uri>}: its
     *                          imdn.Original-To when one was given, else {@code recipient})
     */
    public static byte[] failedDelivery(String messageId, Instant dateTime, String recipient, String originalRecipient) {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(dateTime, "dateTime");
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(originalRecipient, "originalRecipient");
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try {
            XMLStreamWriter w = XML.createXMLStreamWriter(out, StandardCharsets.UTF_8.name());
            w.writeStartDocument(StandardCharsets.UTF_8.name(), "1.0");
            w.writeStartElement("imdn");
            w.writeDefaultNamespace(NAMESPACE);
            element(w, "message-id", messageId);
            element(w, "datetime", DateTimeFormatter.ISO_INSTANT.format(dateTime));
            element(w, "recipient-uri", recipient);
            element(w, "original-recipient-uri", originalRecipient);
            w.writeStartElement("delivery-notification");
            w.writeStartElement("status");
            w.writeEmptyElement("failed");
            w.writeEndElement();
            w.writeEndElement();
            w.writeEndElement();
            w.writeEndDocument();
            w.close();
        } catch (XMLStreamException e) {
            throw new IllegalArgumentException("IMDN document for message " + messageId + " cannot be written: "
                                               + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    private static void element(XMLStreamWriter w, String name, String text) throws XMLStreamException {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            // not representable in XML 1.0 at all, escaped or not
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                throw new IllegalArgumentException("IMDN " + name + " contains control character 0x"
                                                   + Integer.toHexString(c));
            }
        }
        w.writeStartElement(name);
        w.writeCharacters(text);
        w.writeEndElement();
    }
}
