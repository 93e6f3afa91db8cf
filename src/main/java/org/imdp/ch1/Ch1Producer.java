package org.imdp.ch1;

import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultAsyncProducer;
import org.imdp.ch1.codec.Diameter;
import org.imdp.ch1.codec.DiameterAvp;
import org.imdp.ch1.codec.DiameterMessage;
import org.imdp.ch1.peer.Ch1Answer;
import org.imdp.ch1.peer.PeerGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the body, an {@link AccountingEvent} (or what the CamelContext's type converters turn into one), as one ACR EVENT_RECORD and completes the exchange when the
 * ACA arrives: Result-Code 2xxx = done; 5xxx = {@link Ch1PermanentException}; anything else, no
 * answer, or an answer that cannot be read = {@link Ch1TransientException} ({@link Ch1NotSentException} when the ACR was
 * never written to a peer connection). Never blocks: the callback runs on the component's executor.
 */
public class Ch1Producer extends DefaultAsyncProducer {

    private static final Logger LOG = LoggerFactory.getLogger(Ch1Producer.class);

    private final Ch1Endpoint endpoint;
    private final AccountingRequestFactory factory;
    private PeerGroup peerGroup;

    public Ch1Producer(Ch1Endpoint endpoint) {
        super(endpoint);
        this.endpoint = endpoint;
        this.factory = new AccountingRequestFactory(endpoint.getConfiguration());
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        peerGroup = endpoint.getComponent().acquirePeerGroup(endpoint.getName(), endpoint.getConfiguration());
    }

    @Override
    protected void doStop() throws Exception {
        if (peerGroup != null) {
            endpoint.getComponent().releasePeerGroup(endpoint.getName(), endpoint.getConfiguration());
            peerGroup = null;
        }
        super.doStop();
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        Message in = exchange.getIn();
        AccountingEvent event;
        DiameterMessage acr;
        try {
            event = in.getMandatoryBody(AccountingEvent.class);
            acr = factory.create(event);
        } catch (InvalidPayloadException | IllegalArgumentException e) {
            return refuse(exchange, callback, new Ch1PermanentException("cannot build an ACR: " + e.getMessage(), null));
        } catch (Ch1PermanentException e) {
            return refuse(exchange, callback, e);
        }
        String sessionId = factory.sessionId(event);
        in.setHeader(Ch1Constants.SESSION_ID, sessionId);
        boolean possibleDuplicate = in.getHeader(Ch1Constants.POSSIBLE_DUPLICATE, false, Boolean.class)
                || in.getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class) > 0;
        endpoint.countSent();
        boolean waitForPeer = !in.getHeader(Ch1Constants.FAIL_WITHOUT_OPEN_PEER, false, Boolean.class);
        peerGroup.send(acr, possibleDuplicate, waitForPeer).whenCompleteAsync((answer, error) -> {
            try {
                if (error != null) {
                    exchange.setException(error instanceof Ch1TransientException ? error
                            : new Ch1TransientException("CH-1 send failed: " + error));
                } else {
                    readAnswer(exchange, sessionId, answer);
                }
                endpoint.countOutcome(exchange.getException());
            } finally {
                callback.done(false);
            }
        }, endpoint.getComponent().callbackExecutor());
        return false;
    }

    private boolean refuse(Exchange exchange, AsyncCallback callback, Ch1PermanentException failure) {
        endpoint.countOutcome(failure);
        exchange.setException(failure);
        callback.done(true);
        return true;
    }

    /**
     * An answer that cannot be read (e.g. a Result-Code of 3 octets: RFC 6733 §4.3.1 says Unsigned32 is 4) is a
     * malformed answer from the peer and fails the request as {@link Ch1TransientException}, like a malformed frame
     * (see {@code PeerConnection}): it tells nothing about whether the Charging Enabler took the record, the ACR itself
     * is fine, and another peer (or the same one repaired) can still answer it, so the event stays on its queue and is
     * sent again with the T flag, to be dropped as a duplicate if the first one was charged after all. Refusing it for
     * good would park a sound record for an operator because of the peer's fault.
     */
    private void readAnswer(Exchange exchange, String sessionId, Ch1Answer answer) {
        try {
            onAnswer(exchange, sessionId, answer);
        } catch (RuntimeException e) {
            exchange.setException(new Ch1TransientException("malformed answer from " + answer.peer() + " for Session-Id "
                                                             + sessionId + ": " + e.getMessage(), e));
        }
    }

    private void onAnswer(Exchange exchange, String sessionId, Ch1Answer answer) {
        DiameterMessage aca = answer.answer();
        Message in = exchange.getIn();
        long resultCode = resultCode(aca);
        endpoint.countAnswer(resultCode);
        in.setHeader(Ch1Constants.RESULT_CODE, resultCode);
        in.setHeader(Ch1Constants.PEER, answer.peer());
        in.setHeader(Ch1Constants.END_TO_END_ID, aca.endToEnd() & 0xFFFFFFFFL);
        in.setHeader(Ch1Constants.RETRANSMITTED, answer.retransmitted());
        aca.avp(Diameter.ORIGIN_HOST).ifPresent(a -> in.setHeader(Ch1Constants.ANSWER_ORIGIN_HOST, a.asIdentity()));
        String detail = "ACA Result-Code " + resultCode + " from " + answer.peer() + " for Session-Id " + sessionId
                + aca.avp(Diameter.ERROR_MESSAGE).map(a -> " (" + a.asUtf8() + ")").orElse("")
                + aca.avp(Diameter.FAILED_AVP).map(a -> " Failed-AVP " + failedAvps(a)).orElse("");
        if (resultCode >= 2000 && resultCode < 3000) {
            LOG.debug("CH-1: {}", detail);
        } else if (resultCode >= 5000 && resultCode < 6000) {
            exchange.setException(new Ch1PermanentException(detail, resultCode));
        } else {
            exchange.setException(new Ch1TransientException(detail, resultCode));
        }
    }

    /** Result-Code, or the Experimental-Result-Code of a vendor-specific result (RFC 6733 §7.6); 0 when absent. */
    private static long resultCode(DiameterMessage aca) {
        return aca.avp(Diameter.RESULT_CODE).map(DiameterAvp::asUnsigned32)
                .or(() -> aca.avp(Diameter.EXPERIMENTAL_RESULT).flatMap(er -> er.asGrouped().stream()
                        .filter(a -> a.code() == Diameter.EXPERIMENTAL_RESULT_CODE).findFirst().map(DiameterAvp::asUnsigned32)))
                .orElse(0L);
    }

    private static String failedAvps(DiameterAvp failedAvp) {
        StringBuilder codes = new StringBuilder();
        for (DiameterAvp avp : failedAvp.asGrouped()) {
            codes.append(codes.length() == 0 ? "" : ",").append(avp.code()).append(avp.vendorId() != 0 ? "/" + avp.vendorId() : "");
        }
        return codes.toString();
    }
}
