package org.imdp.sipmsrp.sip;

import java.util.Properties;

import javax.net.ssl.SSLContext;

/**
 * JAIN-SIP (NIST RI) stack properties of one listening address. Each key has a constant with what it is
 * for, so the stack's behaviour is read in one place.
 */
public final class SipStackProperties extends Properties {

    /** Name of the stack; must be unique per JVM for the RI to keep stacks apart. */
    public static final String STACK_NAME = "javax.sip.STACK_NAME";
    /** Class implementing {@code gov.nist.core.StackLogger}: we send the stack's own log to SLF4J. */
    public static final String STACK_LOGGER = "gov.nist.javax.sip.STACK_LOGGER";
    /** Class implementing {@code gov.nist.core.ServerLogger}: message traces, to SLF4J as well. */
    public static final String SERVER_LOGGER = "gov.nist.javax.sip.SERVER_LOGGER";
    /** Verbosity the stack asks its logger for; the SLF4J level decides what is printed. */
    public static final String TRACE_LEVEL = "gov.nist.javax.sip.TRACE_LEVEL";
    /** Deliver events concurrently: one slow handler must not hold back every other request. */
    public static final String REENTRANT_LISTENER = "gov.nist.javax.sip.REENTRANT_LISTENER";
    /** Keep outgoing TCP connections for reuse (a client's contact is reached several times per push). */
    public static final String CACHE_CLIENT_CONNECTIONS = "gov.nist.javax.sip.CACHE_CLIENT_CONNECTIONS";
    /**
     * Largest SIP message the stack reads, in octets: over TCP the {@link SipStreamFramer} closes the connection
     * above it; UDP datagrams are read into a buffer of this size, at most 65535.
     */
    public static final String MAX_MESSAGE_SIZE = "gov.nist.javax.sip.MAX_MESSAGE_SIZE";
    /**
     * The transports' factory: {@link BoundedNioMessageProcessorFactory}, the RI's NIO (one selector thread for every
     * TCP connection; the default OIO keeps two threads per connection) with the TCP limits enforced.
     */
    public static final String MESSAGE_PROCESSOR_FACTORY = "gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY";
    /** Accepted TCP connections at most: enforced by {@link BoundedNioMessageProcessorFactory} (the RI's NIO does not). */
    public static final String MAX_CONNECTIONS = "gov.nist.javax.sip.MAX_CONNECTIONS";
    /**
     * Milliseconds a NIO TCP connection is kept without an octet read or written; the RI's own auditor looks every
     * that many milliseconds, so it closes such a connection between once and twice this time.
     */
    public static final String NIO_MAX_SOCKET_IDLE_TIME = "gov.nist.javax.sip.NIO_MAX_SOCKET_IDLE_TIME";
    /** Parser factory: ours logs every rejected malformed message (see {@link LoggingMessageParserFactory}). */
    public static final String MESSAGE_PARSER_FACTORY = "gov.nist.javax.sip.MESSAGE_PARSER_FACTORY";
    /** Size of the stack's worker pool for processing incoming messages. */
    public static final String THREAD_POOL_SIZE = "gov.nist.javax.sip.THREAD_POOL_SIZE";

    /** Key store of the TLS listening point (a file); without it the RI has no TLS network layer of its own. */
    public static final String KEY_STORE = "javax.net.ssl.keyStore";
    public static final String KEY_STORE_PASSWORD = "javax.net.ssl.keyStorePassword";
    public static final String KEY_STORE_TYPE = "javax.net.ssl.keyStoreType";
    /** Trust store for client certificates; the RI uses the key store when it is absent. */
    public static final String TRUST_STORE = "javax.net.ssl.trustStore";
    public static final String TRUST_STORE_PASSWORD = "javax.net.ssl.trustStorePassword";
    public static final String TRUST_STORE_TYPE = "javax.net.ssl.trustStoreType";
    /** Enabled: a TLS client must show a trusted certificate; Disabled: none is asked for. */
    public static final String TLS_CLIENT_AUTH_TYPE = "gov.nist.javax.sip.TLS_CLIENT_AUTH_TYPE";
    /**
     * TLS protocol versions, of the listening socket too despite the name. The RI's default allows TLS 1.0 and 1.1
     * and stops at 1.2.
     */
    public static final String TLS_PROTOCOLS = "gov.nist.javax.sip.TLS_CLIENT_PROTOCOLS";
    /**
     * Cipher suites of every TLS socket. The RI's default is RFC 3261's 2002 list, with anonymous (unauthenticated)
     * Diffie-Hellman suites: replaced by the JVM's default suites.
     */
    public static final String TLS_CIPHER_SUITES = "gov.nist.javax.sip.ENABLED_CIPHER_SUITES";
    /**
     * How long a TLS handshake may take, in milliseconds (the RI's documentation says seconds, its timer takes
     * milliseconds): a client that connects and says nothing does not hold a thread for ever.
     */
    public static final String TLS_HANDSHAKE_TIMEOUT = "gov.nist.javax.sip.SSL_HANDSHAKE_TIMEOUT";
    /** The check run after the handshake of each outgoing TLS connection: {@link SipTlsServerNames}. */
    public static final String TLS_SECURITY_POLICY = "gov.nist.javax.sip.TLS_SECURITY_POLICY";

    private static final long serialVersionUID = 1L;

    /**
     * @param stackName unique stack name
     * @param tcp       the limits of the TCP listening point
     */
    public SipStackProperties(String stackName, SipTcpLimits tcp) {
        setProperty(STACK_NAME, stackName);
        setProperty(STACK_LOGGER, Slf4jStackLogger.class.getName());
        setProperty(SERVER_LOGGER, Slf4jServerLogger.class.getName());
        // 32 = DEBUG: the stack only builds its log lines when asked, SLF4J filters them
        setProperty(TRACE_LEVEL, "32");
        setProperty(REENTRANT_LISTENER, "true");
        setProperty(CACHE_CLIENT_CONNECTIONS, "true");
        setProperty(MAX_MESSAGE_SIZE, Integer.toString(tcp.maxMessageSize()));
        setProperty(MESSAGE_PROCESSOR_FACTORY, BoundedNioMessageProcessorFactory.class.getName());
        setProperty(MAX_CONNECTIONS, Integer.toString(tcp.maxConnections()));
        setProperty(NIO_MAX_SOCKET_IDLE_TIME, Long.toString(tcp.idleTimeout().toMillis()));
        setProperty(MESSAGE_PARSER_FACTORY, LoggingMessageParserFactory.class.getName());
        setProperty(THREAD_POOL_SIZE, "8");
    }

    /** The TLS listening point's stores and policy: every TLS stack property is set here. */
    public SipStackProperties tls(SipTls tls) {
        setProperty(KEY_STORE, tls.keyStore());
        setProperty(KEY_STORE_PASSWORD, tls.keyStorePassword() == null ? "" : tls.keyStorePassword());
        setProperty(KEY_STORE_TYPE, tls.keyStoreType() == null ? "PKCS12" : tls.keyStoreType());
        if (tls.trustStore() != null) {
            setProperty(TRUST_STORE, tls.trustStore());
            setProperty(TRUST_STORE_PASSWORD, tls.trustStorePassword() == null ? "" : tls.trustStorePassword());
            setProperty(TRUST_STORE_TYPE, tls.trustStoreType() == null ? "PKCS12" : tls.trustStoreType());
        }
        setProperty(TLS_CLIENT_AUTH_TYPE, tls.clientAuthRequired() ? "Enabled" : "Disabled");
        setProperty(TLS_SECURITY_POLICY, SipTlsServerNames.class.getName());
        setProperty(TLS_PROTOCOLS, "TLSv1.3,TLSv1.2");
        try {
            setProperty(TLS_CIPHER_SUITES, String.join(",", SSLContext.getDefault().getDefaultSSLParameters().getCipherSuites()));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("The JVM has no default TLS context", e);
        }
        setProperty(TLS_HANDSHAKE_TIMEOUT, "10000");
        return this;
    }
}
