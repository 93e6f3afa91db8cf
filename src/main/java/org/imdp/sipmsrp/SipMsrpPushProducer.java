package org.imdp.sipmsrp;

import java.util.List;

import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.SynchronizationAdapter;
import org.imdp.sipmsrp.msrp.MsrpSessions;
import org.imdp.sipmsrp.push.PushSession;

/**
 * {@code sipmsrp:push}: delivers the exchange's messages (body: {@code List<PushMessage>}, in order) to
 * the recipient in one session, see {@link PushSession}. The exchange goes on as soon as the last message is decided,
 * with {@link SipMsrpConstants#PUSH_RESULT} and {@link SipMsrpConstants#CALL_ID}; the body is left as it was. The
 * dialog stays up until {@code sipmsrp:bye} ends it, so that the route can settle the session first; when the exchange
 * completes without that (the route failed or ended earlier), the BYE goes out then. A session that fails has sent
 * its BYE already.
 */
public class SipMsrpPushProducer extends SipMsrpProducerSupport {

    private MsrpSessions msrp;

    public SipMsrpPushProducer(SipMsrpEndpoint endpoint) {
        super(endpoint, "SipMsrpPush");
    }

    @Override
    protected void doStart() throws Exception {
        msrp = getEndpoint().getComponent().msrpSessions();
        super.doStart();
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        PushSession session;
        try {
            Message in = exchange.getIn();
            String recipient = in.getHeader(SipMsrpConstants.RECIPIENT, String.class);
            if (recipient == null || recipient.isBlank()) {
                throw new IllegalArgumentException("header " + SipMsrpConstants.RECIPIENT + " is required");
            }
            String contact = in.getHeader(SipMsrpConstants.CONTACT, String.class);
            boolean viaProxy = isSet(getEndpoint().getConfiguration().getOutboundProxy());
            if (!viaProxy && (contact == null || contact.isBlank())) {
                throw new IllegalArgumentException("header " + SipMsrpConstants.CONTACT
                                                   + " is required when no outboundProxy is configured");
            }
            session = new PushSession(getEndpoint().getConfiguration(), getEndpoint().pushCounters(), agent(), msrp,
                    executor(), recipient, viaProxy ? recipient : contact, messages(in.getBody()));
        } catch (RuntimeException e) {
            exchange.setException(e);
            callback.done(true);
            return true;
        }
        SipMsrpComponent component = getEndpoint().getComponent();
        component.pushStarted(session);
        session.run().whenComplete((outcome, unexpected) -> {
            if (unexpected != null || !outcome.byeDue()) {
                component.pushEnded(session);
            } else {
                exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                    @Override
                    public void onDone(Exchange done) {
                        component.byeIfPending(session);
                    }
                });
            }
            if (unexpected != null) {
                exchange.setException(unexpected);
            } else {
                if (outcome.result() != null) {
                    exchange.getMessage().setHeader(SipMsrpConstants.PUSH_RESULT, outcome.result());
                }
                exchange.getMessage().setHeader(SipMsrpConstants.CALL_ID, outcome.callId());
                if (outcome.failure() != null) {
                    exchange.setException(outcome.failure());
                }
            }
            callback.done(false);
        });
        return false;
    }

    private static boolean isSet(String s) {
        return s != null && !s.isBlank();
    }

    private static List<PushMessage> messages(Object body) {
        if (!(body instanceof List<?> list) || list.isEmpty()) {
            throw new IllegalArgumentException("body must be a non-empty List<PushMessage>");
        }
        for (Object o : list) {
            if (!(o instanceof PushMessage)) {
                throw new IllegalArgumentException("body must be a List<PushMessage>, found "
                                                   + (o == null ? "null" : o.getClass().getName()));
            }
        }
        @SuppressWarnings("unchecked")
        List<PushMessage> messages = (List<PushMessage>) list;
        return List.copyOf(messages);
    }
}
