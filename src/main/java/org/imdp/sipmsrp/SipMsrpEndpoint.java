package org.imdp.sipmsrp;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedResource;
import org.apache.camel.spi.EndpointServiceLocation;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;
import org.imdp.sipmsrp.msrp.NettyMsrpSessions;
import org.imdp.sipmsrp.push.PushCounters;
import org.imdp.sipmsrp.sip.SipAgent;

/**
 * Receive SIP MESSAGE and REGISTER requests, send SIP MESSAGEs, and push stored instant messages to an IM Client
 * in one SIP INVITE / MSRP / BYE session (OMA SIMPLE IM deferred messaging).
 */
@ManagedResource(description = "Managed SipMsrpEndpoint")
@UriEndpoint(firstVersion = "0.1.0", scheme = "sipmsrp", title = "SIP/MSRP", syntax = "sipmsrp:kind",
             category = { Category.MOBILE, Category.NETWORKING }, headersClass = SipMsrpConstants.class)
public class SipMsrpEndpoint extends DefaultEndpoint implements EndpointServiceLocation {

    @UriPath(enums = "message,register,push,bye",
             description = "message and register: consume incoming SIP requests of that method; message as a"
                           + " producer: send one SIP MESSAGE; push: deliver stored messages in an INVITE/MSRP"
                           + " session, whose dialog stays up until bye (or the exchange completes); bye: end the"
                           + " push session of the exchange's Call-ID")
    @Metadata(required = true)
    private SipMsrpKind kind;
    @UriParam
    private SipMsrpConfiguration configuration;

    private final AtomicLong invitesSent = new AtomicLong();
    private final AtomicLong sessionsDelivered = new AtomicLong();
    private final AtomicLong sessionsPartial = new AtomicLong();
    private final AtomicLong sessionsFailed = new AtomicLong();
    private final AtomicLong messagesSent = new AtomicLong();
    private final AtomicLong messagesAcknowledged = new AtomicLong();
    private final AtomicLong messagesRefused = new AtomicLong();
    private final AtomicLong byeAnswered = new AtomicLong();
    private final AtomicLong byeTimedOut = new AtomicLong();
    private final PushCounters pushCounters = new PushCounters() {
        @Override
        public void inviteSent() {
            invitesSent.incrementAndGet();
        }

        @Override
        public void messageSent() {
            messagesSent.incrementAndGet();
        }

        @Override
        public void messageAcknowledged() {
            messagesAcknowledged.incrementAndGet();
        }

        @Override
        public void messageRefused() {
            messagesRefused.incrementAndGet();
        }

        @Override
        public void sessionDelivered() {
            sessionsDelivered.incrementAndGet();
        }

        @Override
        public void sessionPartial() {
            sessionsPartial.incrementAndGet();
        }

        @Override
        public void sessionFailed() {
            sessionsFailed.incrementAndGet();
        }

        @Override
        public void byeAnswered() {
            byeAnswered.incrementAndGet();
        }

        @Override
        public void byeTimedOut() {
            byeTimedOut.incrementAndGet();
        }
    };
    private final AtomicLong requestsAnswered = new AtomicLong();
    private final AtomicLong requestsRejected = new AtomicLong();
    private final AtomicLong requestsOverloaded = new AtomicLong();
    private final AtomicLong requestsForbidden = new AtomicLong();


    public SipMsrpEndpoint(String uri, SipMsrpComponent component, SipMsrpKind kind,
            SipMsrpConfiguration configuration) {
        super(uri, component);
        this.kind = kind;
        this.configuration = configuration;
    }

    @Override
    public SipMsrpComponent getComponent() {
        return (SipMsrpComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() throws Exception {
        return switch (kind) {
            case PUSH -> new SipMsrpPushProducer(this);
            case BYE -> new SipMsrpByeProducer(this);
            case MESSAGE -> new SipMsrpMessageProducer(this);
            default -> throw new RuntimeCamelException("sipmsrp:" + kind + " is a consumer; sipmsrp:push, sipmsrp:bye"
                                                       + " and sipmsrp:message produce: " + getEndpointUri());
        };
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        if (kind.sipMethod() == null) {
            throw new RuntimeCamelException("sipmsrp:" + kind + " is a producer: " + getEndpointUri());
        }
        SipMsrpConsumer consumer = new SipMsrpConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    public SipMsrpKind getKind() {
        return kind;
    }

    /** message, register, push or bye. */
    public void setKind(SipMsrpKind kind) {
        this.kind = kind;
    }

    public SipMsrpConfiguration getConfiguration() {
        return configuration;
    }

    /** The endpoint's options (a copy of the component's, with the URI's on top). */
    public void setConfiguration(SipMsrpConfiguration configuration) {
        this.configuration = configuration;
    }

    @Override
    public String getServiceUrl() {
        return "sip:" + configuration.getHost() + ":" + configuration.getPort();
    }

    @Override
    public String getServiceProtocol() {
        return "sip";
    }

    @Override
    public Map<String, String> getServiceMetadata() {
        return Map.of("kind", kind.toString(), "transports", configuration.getTransports());
    }

    @ManagedAttribute(description = "SIP listening address")
    public String getListeningAddress() {
        return configuration.getHost() + ":" + configuration.getPort() + " " + configuration.getTransports();
    }

    @ManagedAttribute(description = "Push INVITEs sent")
    public long getInvitesSent() {
        return invitesSent.get();
    }

    @ManagedAttribute(description = "Push sessions in which every message was acknowledged or refused for good")
    public long getSessionsDelivered() {
        return sessionsDelivered.get();
    }

    @ManagedAttribute(description = "Push sessions that reached BYE with messages left unacknowledged (they stay stored)")
    public long getSessionsPartial() {
        return sessionsPartial.get();
    }

    @ManagedAttribute(description = "Push sessions that failed: INVITE refused or unanswered, no MSRP session (every"
                                    + " message stays stored)")
    public long getSessionsFailed() {
        return sessionsFailed.get();
    }

    @ManagedAttribute(description = "MSRP SENDs of deferred messages")
    public long getMessagesSent() {
        return messagesSent.get();
    }

    @ManagedAttribute(description = "Deferred messages acknowledged with MSRP 200 OK")
    public long getMessagesAcknowledged() {
        return messagesAcknowledged.get();
    }

    @ManagedAttribute(description = "Deferred messages the client refused for good (MSRP 413/415, over its a=max-size)")
    public long getMessagesRefusedByClient() {
        return messagesRefused.get();
    }

    @ManagedAttribute(description = "BYEs of push sessions answered by the client")
    public long getByeAnswered() {
        return byeAnswered.get();
    }

    @ManagedAttribute(description = "BYEs of push sessions the client never answered")
    public long getByeTimedOut() {
        return byeTimedOut.get();
    }

    @ManagedAttribute(description = "Requests given to the route and answered (consumer)")
    public long getRequestsAnswered() {
        return requestsAnswered.get();
    }

    @ManagedAttribute(description = "Requests refused 413 before routing: body too large (consumer)")
    public long getRequestsRejected() {
        return requestsRejected.get();
    }

    @ManagedAttribute(description = "Requests answered 503 with Retry-After without routing: every worker busy and"
                                    + " the worker queue full, or the consumer stopping (consumer)")
    public long getRequestsOverloaded() {
        return requestsOverloaded.get();
    }

    @ManagedAttribute(description = "Requests answered 403 without routing: their source address is not one of the"
                                    + " trustedNodes (consumer)")
    public long getRequestsForbidden() {
        return requestsForbidden.get();
    }

    @ManagedAttribute(description = "SIP/TCP connections accepted and open now on this endpoint's stack")
    public int getTcpConnectionsOpen() {
        SipAgent.TcpConnections tcp = tcpConnections();
        return tcp == null ? 0 : tcp.open();
    }

    @ManagedAttribute(description = "SIP/TCP connections closed at once so far: the stack had tcpMaxConnections open")
    public long getTcpConnectionsRefused() {
        SipAgent.TcpConnections tcp = tcpConnections();
        return tcp == null ? 0 : tcp.refused();
    }

    @ManagedAttribute(description = "SIP/TCP connections closed so far because their stream broke sipMaxMessageSize "
                                    + "or could not be framed")
    public long getTcpConnectionsClosedOverLimit() {
        SipAgent.TcpConnections tcp = tcpConnections();
        return tcp == null ? 0 : tcp.closedOverLimit();
    }

    private SipAgent.TcpConnections tcpConnections() {
        SipAgent agent = getComponent().runningAgent(configuration);
        return agent == null ? null : agent.tcpConnections();
    }

    @ManagedAttribute(description = "Accepted MSRP connections open now that have not bound to a session yet")
    public int getMsrpUnboundConnections() {
        return getComponent().getMsrpSessions() instanceof NettyMsrpSessions msrp ? msrp.unboundConnections() : 0;
    }

    @ManagedAttribute(description = "Accepted MSRP connections closed at once so far: msrpMaxUnboundConnections were "
                                    + "open")
    public long getMsrpUnboundConnectionsRefused() {
        return getComponent().getMsrpSessions() instanceof NettyMsrpSessions msrp ? msrp.unboundConnectionsRefused()
                : 0;
    }

    @ManagedAttribute(description = "Accepted MSRP connections closed so far: more than msrpUnboundMaxBytes octets "
                                    + "before they bound")
    public long getMsrpUnboundConnectionsOverBytes() {
        return getComponent().getMsrpSessions() instanceof NettyMsrpSessions msrp ? msrp.unboundConnectionsOverBytes()
                : 0;
    }

    /** The counters a push session of this endpoint increments, step by step. */
    PushCounters pushCounters() {
        return pushCounters;
    }

    void countRequestAnswered() {
        requestsAnswered.incrementAndGet();
    }

    void countRequestRejected() {
        requestsRejected.incrementAndGet();
    }

    /** Counts one more request refused for its source and returns how many so far. */
    long countRequestForbidden() {
        return requestsForbidden.incrementAndGet();
    }

    /** Counts one more request refused for overload and returns how many so far. */
    long countRequestOverloaded() {
        return requestsOverloaded.incrementAndGet();
    }
}
