package org.imdp.ch1;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.Configurer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.imdp.ch1.codec.Diameter;

/** Options of a {@code ch1} endpoint: the Diameter peers, our identities, the timers and the ACR contents. */
@UriParams
@Configurer
public class Ch1Configuration implements Cloneable {

    @UriParam(defaultValue = "127.0.0.1:3868")
    @Metadata(required = true)
    private String peers = "127.0.0.1:3868";
    @UriParam(defaultValue = "im-deferred.localdomain")
    @Metadata(required = true)
    private String originHost = "im-deferred.localdomain";
    @UriParam(defaultValue = "localdomain")
    @Metadata(required = true)
    private String originRealm = "localdomain";
    @UriParam(defaultValue = "localdomain")
    @Metadata(required = true)
    private String destinationRealm = "localdomain";
    @UriParam
    private String destinationHost;
    @UriParam(defaultValue = "32260@3gpp.org")
    private String serviceContextId = "32260@3gpp.org";
    @UriParam(defaultValue = "1", enums = "0,1")
    private int roleOfNode = Diameter.ROLE_OF_NODE_TERMINATING;
    @UriParam(defaultValue = "5000", javaType = "java.time.Duration")
    private long requestTimeout = 5000;
    @UriParam(label = "advanced", defaultValue = "5000", javaType = "java.time.Duration")
    private long connectTimeout = 5000;
    @UriParam(label = "advanced", defaultValue = "30000", javaType = "java.time.Duration")
    private long watchdogInterval = 30000;
    @UriParam(label = "advanced", defaultValue = "1000", javaType = "java.time.Duration")
    private long reconnectDelayMin = 1000;
    @UriParam(label = "advanced", defaultValue = "30000", javaType = "java.time.Duration")
    private long reconnectDelayMax = 30000;
    @UriParam(label = "advanced", defaultValue = "2000", javaType = "java.time.Duration")
    private long disconnectTimeout = 2000;
    @UriParam(label = "advanced")
    private String hostIpAddress;
    @UriParam(label = "advanced", defaultValue = "im-deferred-push")
    private String productName = "im-deferred-push";
    @UriParam(label = "advanced", defaultValue = "0")
    private long vendorId;
    @UriParam(label = "advanced")
    private Long firmwareRevision;
    @UriParam(label = "advanced", defaultValue = "65536")
    private int maxFrameSize = 65536;
    @UriParam(label = "security", defaultValue = "false")
    private boolean tls;
    @UriParam(label = "security")
    private SSLContextParameters sslContextParameters;

    public String getPeers() {
        return peers;
    }

    /**
     * The Charging Enabler's Diameter peers as host:port,host:port. The first is the primary;
     * the others take over when it is down (RFC 3539 failover).
     */
    public void setPeers(String peers) {
        this.peers = peers;
    }

    public String getOriginHost() {
        return originHost;
    }

    /** Our Origin-Host (DiameterIdentity, an FQDN); also the first part of every Session-Id. */
    public void setOriginHost(String originHost) {
        this.originHost = originHost;
    }

    public String getOriginRealm() {
        return originRealm;
    }

    /** Our Origin-Realm. */
    public void setOriginRealm(String originRealm) {
        this.originRealm = originRealm;
    }

    public String getDestinationRealm() {
        return destinationRealm;
    }

    /** Destination-Realm of the ACR: the Charging Enabler's realm. */
    public void setDestinationRealm(String destinationRealm) {
        this.destinationRealm = destinationRealm;
    }

    public String getDestinationHost() {
        return destinationHost;
    }

    /** Destination-Host of the ACR; empty = not sent, any server of the realm may answer. */
    public void setDestinationHost(String destinationHost) {
        this.destinationHost = destinationHost;
    }

    public String getServiceContextId() {
        return serviceContextId;
    }

    /**
     * Service-Context-Id of the ACR, [[ext.]MNC.MCC.][Release.]service-context@domain. The
     * default names IMS charging (3GPP TS 32.260); set the value the Charging Enabler expects.
     */
    public void setServiceContextId(String serviceContextId) {
        this.serviceContextId = serviceContextId;
    }

    public int getRoleOfNode() {
        return roleOfNode;
    }

    /** Role-Of-Node in IMS-Information: 0 ORIGINATING_ROLE, 1 TERMINATING_ROLE (the push serves the recipient). */
    public void setRoleOfNode(int roleOfNode) {
        this.roleOfNode = roleOfNode;
    }

    public long getRequestTimeout() {
        return requestTimeout;
    }

    /** How long to wait for the ACA (and for a peer to open) before the event is failed for a later retry. */
    public void setRequestTimeout(long requestTimeout) {
        this.requestTimeout = requestTimeout;
    }

    public long getConnectTimeout() {
        return connectTimeout;
    }

    /** TCP connect timeout towards a peer. */
    public void setConnectTimeout(long connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public long getWatchdogInterval() {
        return watchdogInterval;
    }

    /** Tw of RFC 3539: a DWR is sent after this long without traffic, and the connection is failed over after twice this long. */
    public void setWatchdogInterval(long watchdogInterval) {
        this.watchdogInterval = watchdogInterval;
    }

    public long getReconnectDelayMin() {
        return reconnectDelayMin;
    }

    /** First delay before reconnecting to a peer; it doubles on every failed attempt. */
    public void setReconnectDelayMin(long reconnectDelayMin) {
        this.reconnectDelayMin = reconnectDelayMin;
    }

    public long getReconnectDelayMax() {
        return reconnectDelayMax;
    }

    /** Upper bound of the reconnect delay. */
    public void setReconnectDelayMax(long reconnectDelayMax) {
        this.reconnectDelayMax = reconnectDelayMax;
    }

    public long getDisconnectTimeout() {
        return disconnectTimeout;
    }

    /** How long to wait for the DPA on shutdown before closing the connection anyway. */
    public void setDisconnectTimeout(long disconnectTimeout) {
        this.disconnectTimeout = disconnectTimeout;
    }

    public String getHostIpAddress() {
        return hostIpAddress;
    }

    /** Host-IP-Address of the CER; empty = the local address of the connection. */
    public void setHostIpAddress(String hostIpAddress) {
        this.hostIpAddress = hostIpAddress;
    }

    public String getProductName() {
        return productName;
    }

    /** Product-Name of the CER. */
    public void setProductName(String productName) {
        this.productName = productName;
    }

    public long getVendorId() {
        return vendorId;
    }

    /** Vendor-Id of the CER: our IANA enterprise number, 0 when there is none. */
    public void setVendorId(long vendorId) {
        this.vendorId = vendorId;
    }

    public Long getFirmwareRevision() {
        return firmwareRevision;
    }

    /** Firmware-Revision of the CER; empty = not sent. */
    public void setFirmwareRevision(Long firmwareRevision) {
        this.firmwareRevision = firmwareRevision;
    }

    public int getMaxFrameSize() {
        return maxFrameSize;
    }

    /** Largest Diameter message accepted from a peer; a longer one resets the connection. */
    public void setMaxFrameSize(int maxFrameSize) {
        this.maxFrameSize = maxFrameSize;
    }

    public boolean isTls() {
        return tls;
    }

    /**
     * TLS from connect (RFC 6733 §13: a TLS handshake before the CER, on the peers' secure port, 5658 by IANA), to
     * every peer. The peer's certificate must come from a CA of the trust store and name the host given in peers
     * (subjectAltName DNS or IP); our certificate is shown when the peer asks for it (freeDiameter does). The keys
     * come from sslContextParameters, else from the CamelContext's global TLS parameters (the service sets them from
     * imdp.tls.*), else the JVM's defaults. false = plain TCP (RFC 6733 then expects IPsec underneath).
     */
    public void setTls(boolean tls) {
        this.tls = tls;
    }

    public SSLContextParameters getSslContextParameters() {
        return sslContextParameters;
    }

    /** Key and trust stores for tls=true; empty = the CamelContext's global TLS parameters. */
    public void setSslContextParameters(SSLContextParameters sslContextParameters) {
        this.sslContextParameters = sslContextParameters;
    }

    /** The peers as unresolved addresses, in order of preference. */
    public List<InetSocketAddress> peerAddresses() {
        List<InetSocketAddress> result = new ArrayList<>();
        for (String part : peers.split(",")) {
            String peer = part.trim();
            int colon = peer.lastIndexOf(':');
            if (peer.isEmpty() || colon <= 0 || colon == peer.length() - 1) {
                throw new IllegalArgumentException("peers: '" + peer + "' is not host:port");
            }
            String host = peer.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            result.add(InetSocketAddress.createUnresolved(host, Integer.parseInt(peer.substring(colon + 1))));
        }
        return result;
    }

    public void validate() {
        peerAddresses();
        if (originHost == null || originHost.isBlank() || originRealm == null || originRealm.isBlank()
                || destinationRealm == null || destinationRealm.isBlank()) {
            throw new IllegalArgumentException("originHost, originRealm and destinationRealm are required");
        }
        if (reconnectDelayMin <= 0 || reconnectDelayMax < reconnectDelayMin) {
            throw new IllegalArgumentException("need 0 < reconnectDelayMin <= reconnectDelayMax");
        }
        if (requestTimeout <= 0 || watchdogInterval <= 0) {
            throw new IllegalArgumentException("requestTimeout and watchdogInterval must be positive");
        }
    }

    public Ch1Configuration copy() {
        try {
            return (Ch1Configuration) clone();
        } catch (CloneNotSupportedException e) {
            throw new RuntimeCamelException(e);
        }
    }
}
