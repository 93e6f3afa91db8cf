package org.imdp.intake;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HexFormat;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.imdp.cpim.CpimMessage;
import org.imdp.sipmsrp.SipMsrpConstants;
import org.imdp.store.DeferredMessage;
import org.imdp.store.DeferredStore;
import org.imdp.store.Recipients;
import org.imdp.store.RejectedMessageException;
import org.imdp.store.RejectedMessageException.Reason;

/**
 * Turns what arrives on the intake interfaces (a SIP MESSAGE, a JMS message on
 * {@code im.deferred.intake}) into a {@link DeferredMessage}, or refuses it with a reason.
 * <p>
 * Every message gets an id that is the same on every copy of it, so that the store keeps one
 * ({@link DeferredStore#store}: one message per recipient, sender and id): the sender's imdn.Message-ID when it gave
 * one, else one derived from what names the copy's origin: the SIP transaction (Call-ID, CSeq, From tag; RFC 3261
 * section 17.2.3), which a retransmission repeats, or the JMS message id, which a redelivery keeps.
 */
public final class IntakeMessages {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Clock clock;

    public IntakeMessages(Clock clock) {
        this.clock = clock;
    }

    /** The JMS header of the broker's message id (Camel's JMS consumer). */
    static final String JMS_MESSAGE_ID = "JMSMessageID";

    /**
     * A SIP MESSAGE (RFC 3428): Request-URI = recipient, sender = P-Asserted-Identity, else From, body of any content type. A
     * {@code message/cpim} body is unwrapped, see {@link #unwrapCpim}. Without an imdn.Message-ID of the sender's,
     * the id is derived from the request's transaction: Call-ID, CSeq number and From tag.
     */
    public DeferredMessage fromSip(Exchange exchange) {
        Message in = exchange.getMessage();
        byte[] body = in.getBody(byte[].class);
        if (body == null || body.length == 0) {
            throw invalid("MESSAGE without a body");
        }
        String contentType = in.getHeader(SipMsrpConstants.CONTENT_TYPE, String.class);
        if (contentType == null || contentType.isBlank()) {
            throw invalid("MESSAGE without Content-Type");
        }
        String callId = in.getHeader(SipMsrpConstants.CALL_ID, String.class);
        Long cseq = in.getHeader(SipMsrpConstants.CSEQ, Long.class);
        if (callId == null || callId.isBlank() || cseq == null) {
            throw invalid("MESSAGE without Call-ID or CSeq");
        }
        String fromTag = in.getHeader(SipMsrpConstants.FROM_TAG, "", String.class);
        DeferredMessage message = new DeferredMessage(derivedMessageId("sip", callId, cseq.toString(), fromTag),
                sender(in),
                uri("recipient (Request-URI)", in.getHeader(SipMsrpConstants.REQUEST_URI, String.class)),
                token("Content-Type", contentType), clock.instant(), null, body);
        return isCpim(message.contentType()) ? unwrapCpim(message) : message;
    }

    /**
     * The sender of a SIP MESSAGE: the identity the network asserts (P-Asserted-Identity, passed on only from a trusted
     * node) when there is one, whatever the From says; else the From.
     */
    private static String sender(Message in) {
        String asserted = in.getHeader(SipMsrpConstants.ASSERTED_IDENTITY, String.class);
        return asserted != null ? uri("sender (P-Asserted-Identity)", asserted)
                : uri("sender (From)", in.getHeader(SipMsrpConstants.FROM, String.class));
    }

    /**
     * A JMS message on {@code im.deferred.intake}: string properties {@code imdpRecipient},
     * {@code imdpSender}, {@code imdpContentType}, optional {@code imdpMessageId}, {@code imdpDateTime}
     * (RFC 3339) and {@code imdpDisposition} (an IMDN Disposition-Notification value); the body is the content
     * (bytes or text). A {@code message/cpim} body is unwrapped, see {@link #unwrapCpim}. Without a message id of
     * the sender's, the id is derived from the JMS message id, which a redelivery keeps (random when the producer
     * sent none: then a redelivery after a rollback can be stored twice).
     */
    public DeferredMessage fromJms(Exchange exchange) {
        Message in = exchange.getMessage();
        byte[] body = in.getBody(byte[].class);
        if (body == null || body.length == 0) {
            throw invalid("intake message without a body");
        }
        String messageId = in.getHeader(DeferredStore.PROP_MESSAGE_ID, String.class);
        String dateTime = in.getHeader(DeferredStore.PROP_DATE_TIME, String.class);
        String disposition = in.getHeader(DeferredStore.PROP_DISPOSITION, String.class);
        DeferredMessage message = new DeferredMessage(
                messageId == null || messageId.isBlank() ? jmsMessageId(in)
                        : messageId(DeferredStore.PROP_MESSAGE_ID, messageId),
                uri(DeferredStore.PROP_SENDER, in.getHeader(DeferredStore.PROP_SENDER, String.class)),
                uri(DeferredStore.PROP_RECIPIENT, in.getHeader(DeferredStore.PROP_RECIPIENT, String.class)),
                token(DeferredStore.PROP_CONTENT_TYPE, in.getHeader(DeferredStore.PROP_CONTENT_TYPE, String.class)),
                dateTime == null || dateTime.isBlank() ? clock.instant() : rfc3339(DeferredStore.PROP_DATE_TIME, dateTime),
                disposition == null || disposition.isBlank() ? null : token(DeferredStore.PROP_DISPOSITION, disposition),
                body);
        return isCpim(message.contentType()) ? unwrapCpim(message) : message;
    }

    private static boolean isCpim(String contentType) {
        int semicolon = contentType.indexOf(';');
        String type = semicolon < 0 ? contentType : contentType.substring(0, semicolon);
        return type.strip().equalsIgnoreCase(CpimMessage.MIME_TYPE);
    }

    /**
     * The message inside a sender's {@code message/cpim} document (RFC 3862), so that the push wraps the content
     * once, not twice: the inner Content-Type and content, imdn.Message-ID as the message id, DateTime as the
     * submission time, imdn.Disposition-Notification as the IMDN request (these three win over what the intake
     * said otherwise), and every other header kept ({@link CpimMessage#otherHeaders}). The CPIM From must name the
     * sender (SIP: the P-Asserted-Identity, else the From; JMS: imdpSender): the sender is the identity the network vouches for, and an IMDN goes back to it.
     * To is written again from the recipient. RFC 5438 asks for Message-ID and DateTime when an IMDN is
     * requested; a request without them is refused.
     */
    private static DeferredMessage unwrapCpim(DeferredMessage outer) {
        try {
            CpimMessage cpim = CpimMessage.parse(outer.body());
            String from = cpim.header(CpimMessage.FROM);
            if (from != null && !Recipients.canonical(from).equals(outer.sender())) {
                throw invalid("CPIM From " + from.strip() + " is not the sender " + outer.sender());
            }
            String messageId = cpim.imdnHeader(CpimMessage.MESSAGE_ID);
            String dateTime = cpim.header(CpimMessage.DATE_TIME);
            String disposition = cpim.imdnHeader(CpimMessage.DISPOSITION_NOTIFICATION);
            if (disposition != null && (messageId == null || dateTime == null)) {
                throw invalid("CPIM asks for IMDN without imdn.Message-ID and DateTime (RFC 5438)");
            }
            byte[] content = cpim.body();
            if (content.length == 0) {
                throw invalid("CPIM without content");
            }
            return new DeferredMessage(
                    messageId == null ? outer.messageId() : messageId("CPIM imdn.Message-ID", messageId),
                    outer.sender(), outer.recipient(), token("CPIM Content-Type", cpim.contentType()),
                    dateTime == null ? outer.dateTime() : rfc3339("CPIM DateTime", dateTime),
                    disposition == null ? outer.dispositionNotification()
                            : token("CPIM imdn.Disposition-Notification", disposition),
                    content, cpim.otherHeaders());
        } catch (IllegalArgumentException e) {
            throw invalid("malformed message/cpim: " + e.getMessage());
        }
    }

    private static String jmsMessageId(Message in) {
        String id = in.getHeader(JMS_MESSAGE_ID, String.class);
        return id == null || id.isBlank() ? newMessageId() : derivedMessageId("jms", id);
    }

    /**
     * An IMDN Message-ID that is the same for the same {@code parts}: 128 bits of their SHA-256 as 32 hex digits, the
     * form of {@link #newMessageId}.
     */
    static String derivedMessageId(String... parts) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            for (String part : parts) {
                // length-prefixed, so that no two lists of parts hash the same text
                sha256.update((part.length() + ":" + part + ";").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(Arrays.copyOf(sha256.digest(), 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** A fresh IMDN Message-ID: 128 random bits as 32 hex digits, safe in CPIM, MSRP and JMS alike. */
    public static String newMessageId() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** A sip:, sips: or tel: URI, canonical, that can go into a CPIM From or To ({@link CpimMessage#headerUri}). */
    private static String uri(String what, String value) {
        try {
            return CpimMessage.headerUri("URI", Recipients.canonical(value));
        } catch (IllegalArgumentException e) {
            throw invalid(what + ": " + e.getMessage());
        }
    }

    /** A message id: a {@link #token} without white space ({@link CpimMessage#headerToken}; it goes into CPIM and JMS). */
    private static String messageId(String what, String value) {
        String v = token(what, value);
        try {
            return CpimMessage.headerToken(what, v);
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
    }

    /**
     * A value of at most 256 characters that goes into a CPIM header, trimmed: one line by the rule of
     * {@link CpimMessage#headerValue}, the one the push wraps it with, so that a stored message can always be pushed.
     */
    private static String token(String what, String value) {
        if (value == null || value.isBlank()) {
            throw invalid(what + " is missing");
        }
        String v = value.trim();
        if (v.length() > 256) {
            throw invalid(what + " is longer than 256 characters");
        }
        try {
            return CpimMessage.headerValue(what, v);
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
    }

    private static Instant rfc3339(String what, String value) {
        try {
            return OffsetDateTime.parse(value.trim()).toInstant();
        } catch (DateTimeParseException e) {
            throw invalid(what + " is not an RFC 3339 date-time: " + value);
        }
    }

    private static RejectedMessageException invalid(String message) {
        return new RejectedMessageException(Reason.INVALID, message);
    }
}
