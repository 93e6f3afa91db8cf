package org.imdp.ch1;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

import org.imdp.ch1.codec.Diameter;
import org.imdp.ch1.codec.DiameterAvp;
import org.imdp.ch1.codec.DiameterMessage;

import static org.imdp.ch1.codec.Diameter.VENDOR_3GPP;

/**
 * Builds the CH-1 EventRequest: a Diameter Rf ACR (3GPP TS 32.299 §6.2.2) with Accounting-Record-Type
 * EVENT_RECORD for one push session. Every AVP carries the M bit exactly as its defining specification
 * sets it (RFC 6733 §4.5, RFC 4006 §8, TS 32.299 table 7.2, OMA DDS Charging Data): all of them here are
 * "must" M, and the 3GPP and OMA ones are vendor 10415 with the V bit. docs/ch1-charging.md lists each AVP
 * and its source.
 */
public final class AccountingRequestFactory {

    private final Ch1Configuration configuration;

    public AccountingRequestFactory(Ch1Configuration configuration) {
        this.configuration = configuration;
    }

    /**
     * Session-Id (RFC 6733 §8.8) {@code <Origin-Host>;<high 32>;<low 32>;<eventId>}: high = the session's end
     * (Event-Timestamp) in seconds, low = CRC-32 of the event id. It depends only on the event, so a record sent again after a
     * failure or a restart has the same Session-Id and Accounting-Record-Number and the Charging Enabler
     * can discard the duplicate.
     */
    public String sessionId(AccountingEvent event) {
        CRC32 crc = new CRC32();
        crc.update(event.eventId().getBytes(StandardCharsets.UTF_8));
        long high = event.eventTimestamp().getEpochSecond() & 0xFFFFFFFFL;
        return configuration.getOriginHost() + ";" + high + ";" + crc.getValue() + ";" + event.eventId();
    }

    /** The ACR without Hop-by-Hop and End-to-End identifiers (the peer group assigns them). */
    public DiameterMessage create(AccountingEvent event) throws Ch1PermanentException {
        validate(event);
        List<DiameterAvp> avps = new ArrayList<>();
        avps.add(DiameterAvp.utf8(Diameter.SESSION_ID, 0, true, sessionId(event)));
        avps.add(DiameterAvp.identity(Diameter.ORIGIN_HOST, 0, true, configuration.getOriginHost()));
        avps.add(DiameterAvp.identity(Diameter.ORIGIN_REALM, 0, true, configuration.getOriginRealm()));
        avps.add(DiameterAvp.identity(Diameter.DESTINATION_REALM, 0, true, configuration.getDestinationRealm()));
        avps.add(DiameterAvp.enumerated(Diameter.ACCOUNTING_RECORD_TYPE, 0, true, Diameter.ACCOUNTING_RECORD_TYPE_EVENT));
        avps.add(DiameterAvp.unsigned32(Diameter.ACCOUNTING_RECORD_NUMBER, 0, true, 0));
        avps.add(DiameterAvp.unsigned32(Diameter.ACCT_APPLICATION_ID, 0, true, Diameter.APP_BASE_ACCOUNTING));
        if (configuration.getDestinationHost() != null && !configuration.getDestinationHost().isBlank()) {
            avps.add(DiameterAvp.identity(Diameter.DESTINATION_HOST, 0, true, configuration.getDestinationHost()));
        }
        avps.add(DiameterAvp.time(Diameter.EVENT_TIMESTAMP, 0, true, event.eventTimestamp()));
        avps.add(DiameterAvp.utf8(Diameter.SERVICE_CONTEXT_ID, 0, true, configuration.getServiceContextId()));
        avps.add(DiameterAvp.grouped(Diameter.SERVICE_INFORMATION, VENDOR_3GPP, true, List.of(
                subscriptionId(event.subscriber()),
                imsInformation(event),
                DiameterAvp.grouped(Diameter.IM_INFORMATION, VENDOR_3GPP, true, List.of(
                        DiameterAvp.unsigned32(Diameter.TOTAL_NUMBER_OF_MESSAGES_SENT, VENDOR_3GPP, true, event.messagesSent()),
                        DiameterAvp.unsigned32(Diameter.NUMBER_OF_MESSAGES_SUCCESSFULLY_SENT, VENDOR_3GPP, true,
                                event.messagesSuccessfullySent()))))));
        return new DiameterMessage(DiameterMessage.FLAG_REQUEST | DiameterMessage.FLAG_PROXIABLE, Diameter.CMD_ACCOUNTING,
                Diameter.APP_BASE_ACCOUNTING, 0, 0, avps);
    }

    private DiameterAvp imsInformation(AccountingEvent event) {
        List<DiameterAvp> members = new ArrayList<>();
        members.add(DiameterAvp.enumerated(Diameter.ROLE_OF_NODE, VENDOR_3GPP, true, configuration.getRoleOfNode()));
        members.add(DiameterAvp.enumerated(Diameter.NODE_FUNCTIONALITY, VENDOR_3GPP, true, Diameter.NODE_FUNCTIONALITY_AS));
        members.add(DiameterAvp.utf8(Diameter.USER_SESSION_ID, VENDOR_3GPP, true, event.userSessionId()));
        if (event.callingParties() != null) {
            for (String sender : event.callingParties()) {
                members.add(DiameterAvp.utf8(Diameter.CALLING_PARTY_ADDRESS, VENDOR_3GPP, true, sender));
            }
        }
        members.add(DiameterAvp.utf8(Diameter.CALLED_PARTY_ADDRESS, VENDOR_3GPP, true, event.subscriber()));
        List<DiameterAvp> timeStamps = new ArrayList<>();
        if (event.requestTimestamp() != null) {
            timeStamps.add(DiameterAvp.time(Diameter.SIP_REQUEST_TIMESTAMP, VENDOR_3GPP, true, event.requestTimestamp()));
        }
        if (event.responseTimestamp() != null) {
            timeStamps.add(DiameterAvp.time(Diameter.SIP_RESPONSE_TIMESTAMP, VENDOR_3GPP, true, event.responseTimestamp()));
        }
        if (!timeStamps.isEmpty()) {
            members.add(DiameterAvp.grouped(Diameter.TIME_STAMPS, VENDOR_3GPP, true, timeStamps));
        }
        return DiameterAvp.grouped(Diameter.IMS_INFORMATION, VENDOR_3GPP, true, members);
    }

    /** Subscription-Id (RFC 4006 §8.46): a tel: URI as END_USER_E164 digits, anything else as END_USER_SIP_URI. */
    private static DiameterAvp subscriptionId(String recipient) {
        int type = Diameter.SUBSCRIPTION_ID_TYPE_END_USER_SIP_URI;
        String data = recipient;
        if (recipient.regionMatches(true, 0, "tel:", 0, 4)) {
            type = Diameter.SUBSCRIPTION_ID_TYPE_END_USER_E164;
            data = recipient.substring(4).split(";", 2)[0].replace("+", "").replace("-", "");
        }
        return DiameterAvp.grouped(Diameter.SUBSCRIPTION_ID, 0, true, List.of(
                DiameterAvp.enumerated(Diameter.SUBSCRIPTION_ID_TYPE, 0, true, type),
                DiameterAvp.utf8(Diameter.SUBSCRIPTION_ID_DATA, 0, true, data)));
    }

    private static void validate(AccountingEvent event) throws Ch1PermanentException {
        List<String> missing = new ArrayList<>();
        if (event.eventId() == null || event.eventId().isBlank()) {
            missing.add("eventId");
        }
        if (event.subscriber() == null || event.subscriber().isBlank()) {
            missing.add("subscriber");
        }
        if (event.userSessionId() == null || event.userSessionId().isBlank()) {
            missing.add("userSessionId");
        }
        if (event.eventTimestamp() == null) {
            missing.add("eventTimestamp");
        }
        if (!missing.isEmpty()) {
            throw new Ch1PermanentException("accounting event " + event.eventId() + " lacks " + String.join(", ", missing), null);
        }
        if (event.messagesSent() < 0 || event.messagesSuccessfullySent() < 0 || event.messagesSuccessfullySent() > event.messagesSent()) {
            throw new Ch1PermanentException("accounting event " + event.eventId() + " has inconsistent counts: sent "
                    + event.messagesSent() + ", successfully sent " + event.messagesSuccessfullySent(), null);
        }
    }
}
