package org.imdp.sipmsrp;

import java.text.ParseException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.sip.ClientTransaction;
import javax.sip.InvalidArgumentException;
import javax.sip.ResponseEvent;
import javax.sip.SipException;
import javax.sip.TimeoutEvent;
import javax.sip.address.AddressFactory;
import javax.sip.address.URI;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import gov.nist.javax.sip.header.HeaderFactoryExt;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.imdp.sipmsrp.sip.SipAgent;
import org.imdp.sipmsrp.sip.SipDialogHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code sipmsrp:message} as a producer: sends the exchange's body in one out-of-dialog SIP MESSAGE (RFC 3428) to
 * {@link SipMsrpConstants#RECIPIENT} (Request-URI and To; through the outbound proxy when one is configured), From
 * and P-Asserted-Identity = the server URI, Content-Type = {@link SipMsrpConstants#CONTENT_TYPE}. The exchange
 * completes on the final response: a 2xx sets {@link SipMsrpConstants#RESPONSE_CODE}; anything else, or no final
 * response within {@code messageTimeout}, fails it with {@link SipMsrpRequestException}.
 */
public class SipMsrpMessageProducer extends SipMsrpProducerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(SipMsrpMessageProducer.class);

    public SipMsrpMessageProducer(SipMsrpEndpoint endpoint) {
        super(endpoint, "SipMsrpMessage");
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        Message in = exchange.getIn();
        String recipient = in.getHeader(SipMsrpConstants.RECIPIENT, String.class);
        Outgoing outgoing;
        try {
            outgoing = send(recipient, in.getHeader(SipMsrpConstants.CONTENT_TYPE, String.class),
                    in.getBody(byte[].class));
        } catch (RuntimeException | SipMsrpRequestException e) {
            exchange.setException(e);
            callback.done(true);
            return true;
        }
        // the rest of the route runs on our pool, never on the SIP stack's thread
        outgoing.finalResponse.orTimeout(getEndpoint().getConfiguration().getMessageTimeout(), TimeUnit.MILLISECONDS)
                .whenCompleteAsync((response, error) -> {
                    agent().removeDialogHandler(outgoing.callId);
                    int code = error != null ? Response.REQUEST_TIMEOUT : response.getStatusCode();
                    LOG.debug("MESSAGE {} to {}: {}", outgoing.callId, recipient, code);
                    exchange.getMessage().setHeader(SipMsrpConstants.CALL_ID, outgoing.callId);
                    if (code < 300) {
                        exchange.getMessage().setHeader(SipMsrpConstants.RESPONSE_CODE, code);
                    } else {
                        if (error != null) {
                            outgoing.stopRetransmitting();
                        }
                        exchange.setException(new SipMsrpRequestException(Request.MESSAGE, recipient, code,
                                error != null ? "Request Timeout" : response.getReasonPhrase()));
                    }
                    callback.done(false);
                }, executor());
        return false;
    }

    private Outgoing send(String recipient, String contentType, byte[] body) throws SipMsrpRequestException {
        if (recipient == null || recipient.isBlank()) {
            throw new IllegalArgumentException("header " + SipMsrpConstants.RECIPIENT + " is required");
        }
        if (contentType == null || contentType.isBlank()) {
            throw new IllegalArgumentException("header " + SipMsrpConstants.CONTENT_TYPE + " is required");
        }
        if (body == null || body.length == 0) {
            throw new IllegalArgumentException("the body of a MESSAGE must not be empty");
        }
        SipMsrpConfiguration config = getEndpoint().getConfiguration();
        AddressFactory af = agent().addressFactory();
        HeaderFactoryExt hf = agent().headerFactory();
        try {
            URI target = af.createURI(recipient.strip());
            CallIdHeader callId = agent().provider().getNewCallId();
            Request request = agent().newRequest(Request.MESSAGE, target, af.createAddress(target),
                    af.createAddress(config.getServerUri()), SipAgent.newTag(), callId, 1L, config.getOutboundProxy());
            request.setContent(body, (ContentTypeHeader) hf.createHeader(ContentTypeHeader.NAME, contentType.strip()));
            agent().switchToTcpIfLarge(request);

            Outgoing outgoing = new Outgoing(callId.getCallId());
            agent().addDialogHandler(outgoing.callId, outgoing);
            try {
                outgoing.transaction = agent().provider().getNewClientTransaction(request);
                outgoing.transaction.sendRequest();
            } catch (SipException e) {
                agent().removeDialogHandler(outgoing.callId);
                // RFC 3261 section 8.1.3.1: a transport failure counts as 503
                SipMsrpRequestException failure = new SipMsrpRequestException(Request.MESSAGE, recipient,
                        Response.SERVICE_UNAVAILABLE, "could not be sent: " + e.getMessage());
                failure.initCause(e);
                throw failure;
            }
            return outgoing;
        } catch (ParseException | InvalidArgumentException | ClassCastException e) {
            throw new IllegalArgumentException("cannot build a MESSAGE to " + recipient + ": " + e.getMessage(), e);
        }
    }

    /** One MESSAGE waiting for its final response; SIP events arrive on stack threads and only complete it. */
    private static final class Outgoing implements SipDialogHandler {

        final String callId;
        final CompletableFuture<Response> finalResponse = new CompletableFuture<>();
        volatile ClientTransaction transaction;

        Outgoing(String callId) {
            this.callId = callId;
        }

        void stopRetransmitting() {
            try {
                transaction.terminate();
            } catch (SipException e) {
                LOG.debug("MESSAGE {} could not be terminated: {}", callId, e.getMessage());
            }
        }

        @Override
        public void onResponse(ResponseEvent event) {
            if (event.getResponse().getStatusCode() >= 200) {
                finalResponse.complete(event.getResponse());
            }
        }

        @Override
        public void onTimeout(TimeoutEvent event) {
            finalResponse.completeExceptionally(new TimeoutException("MESSAGE timed out (Timer F)"));
        }

        @Override
        public void onClientBye(Request bye) {
            // no dialog: nothing to end
        }
    }
}
