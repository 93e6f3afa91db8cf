package org.imdp.sipmsrp.sip;

import java.util.Properties;

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
}
