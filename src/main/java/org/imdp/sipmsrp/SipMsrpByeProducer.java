package org.imdp.sipmsrp;

import java.time.Instant;

import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;

/**
 * {@code sipmsrp:bye}: ends the push session of {@link SipMsrpConstants#CALL_ID} (as {@code sipmsrp:push} set it)
 * with a BYE and goes on at once, never waiting for the BYE's answer. Sets {@link SipMsrpConstants#BYE_SENT_AT} when
 * a BYE went out; a session that already ended (the client's own BYE, or a failure) is left as it is.
 */
public class SipMsrpByeProducer extends DefaultProducer {

    public SipMsrpByeProducer(SipMsrpEndpoint endpoint) {
        super(endpoint);
    }

    @Override
    public SipMsrpEndpoint getEndpoint() {
        return (SipMsrpEndpoint) super.getEndpoint();
    }

    @Override
    public void process(Exchange exchange) {
        String callId = exchange.getMessage().getHeader(SipMsrpConstants.CALL_ID, String.class);
        if (callId == null || callId.isBlank()) {
            throw new IllegalArgumentException("header " + SipMsrpConstants.CALL_ID + " is required");
        }
        Instant sentAt = getEndpoint().getComponent().bye(callId);
        if (sentAt != null) {
            exchange.getMessage().setHeader(SipMsrpConstants.BYE_SENT_AT, sentAt);
        }
    }
}
