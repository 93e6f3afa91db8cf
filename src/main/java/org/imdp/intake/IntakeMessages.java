package org.imdp.intake;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.imdp.sipmsrp.SipMsrpConstants;
import org.imdp.store.DeferredMessage;
import org.imdp.store.DeferredStore;
import org.imdp.store.Recipients;
import org.imdp.store.RejectedMessageException;
import org.imdp.store.RejectedMessageException.Reason;

/**
 * Turns what arrives on the intake interfaces (a SIP MESSAGE, a JMS message on
 * {@code im.deferred.intake}) into a {@link DeferredMessage}, or refuses it with a reason.
 */
public final class IntakeMessages {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Clock clock;

    public IntakeMessages(Clock clock) {
        this.clock = clock;
    }

    /** A SIP MESSAGE (RFC 3428): Request-URI = recipient, From = sender, body of any content type. */
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
        return new DeferredMessage(newMessageId(),
                uri("sender (From)", in.getHeader(SipMsrpConstants.FROM, String.class)),
                uri("recipient (Request-URI)", in.getHeader(SipMsrpConstants.REQUEST_URI, String.class)),
                token("Content-Type", contentType), clock.instant(), null, body);
    }

    /**
     * A JMS message on {@code im.deferred.intake}: string properties {@code imdpRecipient},
     * {@code imdpSender}, {@code imdpContentType}, optional {@code imdpMessageId} and {@code imdpDateTime}
     * (RFC 3339); the body is the content (bytes or text).
     */
    public DeferredMessage fromJms(Exchange exchange) {
        Message in = exchange.getMessage();
        byte[] body = in.getBody(byte[].class);
        if (body == null || body.length == 0) {
            throw invalid("intake message without a body");
        }
        String messageId = in.getHeader(DeferredStore.PROP_MESSAGE_ID, String.class);
        String dateTime = in.getHeader(DeferredStore.PROP_DATE_TIME, String.class);
        return new DeferredMessage(
                messageId == null || messageId.isBlank() ? newMessageId() : token(DeferredStore.PROP_MESSAGE_ID, messageId),
                uri(DeferredStore.PROP_SENDER, in.getHeader(DeferredStore.PROP_SENDER, String.class)),
                uri(DeferredStore.PROP_RECIPIENT, in.getHeader(DeferredStore.PROP_RECIPIENT, String.class)),
                token(DeferredStore.PROP_CONTENT_TYPE, in.getHeader(DeferredStore.PROP_CONTENT_TYPE, String.class)),
                dateTime == null || dateTime.isBlank() ? clock.instant() : rfc3339(dateTime),
                null, body);
    }

    /** A fresh IMDN Message-ID: 128 random bits as 32 hex digits, safe in CPIM, MSRP and JMS alike. */
    static String newMessageId() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static String uri(String what, String value) {
        try {
            return Recipients.canonical(value);
        } catch (IllegalArgumentException e) {
            throw invalid(what + ": " + e.getMessage());
        }
    }

    /** A single-line printable value (it goes into CPIM headers). */
    private static String token(String what, String value) {
        if (value == null || value.isBlank()) {
            throw invalid(what + " is missing");
        }
        String v = value.trim();
        if (v.length() > 256 || v.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw invalid(what + " is not a single printable line of at most 256 characters");
        }
        return v;
    }

    private static Instant rfc3339(String value) {
        try {
            return OffsetDateTime.parse(value.trim()).toInstant();
        } catch (DateTimeParseException e) {
            throw invalid(DeferredStore.PROP_DATE_TIME + " is not an RFC 3339 date-time: " + value);
        }
    }

    private static RejectedMessageException invalid(String message) {
        return new RejectedMessageException(Reason.INVALID, message);
    }
}
