package org.imdp.sipmsrp;

import java.net.InetAddress;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Calendar;
import java.util.Iterator;
import java.util.TimeZone;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

import javax.sip.InvalidArgumentException;
import javax.sip.ServerTransaction;
import javax.sip.address.Address;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentLengthHeader;
import javax.sip.header.CSeqHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.support.DefaultConsumer;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import org.imdp.sipmsrp.push.PushSession;
import org.imdp.sipmsrp.sip.DigestAuthenticator;
import org.imdp.sipmsrp.sip.SipAgent;
import org.imdp.sipmsrp.sip.SipRequestHandler;
import org.imdp.sipmsrp.sip.TrustedNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns each incoming SIP request of the endpoint's method (MESSAGE or REGISTER) into an exchange, routed on a
 * bounded pool of the consumer's own ({@code workers} threads, {@code workerQueueSize} waiting), never on the SIP
 * stack's thread, and sends the final response from that pool when the exchange is done: the code the route put in
 * {@link SipMsrpConstants#RESPONSE_CODE}, else 200 on success and 500 on failure. When the pool is full the request
 * is answered {@code 503} with {@code Retry-After} at once on the stack's thread, without routing it, and counted
 * ({@link SipMsrpEndpoint#getRequestsOverloaded()}); a 503 the route asks for carries the same Retry-After.
 * Retransmissions of a request still being routed are absorbed by its server transaction.
 * <p>
 * Only the endpoint's trusted nodes are served ({@link SipMsrpConfiguration#setTrustedNodes}): a request from any
 * other source address is answered {@code 403} first of all, on the stack's thread, and never routed. So the
 * P-Asserted-Identity the route gets ({@link SipMsrpConstants#ASSERTED_IDENTITY}) is always a trusted node's. With
 * {@link SipMsrpConfiguration#setRegistrarCredentials registrarCredentials}, a REGISTER from another source is served
 * once it authenticates by digest as the user of its address-of-record ({@link DigestAuthenticator}): it is challenged
 * (401) first, and wrong credentials get 403, counted as forbidden.
 */
public class SipMsrpConsumer extends DefaultConsumer implements SipRequestHandler {

    private static final Logger LOG = LoggerFactory.getLogger(SipMsrpConsumer.class);
    /** Registration lifetime when the REGISTER names none (RFC 3261 section 10.2.1.1 suggests 3600 s). */
    static final int DEFAULT_EXPIRES = 3600;
    static final String WILDCARD_CONTACT = "*";
    /** How long a digest nonce is good for, from the address it was given to. */
    static final Duration NONCE_LIFETIME = Duration.ofMinutes(5);
    /** At most one WARN line per this many milliseconds while requests are refused (overload, not a trusted node). */
    private static final long REFUSAL_LOG_PERIOD_MILLIS = 10_000;

    private final String method;
    private volatile SipAgentLease lease;
    private volatile TrustedNodes trusted = TrustedNodes.NONE;
    /** Digest authentication of strangers' REGISTERs, or {@code null}: strangers get 403. */
    private volatile DigestAuthenticator registrar;
    private final AtomicLong overloadLoggedAt = new AtomicLong(System.nanoTime() - REFUSAL_LOG_PERIOD_MILLIS * 1_000_000);
    private final AtomicLong forbiddenLoggedAt = new AtomicLong(System.nanoTime() - REFUSAL_LOG_PERIOD_MILLIS * 1_000_000);

    public SipMsrpConsumer(SipMsrpEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.method = endpoint.getKind().sipMethod();
    }

    @Override
    public SipMsrpEndpoint getEndpoint() {
        return (SipMsrpEndpoint) super.getEndpoint();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        SipMsrpConfiguration config = getEndpoint().getConfiguration();
        trusted = config.trustedNodeList();
        if (trusted.isEmpty()) {
            LOG.warn("SIP {} on {}:{} trusts no node: every {} is refused 403 until trustedNodes is set", method,
                    config.getHost(), config.getPort(), method);
        } else {
            LOG.info("SIP {} on {}:{} served for the trusted nodes {}", method, config.getHost(), config.getPort(),
                    trusted);
        }
        if (Request.REGISTER.equals(method) && config.hasRegistrarCredentials()) {
            registrar = DigestAuthenticator.fromFile(Path.of(config.getRegistrarCredentials().trim()),
                    config.getRegistrarRealm().trim(), NONCE_LIFETIME, Clock.systemUTC());
            LOG.info("SIP REGISTER from other sources authenticated by digest, realm \"{}\", {} users in {}",
                    registrar.realm(), registrar.users(), config.getRegistrarCredentials().trim());
        }
        ThreadPoolProfile pool = new ThreadPoolProfile("SipMsrpConsumer[" + method + "]");
        pool.setPoolSize(config.getWorkers());
        pool.setMaxPoolSize(config.getWorkers());
        pool.setMaxQueueSize(config.getWorkerQueueSize());
        // a full pool refuses: the stack's thread answers 503 instead of running the route itself (CallerRuns)
        pool.setRejectedPolicy(ThreadPoolRejectedPolicy.Abort);
        lease = SipAgentLease.take(getEndpoint(), this, pool.getId(), pool);
        lease.agent().addRequestHandler(method, this);
    }

    @Override
    protected void doStop() throws Exception {
        if (lease != null) {
            lease.agent().removeRequestHandler(method, this);
            lease.release();
            lease = null;
        }
        super.doStop();
    }

    @Override
    public void handle(Request request, ServerTransaction transaction) {
        // the lease of this start: the stack keeps handling requests for a moment while the consumer stops
        SipAgentLease held = lease;
        if (held == null) {
            return;
        }
        SipAgent agent = held.agent();
        InetAddress source = SipAgent.source(request);
        if (!trusted.contains(source) && !authenticated(agent, request, transaction, source)) {
            return;
        }
        long length = contentLength(request);
        int limit = getEndpoint().getConfiguration().getMaxMessageSize();
        if (length > limit) {
            LOG.info("{} (Call-ID {}) refused: body of {} octets, limit {}", method, callId(request), length, limit);
            getEndpoint().countRequestRejected();
            agent.respond(transaction, Response.REQUEST_ENTITY_TOO_LARGE, null,
                    "body of " + length + " octets exceeds the limit of " + limit, null);
            return;
        }
        try {
            held.executor().execute(() -> route(agent, request, transaction));
        } catch (RejectedExecutionException e) {
            overloaded(agent, request, transaction);
        }
    }

    /**
     * A source that is not a trusted node (and for a REGISTER with registrarCredentials, not authenticated: wrong
     * credentials, or another's address-of-record): 403 (RFC 3261 section 21.4.4, the server understood the request
     * and will not serve it), on the stack's thread, nothing routed, counted
     * ({@link SipMsrpEndpoint#getRequestsForbidden()}), logged at most once per {@link #REFUSAL_LOG_PERIOD_MILLIS}.
     */
    private void forbidden(SipAgent agent, Request request, ServerTransaction transaction, InetAddress source,
                           String why) {
        long count = getEndpoint().countRequestForbidden();
        if (due(forbiddenLoggedAt)) {
            LOG.warn("{} (Call-ID {}) from {} refused 403: {}; {} refused so far", method,
                    callId(request), source == null ? "an unknown source" : source.getHostAddress(), why, count);
        }
        agent.respond(transaction, Response.FORBIDDEN, null,
                registrar == null ? "not a trusted node" : "not a trusted node, nor authenticated", null);
    }

    /**
     * Whether a request from a source that is not a trusted node may be served: only a REGISTER whose digest
     * credentials are right for its address-of-record, when registrarCredentials is set. Otherwise it has been
     * answered here: 401 with a challenge (no credentials, or a nonce that ran out), else 403.
     */
    private boolean authenticated(SipAgent agent, Request request, ServerTransaction transaction, InetAddress source) {
        DigestAuthenticator digest = registrar;
        if (digest == null) {
            forbidden(agent, request, transaction, source, "not a trusted node " + trusted);
            return false;
        }
        DigestAuthenticator.Check check = digest.check(request, source);
        switch (check.verdict()) {
            case AUTHENTICATED:
                LOG.debug("REGISTER (Call-ID {}) from {} authenticated as {}", callId(request), source, check.username());
                return true;
            case CHALLENGE, STALE:
                agent.respond(transaction, Response.UNAUTHORIZED, null, null, response -> {
                    try {
                        digest.challenge(response, source, check.verdict() == DigestAuthenticator.Verdict.STALE,
                                agent.headerFactory());
                    } catch (ParseException e) {
                        throw new IllegalStateException("a challenge of realm " + digest.realm(), e);
                    }
                });
                return false;
            default:
                forbidden(agent, request, transaction, source, check.reason());
                return false;
        }
    }

    /** Whether a rate-limited WARN line is due now (and takes the turn). */
    private static boolean due(AtomicLong loggedAt) {
        long now = System.nanoTime();
        long logged = loggedAt.get();
        return now - logged >= REFUSAL_LOG_PERIOD_MILLIS * 1_000_000 && loggedAt.compareAndSet(logged, now);
    }

    /**
     * Every worker busy and the queue full (or the consumer stopping): 503 with Retry-After (RFC 3261 sections 21.5.4
     * and 20.33), on the stack's thread, nothing routed. Logged at most once per {@link #REFUSAL_LOG_PERIOD_MILLIS}.
     */
    private void overloaded(SipAgent agent, Request request, ServerTransaction transaction) {
        long count = getEndpoint().countRequestOverloaded();
        if (due(overloadLoggedAt)) {
            LOG.warn("{} (Call-ID {}) refused 503: all {} workers busy and {} waiting; {} refused so far", method,
                    callId(request), getEndpoint().getConfiguration().getWorkers(),
                    getEndpoint().getConfiguration().getWorkerQueueSize(), count);
        }
        agent.respond(transaction, Response.SERVICE_UNAVAILABLE, null, "server busy, retry later",
                response -> addRetryAfter(agent, response, getEndpoint().getConfiguration().overloadRetryAfterSeconds()));
    }

    private void route(SipAgent sip, Request request, ServerTransaction transaction) {
        Exchange exchange = createExchange(false);
        try {
            fill(exchange.getIn(), request);
        } catch (RuntimeException e) {
            // a header the stack parsed but we cannot interpret
            LOG.info("{} (Call-ID {}) refused: {}", method, callId(request), e.getMessage());
            sip.respond(transaction, Response.BAD_REQUEST, null, e.getMessage(), null);
            releaseExchange(exchange, false);
            return;
        }
        getAsyncProcessor().process(exchange, doneSync -> {
            try {
                answer(sip, exchange, request, transaction);
            } finally {
                releaseExchange(exchange, false);
            }
        });
    }

    private void fill(Message in, Request request) {
        in.setHeader(SipMsrpConstants.METHOD, request.getMethod());
        in.setHeader(SipMsrpConstants.REQUEST_URI, request.getRequestURI().toString());
        FromHeader from = (FromHeader) request.getHeader(FromHeader.NAME);
        in.setHeader(SipMsrpConstants.FROM, from.getAddress().getURI().toString());
        if (from.getTag() != null) {
            in.setHeader(SipMsrpConstants.FROM_TAG, from.getTag());
        }
        in.setHeader(SipMsrpConstants.TO, ((ToHeader) request.getHeader(ToHeader.NAME)).getAddress().getURI()
                .toString());
        String asserted = SipAgent.assertedIdentity(request);
        if (asserted != null) {
            in.setHeader(SipMsrpConstants.ASSERTED_IDENTITY, asserted);
        }
        in.setHeader(SipMsrpConstants.CALL_ID, callId(request));
        in.setHeader(SipMsrpConstants.CSEQ, ((CSeqHeader) request.getHeader(CSeqHeader.NAME)).getSeqNumber());
        ContentTypeHeader contentType = (ContentTypeHeader) request.getHeader(ContentTypeHeader.NAME);
        if (contentType != null) {
            in.setHeader(SipMsrpConstants.CONTENT_TYPE, contentTypeValue(contentType));
        }
        byte[] body = request.getRawContent();
        in.setBody(body == null ? new byte[0] : body);
        if (Request.REGISTER.equals(request.getMethod())) {
            fillRegister(in, request);
        }
    }

    private static void fillRegister(Message in, Request request) {
        ContactHeader contact = (ContactHeader) request.getHeader(ContactHeader.NAME);
        ExpiresHeader expiresHeader = (ExpiresHeader) request.getHeader(ExpiresHeader.NAME);
        int expires = expiresHeader != null ? expiresHeader.getExpires() : DEFAULT_EXPIRES;
        if (contact != null && contact.isWildCard()) {
            // "Contact: *" removes every binding and must come with Expires: 0 (RFC 3261 section 10.2.2)
            in.setHeader(SipMsrpConstants.CONTACT, WILDCARD_CONTACT);
            expires = 0;
        } else if (contact != null) {
            in.setHeader(SipMsrpConstants.CONTACT, contact.getAddress().getURI().toString());
            in.setHeader(SipMsrpConstants.IM_FEATURE_TAG, hasParameter(contact, PushSession.IM_FEATURE_TAG));
            if (contact.getExpires() >= 0) {
                expires = contact.getExpires();
            }
        }
        in.setHeader(SipMsrpConstants.EXPIRES, expires);
    }

    private void answer(SipAgent sip, Exchange exchange, Request request, ServerTransaction transaction) {
        Message in = exchange.getMessage();
        Integer routeCode = in.getHeader(SipMsrpConstants.RESPONSE_CODE, Integer.class);
        int code;
        String warning = in.getHeader(SipMsrpConstants.WARNING, String.class);
        if (routeCode != null && routeCode >= 200 && routeCode <= 699) {
            code = routeCode;
        } else {
            if (routeCode != null) {
                LOG.warn("{} (Call-ID {}): route set invalid final response code {}, answering 500", method,
                        callId(request), routeCode);
            }
            code = exchange.isFailed() || routeCode != null ? Response.SERVER_INTERNAL_ERROR : Response.OK;
        }
        if (exchange.isFailed()) {
            getExceptionHandler().handleException("Error routing SIP " + method + " Call-ID " + callId(request),
                    exchange, exchange.getException());
            if (warning == null && code >= 500) {
                warning = "the request could not be processed";
            }
        }
        String reason = in.getHeader(SipMsrpConstants.RESPONSE_REASON, String.class);
        boolean registered = Request.REGISTER.equals(method) && code >= 200 && code < 300;
        // the route's Retry-After (e.g. a full registration table), else on a 503 the overload one
        Integer routeRetryAfter = in.getHeader(SipMsrpConstants.RETRY_AFTER, Integer.class);
        Integer retryAfter = routeRetryAfter != null ? routeRetryAfter
                : code == Response.SERVICE_UNAVAILABLE ? getEndpoint().getConfiguration().overloadRetryAfterSeconds() : null;
        sip.respond(transaction, code, reason, warning, registered ? r -> addBinding(sip, r, in)
                : retryAfter != null && code >= 300 ? r -> addRetryAfter(sip, r, retryAfter) : null);
        getEndpoint().countRequestAnswered();
    }

    /** A 2xx to REGISTER lists the binding with its lifetime and says the server's time (RFC 3261 10.3). */
    private static void addBinding(SipAgent sip, Response response, Message in) {
        String contact = in.getHeader(SipMsrpConstants.CONTACT, String.class);
        Integer expires = in.getHeader(SipMsrpConstants.EXPIRES, Integer.class);
        if (contact != null && !WILDCARD_CONTACT.equals(contact) && expires != null && expires > 0) {
            try {
                Address address = sip.addressFactory().createAddress(contact);
                ContactHeader header = sip.headerFactory().createContactHeader(address);
                header.setExpires(expires);
                response.addHeader(header);
            } catch (ParseException | InvalidArgumentException e) {
                // the route changed the header to something unusable: still answer, without the binding
                LOG.warn("REGISTER answered without its Contact binding: {}", e.getMessage());
            }
        }
        response.addHeader(sip.headerFactory().createDateHeader(Calendar.getInstance(TimeZone.getTimeZone("GMT"))));
    }

    /** Says when to try again: on every 503 the consumer sends (overloadRetryAfter), or as the route says. */
    private static void addRetryAfter(SipAgent sip, Response response, int seconds) {
        try {
            response.addHeader(sip.headerFactory().createRetryAfterHeader(Math.max(0, seconds)));
        } catch (InvalidArgumentException e) {
            LOG.warn("{} answered without Retry-After {}: {}", response.getStatusCode(), seconds, e.getMessage());
        }
    }

    private static boolean hasParameter(ContactHeader contact, String name) {
        Iterator<?> names = contact.getParameterNames();
        while (names.hasNext()) {
            if (name.equalsIgnoreCase((String) names.next())) {
                return true;
            }
        }
        return false;
    }

    private static long contentLength(Request request) {
        ContentLengthHeader h = request.getContentLength();
        if (h != null) {
            return h.getContentLength();
        }
        byte[] raw = request.getRawContent();
        return raw == null ? 0 : raw.length;
    }

    private static String contentTypeValue(ContentTypeHeader h) {
        StringBuilder sb = new StringBuilder(h.getContentType()).append('/').append(h.getContentSubType());
        h.getParameterNames().forEachRemaining(n -> {
            String v = h.getParameter((String) n);
            sb.append(';').append(n);
            if (v != null && !v.isEmpty()) {
                sb.append('=').append(v);
            }
        });
        return sb.toString();
    }

    private static String callId(Request request) {
        return ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
    }
}
