package org.imdp.sipmsrp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.Configurer;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.imdp.sipmsrp.sip.SipTcpLimits;
import org.imdp.sipmsrp.sip.TrustedNodes;

/**
 * Options of the {@code sipmsrp} component. The component holds one instance (set with
 * {@code camel.component.sipmsrp.<option>}); each endpoint gets a copy it may override in its URI.
 */
@UriParams
@Configurer
public class SipMsrpConfiguration implements Cloneable {

    @UriParam(label = "common", defaultValue = "127.0.0.1")
    private String host = "127.0.0.1";
    @UriParam(label = "common", defaultValue = "5060")
    private int port = 5060;
    @UriParam(label = "common", defaultValue = "udp,tcp")
    private String transports = "udp,tcp";
    @UriParam(label = "common", defaultValue = "sip:im-deferred@127.0.0.1")
    private String serverUri = "sip:im-deferred@127.0.0.1";
    @UriParam(label = "producer")
    private String outboundProxy;
    @UriParam(label = "producer", defaultValue = "127.0.0.1")
    private String msrpHost = "127.0.0.1";
    @UriParam(label = "producer", defaultValue = "2855")
    private int msrpPort = 2855;
    @UriParam(label = "producer", defaultValue = "32s", javaType = "java.time.Duration")
    private long inviteTimeout = 32_000;
    @UriParam(label = "producer", defaultValue = "32s", javaType = "java.time.Duration")
    private long messageTimeout = 32_000;
    @UriParam(label = "producer", defaultValue = "10s", javaType = "java.time.Duration")
    private long msrpConnectTimeout = 10_000;
    @UriParam(label = "producer", defaultValue = "30s", javaType = "java.time.Duration")
    private long msrpTransactionTimeout = 30_000;
    @UriParam(label = "consumer", defaultValue = "65536")
    private int maxMessageSize = 65_536;
    @UriParam(label = "common,security", defaultValue = "81920")
    private int sipMaxMessageSize = 81_920;
    @UriParam(label = "common,security", defaultValue = "128")
    private int tcpMaxConnections = 128;
    @UriParam(label = "common,security", defaultValue = "60s", javaType = "java.time.Duration")
    private long tcpIdleTimeout = 60_000;
    @UriParam(label = "producer,security", defaultValue = "32")
    private int msrpMaxUnboundConnections = 32;
    @UriParam(label = "producer,security", defaultValue = "16384")
    private int msrpUnboundMaxBytes = 16_384;
    @UriParam(label = "consumer", defaultValue = "10")
    private int workers = 10;
    @UriParam(label = "consumer", defaultValue = "1000")
    private int workerQueueSize = 1000;
    @UriParam(label = "consumer", defaultValue = "5s", javaType = "java.time.Duration")
    private long overloadRetryAfter = 5_000;
    @UriParam(label = "consumer,security")
    private String trustedNodes;
    @UriParam(label = "consumer,security")
    private String registrarCredentials;
    @UriParam(label = "consumer,security")
    private String registrarRealm;
    @UriParam(label = "producer", defaultValue = "3")
    private int maxRedirects = 3;
    @UriParam(label = "producer,security", secret = true)
    private String authUsername;
    @UriParam(label = "producer,security", secret = true)
    private String authPassword;
    @UriParam(label = "producer,security")
    private String authRealm;
    @UriParam(label = "producer", defaultValue = "10240")
    private int msrpChunkSize = 10_240;
    @UriParam(label = "producer", defaultValue = "16")
    private int msrpWindow = 16;
    @UriParam(label = "producer", defaultValue = "false")
    private boolean msrpSuccessReport;
    @UriParam(label = "producer", defaultValue = "false")
    private boolean msrpCema;
    @UriParam(label = "producer,security", defaultValue = "false")
    private boolean msrpTls;
    @UriParam(label = "security")
    private SSLContextParameters sslContextParameters;
    @UriParam(label = "consumer,security", defaultValue = "0")
    private int tlsPort;

    public String getHost() {
        return host;
    }

    /** The address the SIP stack listens on (UDP and TCP), and the host of the push's Contact and Via. */
    public void setHost(String host) {
        this.host = host;
    }

    public int getPort() {
        return port;
    }

    /** The SIP port, for every transport. */
    public void setPort(int port) {
        this.port = port;
    }

    public String getTransports() {
        return transports;
    }

    /** Comma separated SIP transports to listen on: {@code udp}, {@code tcp} or both. */
    public void setTransports(String transports) {
        this.transports = transports;
    }

    public String getServerUri() {
        return serverUri;
    }

    /**
     * The IM Server's own SIP URI (its PSI): From and P-Asserted-Identity of the push INVITE; its user part is
     * used in the Contact, on {@code host:port}.
     */
    public void setServerUri(String serverUri) {
        this.serverUri = serverUri;
    }

    public String getOutboundProxy() {
        return outboundProxy;
    }

    /**
     * {@code host:port[;transport=tcp]} of a proxy (the S-CSCF) the push INVITE goes through, as a loose-route Route
     * header. When set, the Request-URI is the recipient (the proxy finds the registered contact) and in-dialog
     * requests follow the route set the proxy records. Empty: the INVITE goes straight to the contact.
     */
    public void setOutboundProxy(String outboundProxy) {
        this.outboundProxy = outboundProxy;
    }

    public String getMsrpHost() {
        return msrpHost;
    }

    /** Address of the MSRP transport the component creates: in a=path and where it listens. */
    public void setMsrpHost(String msrpHost) {
        this.msrpHost = msrpHost;
    }

    public int getMsrpPort() {
        return msrpPort;
    }

    /** Port of the MSRP transport the component creates (clients that answer a=setup:active connect to it). */
    public void setMsrpPort(int msrpPort) {
        this.msrpPort = msrpPort;
    }

    public long getInviteTimeout() {
        return inviteTimeout;
    }

    /**
     * How long to wait for the final response to a push INVITE (default 32s, SIP Timer B). Then the INVITE is
     * cancelled and the push fails with 408.
     */
    public void setInviteTimeout(long inviteTimeout) {
        this.inviteTimeout = inviteTimeout;
    }

    public long getMessageTimeout() {
        return messageTimeout;
    }

    /**
     * How long {@code sipmsrp:message} waits for the final response to a MESSAGE it sends (default 32s, SIP Timer
     * F); then the exchange fails with 408.
     */
    public void setMessageTimeout(long messageTimeout) {
        this.messageTimeout = messageTimeout;
    }

    public long getMsrpConnectTimeout() {
        return msrpConnectTimeout;
    }

    /**
     * How long to wait for the MSRP connection: our TCP connect and bind, or the client's connection when it
     * answered a=setup:active.
     */
    public void setMsrpConnectTimeout(long msrpConnectTimeout) {
        this.msrpConnectTimeout = msrpConnectTimeout;
    }

    public long getMsrpTransactionTimeout() {
        return msrpTransactionTimeout;
    }

    /** How long to wait for the MSRP response to a SEND before counting it as 408 (RFC 4975 uses 30s). */
    public void setMsrpTransactionTimeout(long msrpTransactionTimeout) {
        this.msrpTransactionTimeout = msrpTransactionTimeout;
    }

    public int getMaxMessageSize() {
        return maxMessageSize;
    }

    /**
     * Largest body of an incoming SIP MESSAGE, in octets (default 64 KiB). A larger body is answered 413 without
     * routing, when the whole message fits {@code sipMaxMessageSize}.
     */
    public void setMaxMessageSize(int maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
    }

    public int getSipMaxMessageSize() {
        return sipMaxMessageSize;
    }

    /**
     * Largest SIP message the stack reads, start line, headers and body, in octets (default 80 KiB; at least 4096;
     * keep it above {@code maxMessageSize}, so that a body a little too large still gets its 413). Over TCP a larger
     * message closes its connection as soon as its headers (and the Content-Length) say so, before any of its body is
     * kept; a UDP datagram is read into a buffer of this size (at most 65,535) and truncated. The sender gets no
     * response.
     */
    public void setSipMaxMessageSize(int sipMaxMessageSize) {
        this.sipMaxMessageSize = sipMaxMessageSize;
    }

    public int getTcpMaxConnections() {
        return tcpMaxConnections;
    }

    /**
     * SIP/TCP connections accepted and open at once (default 128); a connection over it is closed at once, before
     * anything of it is read. Each one may hold up to {@code sipMaxMessageSize} octets of a message being received.
     */
    public void setTcpMaxConnections(int tcpMaxConnections) {
        this.tcpMaxConnections = tcpMaxConnections;
    }

    public long getTcpIdleTimeout() {
        return tcpIdleTimeout;
    }

    /**
     * A SIP/TCP connection (accepted, or opened to send) with no octet read or written for this long is closed, within
     * twice this time (default 60s). A partly received message does not keep it open.
     */
    public void setTcpIdleTimeout(long tcpIdleTimeout) {
        this.tcpIdleTimeout = tcpIdleTimeout;
    }

    public int getMsrpMaxUnboundConnections() {
        return msrpMaxUnboundConnections;
    }

    /**
     * Accepted MSRP connections at once that have not yet bound to a session by their first request (default 32); one
     * over it is closed at once. Connections we open, and accepted ones once bound, do not count.
     */
    public void setMsrpMaxUnboundConnections(int msrpMaxUnboundConnections) {
        this.msrpMaxUnboundConnections = msrpMaxUnboundConnections;
    }

    public int getMsrpUnboundMaxBytes() {
        return msrpUnboundMaxBytes;
    }

    /**
     * Octets an accepted MSRP connection may send before its first request bound it to a session (default 16 KiB):
     * past them it is closed, so an unbound connection never buffers more.
     */
    public void setMsrpUnboundMaxBytes(int msrpUnboundMaxBytes) {
        this.msrpUnboundMaxBytes = msrpUnboundMaxBytes;
    }

    /** The limits of the SIP stack's TCP listening point. */
    public SipTcpLimits tcpLimits() {
        return new SipTcpLimits(tcpMaxConnections, Duration.ofMillis(tcpIdleTimeout), sipMaxMessageSize);
    }

    public int getWorkers() {
        return workers;
    }

    /**
     * Threads that route the requests of one consumer (default 10): each {@code sipmsrp:message} and
     * {@code sipmsrp:register} consumer has a pool of its own, so a flood of one method cannot hold back the other.
     * The SIP stack's threads only hand a request over; the route, and the final response, run on these.
     */
    public void setWorkers(int workers) {
        this.workers = workers;
    }

    public int getWorkerQueueSize() {
        return workerQueueSize;
    }

    /**
     * Requests that wait for a free worker of the consumer (default 1000; 0 = none wait). When the queue is full a
     * request is answered {@code 503 Service Unavailable} with {@code Retry-After} at once, on the SIP stack's
     * thread, without routing it: the stack's threads never wait for the route.
     */
    public void setWorkerQueueSize(int workerQueueSize) {
        this.workerQueueSize = workerQueueSize;
    }

    public long getOverloadRetryAfter() {
        return overloadRetryAfter;
    }

    /**
     * The {@code Retry-After} of a 503 from a consumer (default 5s; RFC 3261 section 20.33, in whole seconds, rounded
     * up): of one refused for overload, or one the route answered 503. A proxy in front takes this server out of its
     * rotation for that long, a client sends again after it.
     */
    public void setOverloadRetryAfter(long overloadRetryAfter) {
        this.overloadRetryAfter = overloadRetryAfter;
    }

    /** {@link #getOverloadRetryAfter()} in whole seconds, rounded up, as Retry-After carries it. */
    int overloadRetryAfterSeconds() {
        return (int) Math.min(Integer.MAX_VALUE, (overloadRetryAfter + 999) / 1000);
    }

    public String getTrustedNodes() {
        return trustedNodes;
    }

    /**
     * The nodes whose requests the consumer serves: a comma separated list of IPv4 and IPv6 addresses and CIDR
     * blocks (e.g. {@code 10.1.2.0/24, 2001:db8::7}), the S-CSCF and the IM Server parts that deposit messages. A
     * request from any other source address is answered {@code 403 Forbidden} before routing and counted
     * (RequestsForbidden). Empty (default): when host is a loopback address, loopback sources ({@code 127.0.0.0/8},
     * {@code ::1}); on any other address no node at all, so every request is refused until the list is set. What a
     * trusted node asserts (P-Asserted-Identity) is passed on to the route as the asserted identity.
     */
    public void setTrustedNodes(String trustedNodes) {
        this.trustedNodes = trustedNodes;
    }

    /**
     * {@link #getTrustedNodes()} as an allow-list, with the default for an empty list: the loopback networks when the
     * stack listens on a loopback address, else none.
     *
     * @throws IllegalArgumentException when an entry is not an address or CIDR block, or the host is unknown
     */
    public TrustedNodes trustedNodeList() {
        return trustedNodes(trustedNodes, host);
    }

    /**
     * The allow-list {@code list} says for a stack listening on {@code host}: the list itself, or when it is empty
     * the loopback networks if host is a loopback address, else none.
     *
     * @throws IllegalArgumentException when an entry is not an address or CIDR block, or the host is unknown
     */
    public static TrustedNodes trustedNodes(String list, String host) {
        if (list != null && !list.isBlank()) {
            return TrustedNodes.parse(list);
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress() ? TrustedNodes.LOOPBACK : TrustedNodes.NONE;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("host " + host + " is not known: " + e.getMessage(), e);
        }
    }

    public String getRegistrarCredentials() {
        return registrarCredentials;
    }

    /**
     * For IM Clients that register directly, without an S-CSCF: a file of digest credentials (Apache htdigest's
     * format, {@code username:realm:HA1}, MD5 or SHA-256 HA1) against which a REGISTER from a source that is not a
     * trusted node is authenticated (RFC 3261 section 22): without credentials it gets 401 with a challenge, with
     * wrong ones 403 (counted as RequestsForbidden), and a user may register only its own address-of-record (a
     * username {@code user@host}, or {@code user} for the To's user part). Trusted nodes are served without
     * credentials, as before; MESSAGE is served to trusted nodes only. Empty (default): no digest, strangers get 403.
     * Read when the REGISTER consumer starts.
     */
    public void setRegistrarCredentials(String registrarCredentials) {
        this.registrarCredentials = registrarCredentials;
    }

    public String getRegistrarRealm() {
        return registrarRealm;
    }

    /** The realm of registrarCredentials' challenges; every line of the file must be of it. Required with it. */
    public void setRegistrarRealm(String registrarRealm) {
        this.registrarRealm = registrarRealm;
    }

    /** Whether a REGISTER from a stranger is authenticated by digest (registrarCredentials is set). */
    public boolean hasRegistrarCredentials() {
        return registrarCredentials != null && !registrarCredentials.isBlank();
    }

    public int getMaxRedirects() {
        return maxRedirects;
    }

    /**
     * How many redirect targets (Contacts of 3xx responses to the push INVITE) are tried at most, in q order, each
     * once; 0 = a 3xx fails the push like any other final response.
     */
    public void setMaxRedirects(int maxRedirects) {
        this.maxRedirects = maxRedirects;
    }

    public String getAuthUsername() {
        return authUsername;
    }

    /**
     * User name of the digest credentials (RFC 3261 section 22) the push INVITE is re-sent with after a 401 or
     * 407, for authRealm only. Empty: a challenge fails the push.
     */
    public void setAuthUsername(String authUsername) {
        this.authUsername = authUsername;
    }

    public String getAuthPassword() {
        return authPassword;
    }

    /** Password of the digest credentials; never logged. */
    public void setAuthPassword(String authPassword) {
        this.authPassword = authPassword;
    }

    public String getAuthRealm() {
        return authRealm;
    }

    /**
     * The only realm the credentials are given to; required with authUsername. A challenge of another realm is not
     * answered (the push fails with the challenge's status, naming both realms).
     */
    public void setAuthRealm(String authRealm) {
        this.authRealm = authRealm;
    }

    /** Whether digest credentials are configured. */
    public boolean hasCredentials() {
        return authUsername != null && !authUsername.isBlank();
    }

    public int getMsrpChunkSize() {
        return msrpChunkSize;
    }

    /**
     * Largest body of one MSRP SEND chunk, in octets (default 10 KiB); a larger message goes out in several chunks,
     * up to msrpWindow of them in flight. A whole SEND frame, headers included, must fit what the next hop handles
     * in one frame: Kamailio's msrp module routes frames of at most 11,238 octets (and reads at most 16,383), so
     * 10 KiB leaves about 1,000 octets for the headers. Read once, by the component's MSRP transport.
     */
    public void setMsrpChunkSize(int msrpChunkSize) {
        this.msrpChunkSize = msrpChunkSize;
    }

    public int getMsrpWindow() {
        return msrpWindow;
    }

    /**
     * MSRP SEND chunks of one message in flight, written before their 200 OK came (default 16); each 200 lets the
     * next chunk go out, the first error stops the message. 1 is stop-and-wait. Messages are never overlapped.
     * Read once, by the component's MSRP transport.
     */
    public void setMsrpWindow(int msrpWindow) {
        this.msrpWindow = msrpWindow;
    }

    public boolean isMsrpSuccessReport() {
        return msrpSuccessReport;
    }

    /**
     * Ask for {@code Success-Report: yes} (RFC 4975 section 7.1.1) on every message SEND: a message then counts as
     * delivered only when the client's REPORT with {@code Status: 000 200} for all its octets arrives within the
     * MSRP transaction timeout, not already on the 200 OK of its last chunk. Read once, by the component's MSRP
     * transport.
     */
    public void setMsrpSuccessReport(boolean msrpSuccessReport) {
        this.msrpSuccessReport = msrpSuccessReport;
    }

    public boolean isMsrpCema() {
        return msrpCema;
    }

    /**
     * Offer {@code a=msrp-cema} (RFC 6714, required by 3GPP TS 24.247 for IMS): when the client's answer carries it
     * too, we connect to the address and port of its SDP c= and m= lines instead of the authority of its a=path URI.
     */
    public void setMsrpCema(boolean msrpCema) {
        this.msrpCema = msrpCema;
    }

    public boolean isMsrpTls() {
        return msrpTls;
    }

    /**
     * MSRP over TLS (RFC 4975 section 14): the offer's path is {@code msrps:} on {@code TCP/TLS/MSRP}, the MSRP port
     * takes TLS only, and the push connects over TLS to a client whose answered path is {@code msrps:}, checking that
     * its certificate names the host it is reached at; a client that answers with a plain {@code msrp:} path is not
     * pushed to. A client connecting to us must show a certificate when the TLS parameters require client
     * authentication. Keys from sslContextParameters, else the CamelContext's global TLS parameters. Read once, by
     * the component's MSRP transport.
     */
    public void setMsrpTls(boolean msrpTls) {
        this.msrpTls = msrpTls;
    }

    public SSLContextParameters getSslContextParameters() {
        return sslContextParameters;
    }

    public int getTlsPort() {
        return tlsPort;
    }

    /**
     * A SIP over TLS listening point on host and this port (5061 by IANA), besides the transports; 0 = none. The
     * service's certificate comes from the key store of sslContextParameters (else the CamelContext's global TLS
     * parameters), a client certificate is required when those require client authentication; TLS 1.2 or 1.3 with
     * the JVM's default cipher suites. Requests arrive over it and are answered on the same connection.
     */
    public void setTlsPort(int tlsPort) {
        this.tlsPort = tlsPort;
    }

    /** Key and trust stores for msrpTls and tlsPort; empty = the CamelContext's global TLS parameters. */
    public void setSslContextParameters(SSLContextParameters sslContextParameters) {
        this.sslContextParameters = sslContextParameters;
    }

    /** The transports as a list of lower-case names. */
    public List<String> transportList() {
        return Arrays.stream(transports.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(s -> s.toLowerCase(Locale.ROOT)).toList();
    }

    /** Key of the SIP stack this configuration listens with. */
    String stackKey() {
        return host + ":" + port + "/" + String.join(",", transportList()) + (tlsPort == 0 ? "" : ",tls:" + tlsPort);
    }

    void validate() {
        if (transportList().isEmpty() || !List.of("udp", "tcp").containsAll(transportList())) {
            throw new IllegalArgumentException("transports must be udp, tcp or both: " + transports);
        }
        if (maxRedirects < 0) {
            throw new IllegalArgumentException("maxRedirects must not be negative: " + maxRedirects);
        }
        if (hasCredentials() && (authPassword == null || authPassword.isEmpty())) {
            throw new IllegalArgumentException("authUsername is set but authPassword is empty");
        }
        if (hasCredentials() && (authRealm == null || authRealm.isBlank())) {
            throw new IllegalArgumentException("authUsername is set but authRealm is empty: the credentials would be"
                                               + " given to whichever realm challenges");
        }
        trustedNodeList();
        if (hasRegistrarCredentials() && (registrarRealm == null || registrarRealm.isBlank())) {
            throw new IllegalArgumentException("registrarCredentials is set but registrarRealm is empty");
        }
        if (maxMessageSize <= 0) {
            throw new IllegalArgumentException("maxMessageSize must be positive: " + maxMessageSize);
        }
        tcpLimits();
        if (msrpMaxUnboundConnections <= 0) {
            throw new IllegalArgumentException("msrpMaxUnboundConnections must be positive: "
                                               + msrpMaxUnboundConnections);
        }
        if (msrpUnboundMaxBytes <= 0) {
            throw new IllegalArgumentException("msrpUnboundMaxBytes must be positive: " + msrpUnboundMaxBytes);
        }
        if (workers <= 0) {
            throw new IllegalArgumentException("workers must be positive: " + workers);
        }
        if (workerQueueSize < 0) {
            throw new IllegalArgumentException("workerQueueSize must not be negative: " + workerQueueSize);
        }
        if (overloadRetryAfter <= 0) {
            throw new IllegalArgumentException("overloadRetryAfter must be positive: " + overloadRetryAfter);
        }
        if (msrpChunkSize <= 0) {
            throw new IllegalArgumentException("msrpChunkSize must be positive: " + msrpChunkSize);
        }
        if (msrpWindow <= 0) {
            throw new IllegalArgumentException("msrpWindow must be positive: " + msrpWindow);
        }
    }

    public SipMsrpConfiguration copy() {
        try {
            return (SipMsrpConfiguration) clone();
        } catch (CloneNotSupportedException e) {
            throw new RuntimeCamelException(e);
        }
    }
}
