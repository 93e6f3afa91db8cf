package org.imdp.sipmsrp.sip;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.InvalidArgumentException;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.SipFactory;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.Address;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.AllowHeader;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.HeaderAddress;
import javax.sip.header.RouteHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Message;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

import gov.nist.javax.sip.ListeningPointImpl;
import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.header.HeaderFactoryExt;
import gov.nist.javax.sip.header.ims.PAssertedIdentityHeader;
import gov.nist.javax.sip.message.SIPMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JAIN-SIP stack with its listening points (UDP and/or TCP on one host:port) and the single
 * {@link SipListener} of that stack. It answers what no one else takes (OPTIONS, CANCEL, unknown methods,
 * stray BYE) and hands the rest on: out-of-dialog requests to the {@link SipRequestHandler} of their method,
 * responses, timeouts and client BYEs to the {@link SipDialogHandler} of their Call-ID.
 */
public final class SipAgent implements SipListener {

    private static final Logger LOG = LoggerFactory.getLogger(SipAgent.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** RFC 3261 magic cookie of a branch id. */
    private static final String BRANCH_COOKIE = "z9hG4bK";
    /** Warning code for "miscellaneous warning" with a free text (RFC 3261 section 20.43). */
    private static final int WARN_MISC = 399;
    /**
     * Largest request sent over UDP when the path MTU is unknown (RFC 3261 section 18.1.1: 1300 octets, the
     * Ethernet MTU of 1500 less 200 for headers that may be added on the way).
     */
    public static final int UDP_SIZE_LIMIT = 1300;
    private static final int STOP_ATTEMPTS = 3;
    /** Max-Forwards of the requests this agent originates (RFC 3261 section 8.1.1.6). */
    private static final int MAX_FORWARDS = 70;
    public static final String UDP = "udp";
    public static final String TCP = "tcp";
    public static final String TLS = "tls";

    private final String name;
    private final String host;
    private final int port;
    private final List<String> transports;
    private final SipTcpLimits tcpLimits;
    private final SipTls tls;
    private final Map<String, SipRequestHandler> requestHandlers = new ConcurrentHashMap<>();
    private final Map<String, SipDialogHandler> dialogHandlers = new ConcurrentHashMap<>();
    private final SipTraffic traffic;

    private SipStack stack;
    private SipProvider provider;
    private final List<ListeningPoint> listeningPoints = new ArrayList<>();
    private HeaderFactoryExt headerFactory;
    private AddressFactory addressFactory;
    private MessageFactory messageFactory;

    /**
     * @param name      unique stack name
     * @param tcpLimits what the TCP listening point takes at most
     */
    public SipAgent(String name, String host, int port, List<String> transports, SipTcpLimits tcpLimits) {
        this(name, host, port, transports, tcpLimits, null, new SipTraffic());
    }

    /**
     * @param tls     a TLS listening point on {@code host} besides the others; null = none
     * @param traffic where the requests and responses are counted (the component's, shared by its stacks)
     */
    public SipAgent(String name, String host, int port, List<String> transports, SipTcpLimits tcpLimits, SipTls tls,
            SipTraffic traffic) {
        this.name = name;
        this.traffic = traffic;
        this.host = host;
        this.port = port;
        this.transports = List.copyOf(transports);
        this.tcpLimits = tcpLimits;
        this.tls = tls;
    }

    public synchronized void start() throws Exception {
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        headerFactory = (HeaderFactoryExt) factory.createHeaderFactory();
        addressFactory = factory.createAddressFactory();
        messageFactory = factory.createMessageFactory();
        // created directly rather than through SipFactory, which caches stacks by name and would hand a stopped
        // stack back after a restart
        SipStackProperties properties = new SipStackProperties(name, tcpLimits);
        if (tls != null) {
            properties.tls(tls);
        }
        stack = new SipStackImpl(properties);
        try {
            for (String transport : transports) {
                listeningPoints.add(stack.createListeningPoint(host, port, transport));
            }
            if (tls != null) {
                listeningPoints.add(stack.createListeningPoint(host, tls.port(), ListeningPoint.TLS));
            }
            provider = stack.createSipProvider(listeningPoints.get(0));
            for (ListeningPoint lp : listeningPoints.subList(1, listeningPoints.size())) {
                provider.addListeningPoint(lp);
            }
            provider.addSipListener(this);
            stack.start();
        } catch (Exception e) {
            try {
                stop();
            } catch (RuntimeException cleanup) {
                // the RI's TCP processor throws a NullPointerException when its socket was never bound: the bind
                // failure is what the operator must see
                e.addSuppressed(cleanup);
                stack = null;
                listeningPoints.clear();
                provider = null;
            }
            throw e;
        }
        LOG.info("SIP stack {} listening on {}:{} {}{}", name, host, port, transports,
                tls == null ? "" : ", TLS on " + host + ":" + tls.port());
    }

    public synchronized void stop() {
        if (stack == null) {
            return;
        }
        try {
            if (provider != null) {
                provider.removeSipListener(this);
                stack.deleteSipProvider(provider);
            }
            for (ListeningPoint lp : listeningPoints) {
                stack.deleteListeningPoint(lp);
            }
        } catch (Exception e) {
            LOG.warn("SIP stack {}: error releasing listening points: {}", name, e.getMessage());
        }
        stop(stack);
        listeningPoints.clear();
        provider = null;
        stack = null;
        LOG.info("SIP stack {} stopped", name);
    }

    /**
     * Stops a JAIN-SIP stack. The RI (1.3.0-91) iterates a UDP processor's channel list while the channel threads
     * leave it, which can throw {@link ConcurrentModificationException}; stopping again finds those threads gone.
     */
    public static void stop(SipStack stack) {
        for (int attempt = 1;; attempt++) {
            try {
                stack.stop();
                return;
            } catch (ConcurrentModificationException e) {
                if (attempt == STOP_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    public SipProvider provider() {
        return provider;
    }

    public HeaderFactoryExt headerFactory() {
        return headerFactory;
    }

    public AddressFactory addressFactory() {
        return addressFactory;
    }

    public MessageFactory messageFactory() {
        return messageFactory;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The port of the listening point of {@code transport}: the TLS port for {@code tls}, else {@link #port()}. */
    public int port(String transport) {
        return TLS.equalsIgnoreCase(transport) && tls != null ? tls.port() : port;
    }

    /** Whether the stack listens on this transport (lower case). */
    public boolean hasTransport(String transport) {
        return transports.contains(transport) || TLS.equals(transport) && tls != null;
    }

    /**
     * A request outside any dialog, from the server identity: Request-URI {@code target}, To {@code to}, From
     * {@code from} with {@code fromTag} (also the P-Asserted-Identity, as a trusted IM Server asserts itself), and
     * with an outbound proxy a loose Route to it. The next hop (the proxy, else the target) picks the Via transport:
     * TLS for a {@code sips:} URI (RFC 3261 section 26.2.2) or {@code transport=tls}, else its {@code transport}
     * parameter, UDP when it has none; over TLS the Via names the TLS listening point. Call
     * {@link #switchToTcpIfLarge} once the body is set.
     *
     * @param  outboundProxy            {@code host[:port][;params]}, or {@code null}/blank for none
     * @throws IllegalArgumentException when the next hop's transport is not one this agent listens on
     */
    public Request newRequest(String method, URI target, Address to, Address from, String fromTag,
            CallIdHeader callId, long cseq, String outboundProxy) throws ParseException, InvalidArgumentException {
        SipURI proxy = outboundProxy == null || outboundProxy.isBlank()
                ? null : (SipURI) addressFactory.createURI("sip:" + outboundProxy.strip());
        SipURI nextHop = proxy != null ? proxy : target instanceof SipURI sip ? sip : null;
        String transport = nextHop == null ? UDP : nextHop.isSecure() ? TLS
                : nextHop.getTransportParam() != null ? nextHop.getTransportParam().toLowerCase(Locale.ROOT) : UDP;
        if (!hasTransport(transport)) {
            throw new IllegalArgumentException("cannot send the " + method + " over " + transport + " to " + nextHop
                                               + ": not among the configured transports"
                                               + (TLS.equals(transport) ? " (SIP over TLS needs tlsPort)" : ""));
        }
        Request request = messageFactory.createRequest(target, method, callId,
                headerFactory.createCSeqHeader(cseq, method), headerFactory.createFromHeader(from, fromTag),
                headerFactory.createToHeader(to, null),
                List.of(headerFactory.createViaHeader(host, port(transport), transport, newBranch())),
                headerFactory.createMaxForwardsHeader(MAX_FORWARDS));
        request.addHeader(headerFactory.createPAssertedIdentityHeader(from));
        if (proxy != null) {
            proxy.setLrParam();
            request.addHeader(headerFactory.createRouteHeader(addressFactory.createAddress(proxy)));
        }
        return request;
    }

    /**
     * RFC 3261 section 18.1.1: a request larger than {@link #UDP_SIZE_LIMIT} that would go over UDP goes over TCP
     * instead, when this stack listens on TCP (JAIN-SIP does not do this itself). The top Via then says TCP, and
     * the next hop (the top Route, else the Request-URI) and a Contact of this stack carry {@code transport=tcp},
     * which is how the stack picks the transport. Call it on the complete request, before creating its client
     * transaction.
     *
     * @return whether the request now goes over TCP
     */
    public boolean switchToTcpIfLarge(Request request) throws ParseException {
        ViaHeader via = (ViaHeader) request.getHeader(ViaHeader.NAME);
        if (!UDP.equalsIgnoreCase(via.getTransport()) || !hasTransport(TCP)
            || request.toString().getBytes(StandardCharsets.UTF_8).length <= UDP_SIZE_LIMIT) {
            return false;
        }
        via.setTransport(TCP);
        RouteHeader route = (RouteHeader) request.getHeader(RouteHeader.NAME);
        if (route != null) {
            setTcp(route.getAddress().getURI());
        } else {
            URI target = (URI) request.getRequestURI().clone();
            setTcp(target);
            request.setRequestURI(target);
        }
        ContactHeader contact = (ContactHeader) request.getHeader(ContactHeader.NAME);
        if (contact != null && contact.getAddress().getURI() instanceof SipURI own && host.equals(own.getHost())
            && own.getPort() == port) {
            own.setTransportParam(TCP);
        }
        LOG.debug("{} (Call-ID {}) larger than {} octets: sent over TCP", request.getMethod(), callId(request),
                UDP_SIZE_LIMIT);
        return true;
    }

    private static void setTcp(URI uri) throws ParseException {
        if (uri instanceof SipURI sip) {
            sip.setTransportParam(TCP);
        }
    }

    /**
     * The address a received request came from: the UDP datagram's source, or the TCP connection's peer (never a
     * Via or Contact, which the sender writes itself).
     */
    public static InetAddress source(Request request) {
        return request instanceof SIPMessage m ? m.getPeerPacketSourceAddress() : null;
    }

    /**
     * The URI of a request's P-Asserted-Identity (RFC 3325 section 9.1: one or two values, at most one sip:/sips:
     * and one tel:): the sip: or sips: one, else the first; {@code null} when the request has none.
     *
     * @throws IllegalArgumentException when a value is not a name-addr or addr-spec
     */
    public static String assertedIdentity(Request request) {
        List<URI> asserted = new ArrayList<>();
        request.getHeaders(PAssertedIdentityHeader.NAME).forEachRemaining(h -> {
            if (h instanceof HeaderAddress address) {
                asserted.add(address.getAddress().getURI());
            } else {
                throw new IllegalArgumentException("P-Asserted-Identity is not an address: " + h);
            }
        });
        return asserted.stream().filter(URI::isSipURI).findFirst()
                .or(() -> asserted.stream().findFirst()).map(URI::toString).orElse(null);
    }

    /** A From/To tag: 64 random bits. */
    public static String newTag() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** A Via branch id: magic cookie and 96 random bits. */
    public static String newBranch() {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return BRANCH_COOKIE + HexFormat.of().formatHex(b);
    }

    /** Registers the consumer of a method; only one per method and stack. */
    public void addRequestHandler(String method, SipRequestHandler handler) {
        if (requestHandlers.putIfAbsent(method, handler) != null) {
            throw new IllegalStateException("a consumer for SIP " + method + " on " + host + ":" + port
                                            + " is already started");
        }
    }

    public void removeRequestHandler(String method, SipRequestHandler handler) {
        requestHandlers.remove(method, handler);
    }

    public void addDialogHandler(String callId, SipDialogHandler handler) {
        dialogHandlers.put(callId, handler);
    }

    public void removeDialogHandler(String callId) {
        dialogHandlers.remove(callId);
    }

    /**
     * The accepted TCP connections of this stack's TCP listening point: open now, refused so far over the limit,
     * closed so far over a size limit; {@code null} when it does not listen on TCP or is stopped.
     */
    public synchronized TcpConnections tcpConnections() {
        for (ListeningPoint lp : listeningPoints) {
            if (lp instanceof ListeningPointImpl impl
                && impl.getMessageProcessor() instanceof BoundedNioMessageProcessorFactory.BoundedTcpProcessor tcp) {
                return new TcpConnections(tcp.openConnections(), tcp.refusedConnections(), tcp.closedOverLimit());
            }
        }
        return null;
    }

    /** See {@link #tcpConnections()}. */
    public record TcpConnections(int open, long refused, long closedOverLimit) {
    }

    /**
     * The text of a Warning header as the content of a SIP quoted-string (RFC 3261 section 25.1, {@code qdtext} and
     * {@code quoted-pair}; JAIN-SIP writes the text between the quotes as it is): a double quote and a backslash
     * escaped, every control character and U+2028/U+2029 written as {@code U+XXXX}. A route's text may quote what a
     * sender wrote (a CPIM header line can hold a bare CR), and a CR, LF or quote in it would end the Warning and
     * add a header of the sender's choosing to our response.
     */
    public static String warningText(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                b.append(String.format(Locale.ROOT, "U+%04X", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * Sends a final (or provisional) response on a server transaction; failures to send are logged, since
     * nothing else can be done about them.
     *
     * @param reason   reason phrase, or {@code null} for the standard one
     * @param warning  text of a Warning header (code 399), or {@code null}
     * @param decorate adds method-specific headers, may be {@code null}
     */
    public void respond(ServerTransaction transaction, int code, String reason, String warning,
            Consumer<Response> decorate) {
        Request request = transaction.getRequest();
        try {
            Response response = messageFactory.createResponse(code, request);
            if (reason != null && !reason.isBlank()) {
                response.setReasonPhrase(reason);
            }
            ToHeader to = (ToHeader) response.getHeader(ToHeader.NAME);
            if (code >= 200 && to.getTag() == null) {
                to.setTag(newTag());
            }
            if (warning != null) {
                response.addHeader(headerFactory.createWarningHeader(host, WARN_MISC, warningText(warning)));
            }
            if (decorate != null) {
                decorate.accept(response);
            }
            transaction.sendResponse(response);
            traffic.responsesSent().increment(new SipTraffic.Response(request.getMethod(), code));
        } catch (SipException | InvalidArgumentException | ParseException | RuntimeException e) {
            LOG.warn("could not answer {} (Call-ID {}) with {}: {}", request.getMethod(), callId(request), code,
                    e.toString());
        }
    }

    /** Adds the Allow header listing what this stack answers. */
    public void addAllow(Response response) {
        TreeSet<String> methods = new TreeSet<>(requestHandlers.keySet());
        methods.addAll(List.of(Request.OPTIONS, Request.ACK, Request.BYE, Request.CANCEL));
        try {
            AllowHeader allow = headerFactory.createAllowHeader(String.join(", ", methods));
            response.setHeader(allow);
        } catch (ParseException e) {
            throw new IllegalStateException("method names are tokens", e);
        }
    }

    private static String callId(Message message) {
        CallIdHeader h = (CallIdHeader) message.getHeader(CallIdHeader.NAME);
        return h == null ? null : h.getCallId();
    }

    @Override
    public void processRequest(RequestEvent event) {
        Request request = event.getRequest();
        String method = request.getMethod();
        traffic.requestsReceived().increment(method);
        if (Request.ACK.equals(method)) {
            // ACKs to our non-2xx answers are absorbed by the stack; we never answer an INVITE with 2xx
            LOG.debug("ACK received, Call-ID {}", callId(request));
            return;
        }
        ServerTransaction transaction = event.getServerTransaction();
        if (transaction == null) {
            try {
                transaction = provider.getNewServerTransaction(request);
            } catch (TransactionAlreadyExistsException e) {
                // a retransmission racing its original: the transaction answers it
                LOG.debug("{} retransmission, Call-ID {}", method, callId(request));
                return;
            } catch (SipException e) {
                LOG.warn("no server transaction for {} (Call-ID {}): {}", method, callId(request), e.getMessage());
                return;
            }
        }
        switch (method) {
            case Request.OPTIONS -> respond(transaction, Response.OK, null, null, this::addAllow);
            // we never keep an INVITE pending, so there is nothing a CANCEL could match
            case Request.CANCEL -> respond(transaction, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, null, null,
                    null);
            case Request.BYE -> onBye(request, transaction);
            default -> {
                SipRequestHandler handler = requestHandlers.get(method);
                if (handler == null) {
                    respond(transaction, Response.METHOD_NOT_ALLOWED, null, null, this::addAllow);
                } else {
                    handler.handle(request, transaction);
                }
            }
        }
    }

    private void onBye(Request bye, ServerTransaction transaction) {
        SipDialogHandler handler = dialogHandlers.get(callId(bye));
        if (handler == null) {
            respond(transaction, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, null, null, null);
            return;
        }
        respond(transaction, Response.OK, null, null, null);
        handler.onClientBye(bye);
    }

    @Override
    public void processResponse(ResponseEvent event) {
        Response response = event.getResponse();
        CSeqHeader cseq = (CSeqHeader) response.getHeader(CSeqHeader.NAME);
        traffic.responsesReceived().increment(new SipTraffic.Response(cseq == null ? "?" : cseq.getMethod(),
                response.getStatusCode()));
        SipDialogHandler handler = dialogHandlers.get(callId(response));
        if (handler == null) {
            LOG.debug("response {} for unknown Call-ID {} dropped", response.getStatusCode(), callId(response));
            return;
        }
        handler.onResponse(event);
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        if (event.isServerTransaction()) {
            LOG.debug("server transaction timed out: {}", event.getServerTransaction().getRequest().getMethod());
            return;
        }
        Request request = event.getClientTransaction().getRequest();
        SipDialogHandler handler = dialogHandlers.get(callId(request));
        if (handler == null) {
            LOG.debug("{} timed out, Call-ID {} no longer tracked", request.getMethod(), callId(request));
            return;
        }
        handler.onTimeout(event);
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
        // the transaction concerned also times out, which is where sessions react
        LOG.warn("SIP I/O error with {}:{}/{}", event.getHost(), event.getPort(), event.getTransport());
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) {
        // nothing kept per transaction
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) {
        String callId = event.getDialog().getCallId().getCallId();
        SipDialogHandler handler = dialogHandlers.get(callId);
        if (handler != null && handler.onDialogTerminated(event.getDialog())
            && dialogHandlers.remove(callId, handler)) {
            LOG.debug("dialog {} terminated", callId);
        }
    }
}
