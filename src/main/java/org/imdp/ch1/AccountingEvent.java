package org.imdp.ch1;

import java.time.Instant;
import java.util.List;

/**
 * What one CH-1 EventRequest (Diameter Rf ACR, EVENT_RECORD) reports: the body the {@code ch1} producer takes. An
 * application maps its own record onto it (or registers a Camel type converter to it); the component knows nothing
 * else of the application.
 *
 * @param eventId               unique id of the event: the basis of the Session-Id, so the same event sent again has the
 *                              same Session-Id and the Charging Enabler can drop the duplicate
 * @param subscriber            the charged party's public identity, {@code sip:}, {@code sips:} or {@code tel:}
 *                              (Subscription-Id, Called-Party-Address)
 * @param callingParties        the originating parties, in order (Calling-Party-Address, one each; may be empty)
 * @param userSessionId         the SIP Call-ID of the session charged (User-Session-Id)
 * @param requestTimestamp      when the session's SIP request was sent (SIP-Request-Timestamp), or {@code null}
 * @param responseTimestamp     when its final response arrived (SIP-Response-Timestamp), or {@code null}
 * @param eventTimestamp        when the charged event ended (Event-Timestamp)
 * @param messagesSent          messages sent in the session (Total-Number-Of-Messages-Sent)
 * @param messagesSuccessfullySent messages acknowledged (Number-Of-Messages-Successfully-Sent), at most
 *                              {@code messagesSent}
 */
public record AccountingEvent(String eventId, String subscriber, List<String> callingParties, String userSessionId,
        Instant requestTimestamp, Instant responseTimestamp, Instant eventTimestamp, int messagesSent,
        int messagesSuccessfullySent) {
}
