package org.imdp.sipmsrp;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.Endpoint;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedResource;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.imdp.sipmsrp.msrp.MsrpException;
import org.imdp.sipmsrp.msrp.MsrpSessions;
import org.imdp.sipmsrp.msrp.MsrpSessionsConfig;
import org.imdp.sipmsrp.msrp.MsrpTls;
import org.imdp.sipmsrp.msrp.NettyMsrpSessions;
import org.imdp.sipmsrp.push.PushSession;
import org.imdp.sipmsrp.sip.SipAgent;
import org.imdp.sipmsrp.sip.SipTls;
import org.imdp.sipmsrp.sip.SipTraffic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIP/MSRP component of the IM Server's deferred messaging: {@code sipmsrp:message} and {@code sipmsrp:register}
 * consume incoming SIP requests, {@code sipmsrp:push} delivers stored messages in an INVITE/MSRP/BYE session.
 * The component owns the shared resources: one SIP stack per listening address, started with its first endpoint
 * and stopped with its last, the MSRP transport, and the push sessions that are up: when the CamelContext starts to
 * stop, each of them takes no further message and ends with what it decided, so that its route settles and ends it
 * within the shutdown instead of the shutdown abandoning it.
 */
@Component("sipmsrp")
@ManagedResource(description = "SIP/MSRP component: what its SIP stacks received and answered, its push sessions")
public class SipMsrpComponent extends DefaultComponent {

    private static final Logger LOG = LoggerFactory.getLogger(SipMsrpComponent.class);
    private static final AtomicInteger STACK_SEQUENCE = new AtomicInteger();

    @Metadata(description = "The options every endpoint starts from (each endpoint gets a copy)")
    private SipMsrpConfiguration configuration = new SipMsrpConfiguration();
    @Metadata(label = "advanced", autowired = true,
              description = "The MSRP transport to use. When none is set or bound in the registry, the component"
                            + " creates one from its msrp options and stops it with itself.")
    private MsrpSessions msrpSessions;

    private final Map<String, SharedAgent> agents = new HashMap<>();
    private final SipTraffic sipTraffic = new SipTraffic();
    /** Push sessions from their start until their BYE (or their failure). */
    private final Set<PushSession> pushes = ConcurrentHashMap.newKeySet();
    private final EventNotifierSupport stopping = new EventNotifierSupport() {
        @Override
        public boolean isEnabled(CamelEvent event) {
            return event instanceof CamelEvent.CamelContextStoppingEvent;
        }

        @Override
        public void notify(CamelEvent event) {
            if (!pushes.isEmpty()) {
                LOG.info("Stopping: {} push session(s) end after what they decided", pushes.size());
                pushes.forEach(PushSession::stop);
            }
        }
    };
    private NettyMsrpSessions ownedMsrpSessions;
    private ExecutorService msrpExecutor;

    /** A stack and the number of endpoint services using it. */
    private static final class SharedAgent {
        final SipAgent agent;
        int users;

        SharedAgent(SipAgent agent) {
            this.agent = agent;
        }
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        SipMsrpEndpoint endpoint = new SipMsrpEndpoint(uri, this, SipMsrpKind.fromUri(remaining), configuration.copy());
        setProperties(endpoint, parameters);
        endpoint.getConfiguration().validate();
        return endpoint;
    }

    public SipMsrpConfiguration getConfiguration() {
        return configuration;
    }

    /** The options every endpoint starts from (each endpoint gets a copy). */
    public void setConfiguration(SipMsrpConfiguration configuration) {
        this.configuration = configuration;
    }

    public MsrpSessions getMsrpSessions() {
        return msrpSessions;
    }

    /**
     * The MSRP transport to use. When none is set or bound in the registry, the component creates one from its
     * msrp options and stops it with itself.
     */
    public void setMsrpSessions(MsrpSessions msrpSessions) {
        this.msrpSessions = msrpSessions;
    }

    /** The stack listening where {@code config} says, started on first use. */
    synchronized SipAgent acquireAgent(SipMsrpConfiguration config) throws Exception {
        SharedAgent shared = agents.get(config.stackKey());
        if (shared == null) {
            SipAgent agent = new SipAgent("imdp-sip-" + STACK_SEQUENCE.incrementAndGet(), config.getHost(),
                    config.getPort(), config.transportList(), config.tcpLimits(), sipTls(config), sipTraffic);
            try {
                agent.start();
            } catch (Exception e) {
                throw new SipMsrpListenException(SipMsrpListenException.Listener.SIP, config.getHost(), config.getPort(), e);
            }
            shared = new SharedAgent(agent);
            agents.put(config.stackKey(), shared);
        }
        shared.users++;
        return shared.agent;
    }

    /** What the component's SIP stacks received and answered, counted once for all its endpoints. */
    public SipTraffic sipTraffic() {
        return sipTraffic;
    }

    @ManagedAttribute(description = "SIP requests received by the component's stacks, by method")
    public String getRequestsReceivedByMethod() {
        return sipTraffic.requestsReceived().counts().toString();
    }

    @ManagedAttribute(description = "SIP responses sent by the component's stacks, by method and status code")
    public String getResponsesSentByCode() {
        return sipTraffic.responsesSent().counts().toString();
    }

    @ManagedAttribute(description = "SIP responses received to the component's requests, by method and status code")
    public String getResponsesReceivedByCode() {
        return sipTraffic.responsesReceived().counts().toString();
    }

    @ManagedAttribute(description = "Push sessions running now: from their INVITE until their BYE (or their failure)")
    public int getActivePushSessions() {
        return pushes.size();
    }

    void pushStarted(PushSession session) {
        pushes.add(session);
    }

    /** The session failed, or ended without a BYE of ours to come. */
    void pushEnded(PushSession session) {
        pushes.remove(session);
    }

    /**
     * Ends the push session {@code callId} with its BYE, once.
     *
     * @return when the BYE went out, or {@code null} when none did now (no such session waits for it)
     */
    Instant bye(String callId) {
        for (PushSession session : pushes) {
            if (callId.equals(session.callId())) {
                pushes.remove(session);
                return session.bye();
            }
        }
        return null;
    }

    /** Ends the session with its BYE unless that already happened (the exchange completes without sipmsrp:bye). */
    void byeIfPending(PushSession session) {
        if (pushes.remove(session)) {
            session.bye();
        }
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        ServiceHelper.startService(stopping);
        getCamelContext().getManagementStrategy().addEventNotifier(stopping);
    }

    /** The stack of these options while someone holds it, else {@code null}. */
    synchronized SipAgent runningAgent(SipMsrpConfiguration config) {
        SharedAgent shared = agents.get(config.stackKey());
        return shared == null ? null : shared.agent;
    }

    /** Stops the stack when its last user releases it. */
    synchronized void releaseAgent(SipMsrpConfiguration config) {
        SharedAgent shared = agents.get(config.stackKey());
        if (shared != null && --shared.users == 0) {
            agents.remove(config.stackKey());
            shared.agent.stop();
        }
    }

    /**
     * The MSRP transport for push producers: the one set or autowired, else one created now from the component's
     * msrp options and owned (stopped) by the component.
     */
    synchronized MsrpSessions msrpSessions() {
        if (msrpSessions == null) {
            msrpExecutor = getCamelContext().getExecutorServiceManager().newDefaultThreadPool(this, "SipMsrpMsrp");
            MsrpSessionsConfig msrpConfig = MsrpSessionsConfig
                    .of(configuration.getMsrpHost(), configuration.getMsrpPort())
                    .withConnectTimeout(Duration.ofMillis(configuration.getMsrpConnectTimeout()))
                    .withTransactionTimeout(Duration.ofMillis(configuration.getMsrpTransactionTimeout()))
                    .withChunkSize(configuration.getMsrpChunkSize())
                    .withWindow(configuration.getMsrpWindow())
                    .withSuccessReport(configuration.isMsrpSuccessReport())
                    .withUnboundLimits(configuration.getMsrpMaxUnboundConnections(),
                            configuration.getMsrpUnboundMaxBytes());
            NettyMsrpSessions created = new NettyMsrpSessions(msrpConfig, msrpExecutor, msrpTls());
            try {
                created.start();
            } catch (MsrpException e) {
                throw new SipMsrpListenException(SipMsrpListenException.Listener.MSRP, configuration.getMsrpHost(),
                        configuration.getMsrpPort(), e);
            }
            ownedMsrpSessions = created;
            msrpSessions = created;
        }
        return msrpSessions;
    }

    /** The TLS of msrps sessions when msrpTls is set, else null. */
    private MsrpTls msrpTls() {
        if (!configuration.isMsrpTls()) {
            return null;
        }
        SSLContextParameters keys = tlsKeys(configuration, "msrpTls");
        boolean clientAuthRequired = keys.getServerParameters() != null
                && "REQUIRE".equals(keys.getServerParameters().getClientAuthentication());
        try {
            return MsrpTls.of(keys.createSSLContext(getCamelContext()), clientAuthRequired);
        } catch (GeneralSecurityException | IOException e) {
            throw new RuntimeCamelException("Cannot load the TLS key or trust store: " + e.getMessage(), e);
        }
    }

    /** The TLS listening point of {@code config} when it has a tlsPort, else null. */
    private SipTls sipTls(SipMsrpConfiguration config) {
        return config.getTlsPort() == 0 ? null : SipTls.from(config.getTlsPort(), tlsKeys(config, "tlsPort"));
    }

    /** The configuration's sslContextParameters, else the CamelContext's global ones (the service's imdp.tls.*). */
    private SSLContextParameters tlsKeys(SipMsrpConfiguration config, String option) {
        SSLContextParameters keys = config.getSslContextParameters() != null ? config.getSslContextParameters()
                : getCamelContext().getSSLContextParameters();
        if (keys == null) {
            throw new IllegalArgumentException(option + " needs sslContextParameters or the global TLS parameters (imdp.tls.*)");
        }
        return keys;
    }

    @Override
    protected synchronized void doStop() throws Exception {
        getCamelContext().getManagementStrategy().removeEventNotifier(stopping);
        ServiceHelper.stopService(stopping);
        pushes.forEach(this::byeIfPending);
        for (SharedAgent shared : agents.values()) {
            LOG.debug("stopping SIP stack still held by {} endpoint service(s)", shared.users);
            shared.agent.stop();
        }
        agents.clear();
        if (ownedMsrpSessions != null) {
            ownedMsrpSessions.stop();
            msrpSessions = null;
            ownedMsrpSessions = null;
            getCamelContext().getExecutorServiceManager().shutdown(msrpExecutor);
            msrpExecutor = null;
        }
        super.doStop();
    }
}
