package org.imdp.sipmsrp.sip;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.SocketChannel;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import javax.sip.ListeningPoint;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.NIOHandler;
import gov.nist.javax.sip.stack.NioMessageProcessorFactory;
import gov.nist.javax.sip.stack.NioTcpMessageChannel;
import gov.nist.javax.sip.stack.NioTcpMessageProcessor;
import gov.nist.javax.sip.stack.NioTlsMessageProcessor;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RI's NIO transports (one selector thread for every TCP connection, instead of the default OIO's two threads per
 * connection) with the limits the RI's NIO TCP does not enforce itself (1.3.0-91):
 * <ul>
 * <li><b>Connections.</b> {@link SipStackProperties#MAX_CONNECTIONS} accepted TCP connections at most (the RI reads
 * the property only in its OIO processors). A connection over it is shut down at once: the client reads the end of
 * the stream, nothing of it is read.</li>
 * <li><b>Message size before allocation.</b> Every accepted connection frames its stream with a
 * {@link SipStreamFramer} of {@link SipStackProperties#MAX_MESSAGE_SIZE}: the RI's NIO parser allocates the body from
 * the Content-Length when the headers end, before any body octet arrived and without checking it; behind the framer
 * it only sees whole messages. A connection that breaks a limit is closed.</li>
 * </ul>
 * The idle timeout is the RI's own ({@link SipStackProperties#NIO_MAX_SOCKET_IDLE_TIME}). UDP is the RI's NIO
 * transport unchanged, TLS the RI's with the outgoing connections kept ({@link CachingTlsProcessor}), without these
 * limits. Set as {@link SipStackProperties#MESSAGE_PROCESSOR_FACTORY}; the RI creates it
 * by its class name, so the limits come from the stack's properties.
 */
public final class BoundedNioMessageProcessorFactory extends NioMessageProcessorFactory {

    private static final Logger LOG = LoggerFactory.getLogger(BoundedNioMessageProcessorFactory.class);
    /** At most one WARN line per this many milliseconds for refused or closed connections, with the count since. */
    private static final long WARN_EVERY_MILLIS = 10_000;

    @Override
    public MessageProcessor createMessageProcessor(SIPTransactionStack sipStack, InetAddress ipAddress, int port,
            String transport) throws IOException {
        if (transport.equalsIgnoreCase(ListeningPoint.TLS)) {
            return new CachingTlsProcessor(ipAddress, sipStack, port);
        }
        if (!transport.equalsIgnoreCase(ListeningPoint.TCP)) {
            return super.createMessageProcessor(sipStack, ipAddress, port, transport);
        }
        Properties properties = ((SipStackImpl) sipStack).getConfigurationProperties();
        return new BoundedTcpProcessor(ipAddress, sipStack, port,
                Integer.parseInt(properties.getProperty(SipStackProperties.MAX_CONNECTIONS)),
                Integer.parseInt(properties.getProperty(SipStackProperties.MAX_MESSAGE_SIZE)));
    }

    /**
     * The RI's NIO TLS processor with the socket table that keeps the connections it opens ({@link CachingNioHandler}):
     * with the RI's own, the first request to a {@code sips:} target connected, dropped that connection from the
     * table, and the TLS handshake then went out on a second one while the first hung, so the request never arrived.
     */
    static final class CachingTlsProcessor extends NioTlsMessageProcessor {

        CachingTlsProcessor(InetAddress ipAddress, SIPTransactionStack sipStack, int port) {
            super(ipAddress, sipStack, port);
            nioHandler = new CachingNioHandler(sipStack, this);
        }
    }

    /** The NIO TCP processor of one listening point, counting its accepted connections. */
    public static final class BoundedTcpProcessor extends NioTcpMessageProcessor {

        private final int maxConnections;
        private final int maxMessageSize;
        private final AtomicInteger open = new AtomicInteger();
        private final LongAdder refused = new LongAdder();
        private final LongAdder closedOverLimit = new LongAdder();
        private final AtomicLong lastWarn = new AtomicLong();

        BoundedTcpProcessor(InetAddress ipAddress, SIPTransactionStack sipStack, int port, int maxConnections,
                int maxMessageSize) {
            super(ipAddress, sipStack, port);
            this.maxConnections = maxConnections;
            this.maxMessageSize = maxMessageSize;
            // in place of the RI's own (whose idle auditor, left scheduled, finds no connections of its own)
            nioHandler = new CachingNioHandler(sipStack, this);
        }

        /** Accepted TCP connections open now. */
        public int openConnections() {
            return open.get();
        }

        /** Connections refused so far because {@link #openConnections()} was at the limit. */
        public long refusedConnections() {
            return refused.sum();
        }

        /** Connections closed so far because their stream broke a limit of {@link SipStreamFramer}. */
        public long closedOverLimit() {
            return closedOverLimit.sum();
        }

        /** Called by the selector thread for each accepted connection. */
        @Override
        public NioTcpMessageChannel createMessageChannel(NioTcpMessageProcessor processor, SocketChannel client)
                throws IOException {
            if (open.incrementAndGet() > maxConnections) {
                open.decrementAndGet();
                refused.increment();
                warn("SIP/TCP connection from " + client.getRemoteAddress() + " refused: " + maxConnections
                     + " connections open");
                NioTcpMessageChannel channel = super.createMessageChannel(processor, client);
                // the selector thread then reads the end of the stream and closes the channel the RI's way
                client.shutdownOutput();
                client.shutdownInput();
                return channel;
            }
            try {
                BoundedChannel channel = new BoundedChannel(this, client);
                nioHandler.putMessageChannel(client, channel);
                return channel;
            } catch (IOException | RuntimeException e) {
                open.decrementAndGet();
                throw e;
            }
        }

        /** A WARN line, at most one per {@link #WARN_EVERY_MILLIS}: a flood must not flood the log too. */
        private void warn(String what) {
            long now = System.currentTimeMillis();
            long last = lastWarn.get();
            if (now - last >= WARN_EVERY_MILLIS && lastWarn.compareAndSet(last, now)) {
                LOG.warn("{} (so far {} connections refused over the limit of {}, {} closed over a size limit of {} "
                         + "octets)", what, refused.sum(), maxConnections, closedOverLimit.sum(), maxMessageSize);
            }
        }
    }

    /**
     * The RI's NIO socket table, keeping the connections it opens. In 1.3.0-91 {@code openOutgoingConnection} removes
     * the socket it has just connected from its table again (its {@code connected} flag is never set), so the next
     * message to that peer opened yet another connection and closed the first, with a WARN and a stack trace, and a
     * response on the closed one could be lost. The socket is put back in the table after each connect.
     */
    private static final class CachingNioHandler extends NIOHandler {

        CachingNioHandler(SIPTransactionStack sipStack, NioTcpMessageProcessor processor) {
            super(sipStack, processor);
        }

        @Override
        public SocketChannel createOrReuseSocket(InetAddress address, int port) throws IOException {
            SocketChannel socket = super.createOrReuseSocket(address, port);
            keep(makeKey(address, port), socket);
            return socket;
        }

        @Override
        public SocketChannel sendBytes(InetAddress senderAddress, InetAddress receiverAddress, int contactPort,
                String transport, byte[] bytes, boolean retry, NioTcpMessageChannel messageChannel)
                throws IOException {
            SocketChannel socket = super.sendBytes(senderAddress, receiverAddress, contactPort, transport, bytes, retry,
                    messageChannel);
            keep(makeKey(receiverAddress, contactPort), socket);
            return socket;
        }

        private void keep(String key, SocketChannel socket) {
            if (socket != null && socket.isOpen() && getSocket(key) == null) {
                putSocket(key, socket);
            }
        }
    }

    /** An accepted connection whose stream goes through a {@link SipStreamFramer}. */
    private static final class BoundedChannel extends NioTcpMessageChannel {

        private final BoundedTcpProcessor owner;
        private final SipStreamFramer framer;
        private final AtomicBoolean counted = new AtomicBoolean(true);

        BoundedChannel(BoundedTcpProcessor owner, SocketChannel client) throws IOException {
            super(owner, client);
            this.owner = owner;
            this.framer = new SipStreamFramer(owner.maxMessageSize);
            messageProcessor = owner;
            myClientInputStream = client.socket().getInputStream();
        }

        @Override
        protected void addBytes(byte[] bytes) throws Exception {
            byte[] ready;
            try {
                ready = framer.feed(bytes);
            } catch (SipStreamLimitException e) {
                owner.closedOverLimit.increment();
                owner.warn("SIP/TCP connection from " + peerAddress.getHostAddress() + ":" + peerPort + " closed: "
                           + e.getMessage());
                // not an IOException: the RI would then feed its parser an end of headers
                throw new IllegalStateException(e.getMessage(), e);
            }
            if (ready.length > 0) {
                super.addBytes(ready);
            }
        }

        @Override
        protected void close(boolean removeSocket, boolean stopKeepAliveTask) {
            super.close(removeSocket, stopKeepAliveTask);
            if (counted.compareAndSet(true, false)) {
                owner.open.decrementAndGet();
            }
        }
    }
}
