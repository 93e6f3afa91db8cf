package org.imdp.imdn;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.imdp.cpim.CpimHeaders;
import org.imdp.cpim.CpimMessage;
import org.imdp.intake.IntakeMessages;
import org.imdp.sipmsrp.SipMsrpConstants;
import org.imdp.store.DeferredMessage;
import org.imdp.store.DeferredStore;
import org.imdp.store.Recipients;

/**
 * IMDN {@code failed} notifications (RFC 5438) for stored messages that will never be delivered: expired, or
 * refused for good. Used by {@code routes/imdn.xml} on messages of {@code im.deferred.expired} and
 * {@code im.deferred.refused}, which carry the stored message's properties ({@code imdpSender},
 * {@code imdpRecipient}, {@code imdpMessageId}, {@code imdpDateTime}, {@code imdpDisposition},
 * {@code imdpCpimHeaders}).
 */
public final class DeliveryNotifications {

    /** The disposition a sender asks for to hear about a failed delivery (RFC 5438). */
    public static final String NEGATIVE_DELIVERY = "negative-delivery";
    /** imdn.Original-To (RFC 5438), kept with a stored message among its other CPIM headers. */
    private static final String ORIGINAL_TO = CpimMessage.IMDN_PREFIX + ".Original-To";

    private final String serverUri;
    private final Clock clock;

    /** @param serverUri the IM Server's own URI: the notifications come from it, not from the recipient */
    public DeliveryNotifications(String serverUri, Clock clock) {
        this.serverUri = serverUri;
        this.clock = clock;
    }

    /**
     * Whether an imdn.Disposition-Notification value (e.g. {@code positive-delivery, negative-delivery}) asks
     * for negative delivery notifications; parameters after {@code ;} are ignored, names compared without case.
     */
    public static boolean negativeDeliveryRequested(String disposition) {
        if (disposition == null) {
            return false;
        }
        for (String request : disposition.split(",")) {
            int semicolon = request.indexOf(';');
            String name = (semicolon < 0 ? request : request.substring(0, semicolon)).strip();
            if (name.toLowerCase(Locale.ROOT).equals(NEGATIVE_DELIVERY)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Turns the exchange of a stored message that failed for good into the SIP MESSAGE that tells its sender: body
     * = a {@code message/cpim} document from the server URI to the sender, with a fresh imdn.Message-ID, holding
     * the {@code message/imdn+xml} {@code failed} document ({@code Content-Disposition: notification}); headers
     * {@link SipMsrpConstants#RECIPIENT} = the sender and {@link SipMsrpConstants#CONTENT_TYPE} =
     * {@code message/cpim}, for {@code sipmsrp:message}.
     *
     * @throws IllegalArgumentException when the stored message lacks what a notification needs
     */
    public void failed(Exchange exchange) {
        Message in = exchange.getMessage();
        String sender = Recipients.canonical(required(in, DeferredStore.PROP_SENDER));
        String recipient = Recipients.canonical(required(in, DeferredStore.PROP_RECIPIENT));
        String messageId = required(in, DeferredStore.PROP_MESSAGE_ID);
        Instant dateTime;
        try {
            dateTime = Instant.parse(required(in, DeferredStore.PROP_DATE_TIME));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(DeferredStore.PROP_DATE_TIME + " is not a date-time: " + e.getParsedString());
        }
        String originalTo = originalTo(in.getHeader(DeferredStore.PROP_CPIM_HEADERS, String.class));
        byte[] xml = ImdnDocument.failedDelivery(messageId, dateTime, recipient,
                originalTo == null ? recipient : originalTo);
        DeferredMessage notification = new DeferredMessage(IntakeMessages.newMessageId(), serverUri, sender,
                ImdnDocument.MIME_TYPE, clock.instant(), null, xml,
                new CpimHeaders(List.of(), List.of(Map.entry("Content-Disposition", ImdnDocument.CONTENT_DISPOSITION))));
        in.setBody(CpimMessage.wrap(notification));
        in.setHeader(SipMsrpConstants.RECIPIENT, sender);
        in.setHeader(SipMsrpConstants.CONTENT_TYPE, CpimMessage.MIME_TYPE);
    }

    /** The URI of the stored message's imdn.Original-To, or {@code null}. */
    private static String originalTo(String storedHeaders) {
        for (Map.Entry<String, String> h : CpimHeaders.parse(storedHeaders).message()) {
            if (h.getKey().equalsIgnoreCase(ORIGINAL_TO)) {
                return Recipients.canonical(h.getValue());
            }
        }
        return null;
    }

    private static String required(Message in, String property) {
        String value = in.getHeader(property, String.class);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("property " + property + " is missing");
        }
        return value;
    }
}
