package org.imdp.ch1;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.apache.camel.Endpoint;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.imdp.ch1.peer.PeerGroup;
import org.imdp.ch1.peer.PeerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code ch1} component. Owns the Netty event loop and the peer connections: endpoints with the
 * same name and Diameter settings share one {@link PeerGroup}, reference-counted by their producers.
 */
@Component("ch1")
public class Ch1Component extends DefaultComponent {

    private static final Logger LOG = LoggerFactory.getLogger(Ch1Component.class);

    @Metadata(description = "To use the Ch1Configuration as the default for the endpoints")
    private Ch1Configuration configuration = new Ch1Configuration();
    @Metadata(label = "advanced", defaultValue = "1", description = "Netty I/O threads for all CH-1 connections")
    private int ioThreads = 1;

    private final Map<String, SharedGroup> groups = new HashMap<>();
    private EventLoopGroup eventLoopGroup;
    private ExecutorService callbackExecutor;

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        Ch1Configuration config = configuration.copy();
        Ch1Endpoint endpoint = new Ch1Endpoint(uri, this, config);
        endpoint.setName(remaining);
        setProperties(endpoint, parameters);
        if (config.isTls() && config.getSslContextParameters() == null) {
            SSLContextParameters global = getCamelContext().getSSLContextParameters();
            config.setSslContextParameters(global != null ? global : new SSLContextParameters());
        }
        config.validate();
        return endpoint;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        eventLoopGroup = new NioEventLoopGroup(ioThreads, new DefaultThreadFactory("Ch1IO", true));
        // answers complete on the event loop; routing continues on these threads, never on Netty's
        callbackExecutor = getCamelContext().getExecutorServiceManager().newDefaultThreadPool(this, "Ch1Callback");
    }

    @Override
    protected void doStop() throws Exception {
        synchronized (groups) {
            for (SharedGroup shared : groups.values()) {
                stopQuietly(shared.group, shared.disconnectTimeout);
            }
            groups.clear();
        }
        if (callbackExecutor != null) {
            getCamelContext().getExecutorServiceManager().shutdownGraceful(callbackExecutor);
            callbackExecutor = null;
        }
        if (eventLoopGroup != null) {
            eventLoopGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            eventLoopGroup = null;
        }
        super.doStop();
    }

    ExecutorService callbackExecutor() {
        return callbackExecutor;
    }

    PeerGroup acquirePeerGroup(String name, Ch1Configuration config) throws UnknownHostException {
        String key = key(name, config);
        synchronized (groups) {
            SharedGroup shared = groups.get(key);
            if (shared == null) {
                PeerGroup group = new PeerGroup(settings(config), eventLoopGroup.next(), NioSocketChannel.class);
                shared = new SharedGroup(group, Duration.ofMillis(config.getDisconnectTimeout()));
                groups.put(key, shared);
                LOG.info("CH-1 {}: connecting to {} as {}", name, config.getPeers(), config.getOriginHost());
                group.start();
            }
            shared.references++;
            return shared.group;
        }
    }

    void releasePeerGroup(String name, Ch1Configuration config) {
        String key = key(name, config);
        synchronized (groups) {
            SharedGroup shared = groups.get(key);
            if (shared != null && --shared.references == 0) {
                groups.remove(key);
                stopQuietly(shared.group, shared.disconnectTimeout);
            }
        }
    }

    /** host:port of the peers whose connection is OPEN now, for the group of this endpoint name and configuration. */
    List<String> openPeers(String name, Ch1Configuration config) throws Exception {
        PeerGroup group = group(name, config);
        return group == null ? List.of() : group.openPeers().get(5, TimeUnit.SECONDS);
    }

    /** Every peer's state now, for the group of this endpoint name and configuration; empty while no producer uses it. */
    List<PeerGroup.PeerStatus> peerStatus(String name, Ch1Configuration config) throws Exception {
        PeerGroup group = group(name, config);
        return group == null ? List.of() : group.peerStatus().get(5, TimeUnit.SECONDS);
    }

    private PeerGroup group(String name, Ch1Configuration config) {
        synchronized (groups) {
            SharedGroup shared = groups.get(key(name, config));
            return shared == null ? null : shared.group;
        }
    }

    private static void stopQuietly(PeerGroup group, Duration disconnectTimeout) {
        try {
            group.stop().get(disconnectTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warn("CH-1: peers did not disconnect cleanly: {}", e.toString());
        }
    }

    private static String key(String name, Ch1Configuration c) {
        return String.join("|", name, c.getPeers(), c.getOriginHost(), c.getOriginRealm(), String.valueOf(c.getHostIpAddress()),
                c.getProductName(), String.valueOf(c.getVendorId()), String.valueOf(c.getFirmwareRevision()),
                String.valueOf(c.getRequestTimeout()), String.valueOf(c.getConnectTimeout()), String.valueOf(c.getWatchdogInterval()),
                String.valueOf(c.getReconnectDelayMin()), String.valueOf(c.getReconnectDelayMax()),
                String.valueOf(c.getDisconnectTimeout()), String.valueOf(c.getMaxFrameSize()), String.valueOf(c.isTls()),
                String.valueOf(System.identityHashCode(c.getSslContextParameters())));
    }

    private PeerSettings settings(Ch1Configuration c) throws UnknownHostException {
        InetAddress hostIp = c.getHostIpAddress() == null || c.getHostIpAddress().isBlank() ? null
                : InetAddress.getByName(c.getHostIpAddress());
        return new PeerSettings(c.peerAddresses(), c.getOriginHost(), c.getOriginRealm(), hostIp, c.getVendorId(),
                c.getProductName(), c.getFirmwareRevision(), Duration.ofMillis(c.getRequestTimeout()),
                Duration.ofMillis(c.getConnectTimeout()), Duration.ofMillis(c.getWatchdogInterval()),
                Duration.ofMillis(c.getReconnectDelayMin()), Duration.ofMillis(c.getReconnectDelayMax()),
                Duration.ofMillis(c.getDisconnectTimeout()), c.getMaxFrameSize(),
                c.isTls() ? tlsClient(c.getSslContextParameters()) : null);
    }

    /** Our side of Diameter over TLS: our certificate (for a peer that asks for it) and the CAs we trust. */
    private SslContext tlsClient(SSLContextParameters keys) {
        try {
            return new JdkSslContext(keys.createSSLContext(getCamelContext()), true, ClientAuth.NONE);
        } catch (GeneralSecurityException | IOException e) {
            throw new RuntimeCamelException("Cannot load the TLS key or trust store: " + e.getMessage(), e);
        }
    }

    public Ch1Configuration getConfiguration() {
        return configuration;
    }

    /** To use the Ch1Configuration as the default for the endpoints. */
    public void setConfiguration(Ch1Configuration configuration) {
        this.configuration = configuration;
    }

    public int getIoThreads() {
        return ioThreads;
    }

    /** Netty I/O threads for all CH-1 connections. */
    public void setIoThreads(int ioThreads) {
        this.ioThreads = ioThreads;
    }

    private static final class SharedGroup {
        final PeerGroup group;
        final Duration disconnectTimeout;
        int references;

        SharedGroup(PeerGroup group, Duration disconnectTimeout) {
            this.group = group;
            this.disconnectTimeout = disconnectTimeout;
        }
    }
}
