package org.imdp.sipmsrp.push;

import java.text.ParseException;
import java.util.List;
import java.util.Optional;

import javax.sip.InvalidArgumentException;
import javax.sip.address.Address;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.Header;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;

import gov.nist.javax.sip.header.HeaderFactoryExt;
import org.imdp.sipmsrp.SipMsrpConfiguration;
import org.imdp.sipmsrp.sip.SipAgent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 1's request: the INVITEs of one session. Every INVITE of a session (after a redirect or a challenge) has the
 * same Call-ID, From tag and MSRP offer, with the next CSeq (RFC 3261 sections 8.1.3.4, 22.2).
 */
final class InviteRequest {

    private static final Logger LOG = LoggerFactory.getLogger(InviteRequest.class);

    private final SipAgent agent;
    private final SipMsrpConfiguration config;
    private final String recipient;
    private final CallIdHeader callId;
    private final String fromTag = SipAgent.newTag();
    /** The original sender when every message has the same one (it goes into Referred-By), else null. */
    private final String sender;
    private final String offer;
    private long cseq;

    InviteRequest(SipAgent agent, SipMsrpConfiguration config, String recipient, CallIdHeader callId, String sender,
            String offer) {
        this.agent = agent;
        this.config = config;
        this.recipient = recipient;
        this.callId = callId;
        this.sender = sender;
        this.offer = offer;
    }

    /** The next INVITE, to {@code targetUri}, with {@code credentials} (a challenge's answer) if any. */
    Request next(String targetUri, List<Header> credentials) throws ParseException, InvalidArgumentException {
        AddressFactory af = agent.addressFactory();
        HeaderFactoryExt hf = agent.headerFactory();
        Address server = af.createAddress(config.getServerUri());
        Request request = agent.newRequest(Request.INVITE, af.createURI(targetUri), af.createAddress(recipient),
                server, fromTag, callId, ++cseq, config.getOutboundProxy());
        String transport = ((ViaHeader) request.getHeader(ViaHeader.NAME)).getTransport();
        request.addHeader(hf.createHeader(ContactHeader.NAME, contact(server, transport)));
        request.addHeader(hf.createHeader(PushSession.ACCEPT_CONTACT, "*;" + PushSession.IM_FEATURE_TAG));
        if (sender != null) {
            referredBy(sender).ifPresent(request::addHeader);
        }
        for (Header credential : credentials) {
            request.addHeader(credential);
        }
        request.setContent(offer, hf.createContentTypeHeader("application", "sdp"));
        agent.switchToTcpIfLarge(request);
        return request;
    }

    /**
     * Our Contact: the server URI's user on our SIP address, flagged as an IM endpoint; over TLS a {@code sips:} URI of
     * the TLS listening point (RFC 5630 section 3.1.3: a request over TLS for a sips: target has a sips: Contact).
     */
    private String contact(Address server, String transport) {
        String user = server.getURI() instanceof SipURI sip && sip.getUser() != null ? sip.getUser() + "@" : "";
        String hostPort = (agent.host().contains(":") ? "[" + agent.host() + "]" : agent.host()) + ":"
                          + agent.port(transport);
        if (SipAgent.TLS.equalsIgnoreCase(transport)) {
            return "<sips:" + user + hostPort + ">;" + PushSession.IM_FEATURE_TAG;
        }
        String params = SipAgent.UDP.equalsIgnoreCase(transport) ? "" : ";transport=" + transport;
        return "<sip:" + user + hostPort + params + ">;" + PushSession.IM_FEATURE_TAG;
    }

    /**
     * Referred-By naming the original sender, when the stack can write its URI. It only informs the client (a payload
     * names its sender too, e.g. in its CPIM From), so a sender URI that JAIN-SIP does not parse (one the JMS intake took,
     * e.g. with a '{' in its user part, which CPIM carries) leaves it out instead of failing every push to the
     * recipient before its INVITE.
     */
    private Optional<Header> referredBy(String sender) {
        try {
            return Optional.of(agent.headerFactory().createReferredByHeader(agent.addressFactory().createAddress(sender)));
        } catch (ParseException e) {
            LOG.debug("push to {}: no Referred-By, the stack cannot write sender {}: {}", recipient, sender,
                    e.getMessage());
            return Optional.empty();
        }
    }
}
