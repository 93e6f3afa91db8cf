package org.imdp.sipmsrp;

import org.imdp.test.TestPorts;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import javax.sip.ClientTransaction;
import javax.sip.Dialog;
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
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.Address;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.Header;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ProxyAuthorizationHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

import gov.nist.javax.sip.SipStackImpl;
import org.imdp.sipmsrp.sip.DigestCredentials;
import org.imdp.sipmsrp.sip.SipAgent;
import org.imdp.sipmsrp.sip.SipStackProperties;
import org.imdp.sipmsrp.sip.SipTcpLimits;

/**
 * The IM Client's SIP side, for tests: a second JAIN-SIP stack (UDP and TCP) on a free loopback port that sends
 * REGISTER, MESSAGE or any request to the server under test and plays a user agent server for the push INVITE.
 * <p>
 * Outgoing out-of-dialog requests carry a loose-route Route header to the server, so Request-URI and To can be
 * the real public identities. Incoming INVITEs are answered as set with {@link #answerWithMsrp},
 * {@link #answerWithoutMsrp}, {@link #rejectInvites} (the default, 480) or {@link #ringOnly}; {@link #hangUp}
 * ends the last answered session from the client side. BYEs are answered 200, optionally late
 * ({@link #delayByeResponse}); MESSAGEs as set with {@link #answerMessages} (default 200); other requests 200.
 * Every request received is recorded with its arrival time, and every response this client sends with its send
 * time. Blocking calls wait at most 10 s.
 */
public final class SipTestClient implements SipListener, AutoCloseable {

    private static final AtomicInteger STACK_SEQUENCE = new AtomicInteger();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Bodies the client itself reads; larger than anything the server under test sends. */
    private static final int MAX_BODY = 256 * 1024;

    /** A request that arrived, and when. */
    public record Received(Instant at, Request request) {
        public String method() {
            return request.getMethod();
        }
    }

    /** A response this client sent, and when it was handed to the stack. */
    public record Sent(Instant at, String method, int status) {
    }

    private final String serverHost;
    private final int serverPort;
    private final String host;
    private final int port;
    private final SipStack stack;
    private final SipProvider provider;
    private final AddressFactory addresses;
    private final HeaderFactory headers;
    private final MessageFactory messages;
    private final Map<ClientTransaction, CompletableFuture<Response>> pending = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final AtomicLong cseq = new AtomicLong();

    private volatile int rejectCode = Response.TEMPORARILY_UNAVAILABLE;
    private volatile int rejectRetryAfter;
    private volatile String msrpPath;
    private volatile String msrpSetup;
    /** c= address and m= port of the MSRP answer; {@code null}: those of the first a=path URI. */
    private volatile URI msrpMedia;
    private volatile List<String> msrpAttributes = List.of();
    private volatile Duration byeDelay = Duration.ZERO;
    private volatile boolean ringOnly;
    private volatile int messageCode = Response.OK;
    private volatile Dialog lastDialog;
    private volatile int redirectCode;
    private volatile List<String> redirectContacts = List.of();
    private volatile Challenge challenge;
    private volatile boolean challengeByes;
    /** How many more correct digest answers are told their nonce was stale (a fresh challenge with stale=true). */
    private final java.util.concurrent.atomic.AtomicInteger staleAnswers = new java.util.concurrent.atomic.AtomicInteger();
    private final List<Boolean> digestChecks = new CopyOnWriteArrayList<>();
    private final List<String> nonces = new CopyOnWriteArrayList<>();

    /** A digest challenge this client sends to INVITEs without valid credentials (401, or 407 as a proxy). */
    private record Challenge(boolean proxy, String realm, String username, String password, String algorithm) {
    }

    private SipTestClient(String serverHost, int serverPort, String host) throws Exception {
        this.serverHost = serverHost;
        this.serverPort = serverPort;
        this.host = host;
        this.port = TestPorts.next();
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        addresses = factory.createAddressFactory();
        headers = factory.createHeaderFactory();
        messages = factory.createMessageFactory();
        stack = new SipStackImpl(new SipStackProperties("sip-test-client-" + STACK_SEQUENCE.incrementAndGet(),
                new SipTcpLimits(64, Duration.ofMinutes(5), MAX_BODY + 16 * 1024)));
        ListeningPoint udp = stack.createListeningPoint(host, port, ListeningPoint.UDP);
        ListeningPoint tcp = stack.createListeningPoint(host, port, ListeningPoint.TCP);
        provider = stack.createSipProvider(udp);
        provider.addListeningPoint(tcp);
        provider.addSipListener(this);
        stack.start();
    }

    /** Starts a client on a free port of {@code 127.0.0.1} that talks to the server at serverHost:serverPort. */
    public static SipTestClient start(String serverHost, int serverPort) throws Exception {
        return start(serverHost, serverPort, "127.0.0.1");
    }

    /** Starts a client on a free port of {@code host} (e.g. the far end of a veth pair). */
    public static SipTestClient start(String serverHost, int serverPort, String host) throws Exception {
        return new SipTestClient(serverHost, serverPort, host);
    }

    public int port() {
        return port;
    }

    /** The contact URI of {@code user} on this client, e.g. {@code sip:bob@127.0.0.1:40123}. */
    public String contact(String user) {
        return "sip:" + user + "@" + host + ":" + port;
    }

    // ---------------------------------------------------------------- UAC

    /** REGISTER of {@code aor} with this client's contact for it, {@code Expires: expires}, over UDP. */
    public Response register(String aor, int expires) throws Exception {
        String user = ((SipURI) addresses.createURI(aor)).getUser();
        return send(newRegister(aor, "<" + contact(user) + ">;+g.oma.sip-im", expires));
    }

    /**
     * REGISTER of {@code aor} with {@code contactValue}, as an IM Client that registers directly: a 401 is answered once
     * with {@code credentials} (the service's own digest client, {@link DigestCredentials}) in a new transaction of
     * the same Call-ID. Returns the final response, the 401 itself when the answer is not possible.
     */
    public Response registerWithDigest(String aor, String contactValue, int expires, DigestCredentials credentials)
            throws Exception {
        Request first = newRegister(aor, contactValue, expires);
        Response challenge = send(first);
        if (challenge.getStatusCode() != Response.UNAUTHORIZED) {
            return challenge;
        }
        Request second = newRegister(aor, contactValue, expires);
        second.setHeader((CallIdHeader) first.getHeader(CallIdHeader.NAME).clone());
        second.addHeader(credentials.answer(challenge, first, second, headers));
        return send(second);
    }

    /**
     * A REGISTER of {@code aor} with a Contact header of the given value (e.g. {@code *}, or
     * {@code <sip:bob@host:port>;expires=60}) and, unless {@code null}, an Expires header.
     */
    public Request newRegister(String aor, String contactValue, Integer expires) throws Exception {
        SipURI aorUri = (SipURI) addresses.createURI(aor);
        Request request = newRequest(Request.REGISTER, aor, aor, "sip:" + aorUri.getHost());
        request.addHeader(headers.createHeader(ContactHeader.NAME, contactValue));
        if (expires != null) {
            request.addHeader(headers.createExpiresHeader(expires));
        }
        return request;
    }

    /**
     * MESSAGE from {@code from} to {@code to} (Request-URI and To); over TCP when the request would be larger
     * than {@link SipAgent#UDP_SIZE_LIMIT}, as RFC 3261 asks. Returns the final status code.
     */
    public int sendMessage(String from, String to, String contentType, byte[] body) throws Exception {
        return send(newMessage(from, to, contentType, body)).getStatusCode();
    }

    /** A MESSAGE from {@code from} to {@code to} with a {@code type/subtype} body, ready to be {@link #send sent}. */
    public Request newMessage(String from, String to, String contentType, byte[] body) throws Exception {
        Request request = newRequest(Request.MESSAGE, from, to, to);
        String[] type = contentType.split("/", 2);
        request.setContent(body, headers.createContentTypeHeader(type[0], type[1]));
        return request;
    }

    /** An out-of-dialog request of any method, ready to be completed and {@link #send sent}. */
    public Request newRequest(String method, String from, String to, String requestUri) throws Exception {
        CallIdHeader callId = provider.getNewCallId();
        ViaHeader via = headers.createViaHeader(host, port, ListeningPoint.UDP, SipAgent.newBranch());
        Request request = messages.createRequest(addresses.createURI(requestUri), method, callId,
                headers.createCSeqHeader(cseq.incrementAndGet(), method),
                headers.createFromHeader(addresses.createAddress(from), SipAgent.newTag()),
                headers.createToHeader(addresses.createAddress(to), null), new ArrayList<>(List.of(via)),
                headers.createMaxForwardsHeader(70));
        return request;
    }

    /**
     * Adds a P-Asserted-Identity (RFC 3325): what a trusted node (the S-CSCF) asserts the sender to be, or what a
     * stranger forges.
     */
    public Request assertIdentity(Request request, String identity) throws ParseException {
        request.addHeader(headers.createHeader("P-Asserted-Identity", "<" + identity + ">"));
        return request;
    }

    /**
     * Sends a request to the server (UDP, or TCP above {@link SipAgent#UDP_SIZE_LIMIT}) and waits for its final response.
     * Throws {@link TimeoutException} when none comes.
     */
    public Response send(Request request) throws Exception {
        String transport = request.toString().getBytes(StandardCharsets.UTF_8).length > SipAgent.UDP_SIZE_LIMIT
                ? ListeningPoint.TCP : ListeningPoint.UDP;
        ((ViaHeader) request.getHeader(ViaHeader.NAME)).setTransport(transport);
        SipURI route = addresses.createSipURI(null, serverHost);
        route.setPort(serverPort);
        route.setTransportParam(transport);
        route.setLrParam();
        request.setHeader(headers.createRouteHeader(addresses.createAddress(route)));
        ClientTransaction transaction = provider.getNewClientTransaction(request);
        CompletableFuture<Response> response = new CompletableFuture<>();
        pending.put(transaction, response);
        try {
            transaction.sendRequest();
            return response.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            pending.remove(transaction);
        }
    }

    // ---------------------------------------------------------------- UAS behaviour

    /**
     * Answer INVITEs 200 with an SDP whose MSRP a=path is {@code path} (where the MSRP test peer listens or
     * will connect from) and whose a=setup is {@code setup} ({@code active}, {@code passive}, or {@code null}
     * for none).
     */
    public void answerWithMsrp(String path, String setup) {
        answerWithMsrp(path, setup, null, List.of());
    }

    /**
     * As {@link #answerWithMsrp(String, String)}, {@code path} being one URI or several separated by spaces (a
     * path through relays), with the c= address and m= port of {@code media} ({@code msrp://host:port}; {@code null}:
     * those of the first path URI) and {@code attributes} as extra lines (e.g. {@code a=max-size:100}).
     */
    public void answerWithMsrp(String path, String setup, String media, List<String> attributes) {
        this.msrpPath = path;
        this.msrpSetup = setup;
        this.msrpMedia = media == null ? null : URI.create(media);
        this.msrpAttributes = List.copyOf(attributes);
        this.rejectCode = 0;
        this.ringOnly = false;
    }

    /** Answer INVITEs 200 with an SDP that has no message media (an audio-only client). */
    public void answerWithoutMsrp() {
        this.msrpPath = null;
        this.rejectCode = 0;
        this.ringOnly = false;
    }

    /** Reject INVITEs with {@code code} (the default is 480). */
    public void rejectInvites(int code) {
        this.rejectCode = code;
        this.rejectRetryAfter = 0;
        this.ringOnly = false;
    }

    /** Reject INVITEs with {@code code} and a Retry-After of {@code seconds}. */
    public void rejectInvites(int code, int seconds) {
        rejectInvites(code);
        this.rejectRetryAfter = seconds;
    }

    /**
     * Answer INVITEs {@code code} (3xx) with these Contact header values (e.g. {@code <sip:bob@host:port>;q=0.5}),
     * or with no Contact when none are given.
     */
    public void redirectInvites(int code, String... contacts) {
        this.redirectCode = code;
        this.redirectContacts = List.of(contacts);
    }

    /**
     * Challenge every INVITE that has no valid digest answer (RFC 2617, MD5, qop=auth, a fresh nonce each time)
     * with 401 (or 407 when {@code proxy}); an INVITE with a valid answer for {@code username}/{@code password} is
     * handled as otherwise set. The digest is checked here with the RFC 2617 formulas, independently of the
     * server's code: {@link #digestChecks()}.
     */
    public void challengeInvites(boolean proxy, String realm, String username, String password) {
        challengeInvites(proxy, realm, username, password, "MD5");
    }

    /** Challenges BYEs too, as {@link #challengeInvites} does INVITEs (a proxy that challenges in-dialog requests). */
    public void challengeByes() {
        challengeByes = true;
    }

    /** Tells the next {@code count} correct digest answers that their nonce was stale (RFC 7616 section 3.3). */
    public void staleNonces(int count) {
        staleAnswers.set(count);
    }

    /** As {@link #challengeInvites(boolean, String, String, String)} with another algorithm, e.g. SHA-256. */
    public void challengeInvites(boolean proxy, String realm, String username, String password, String algorithm) {
        this.challenge = new Challenge(proxy, realm, username, password, algorithm);
    }

    /** The outcome of the check of each digest answer received, in order (true = valid). */
    public List<Boolean> digestChecks() {
        return List.copyOf(digestChecks);
    }

    /** Answer INVITEs 180 Ringing and never with a final response (a CANCEL is answered 200). */
    public void ringOnly() {
        this.ringOnly = true;
    }

    /** Ends the last answered INVITE's dialog with a BYE of our own; returns the BYE's final status. */
    public int hangUp() throws Exception {
        Dialog dialog = lastDialog;
        if (dialog == null) {
            throw new IllegalStateException("no answered INVITE to hang up");
        }
        ClientTransaction transaction = provider.getNewClientTransaction(dialog.createRequest(Request.BYE));
        CompletableFuture<Response> response = new CompletableFuture<>();
        pending.put(transaction, response);
        try {
            dialog.sendRequest(transaction);
            return response.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).getStatusCode();
        } finally {
            pending.remove(transaction);
        }
    }

    /** Answer incoming MESSAGEs with {@code code} (default 200); 0 = never answer them. */
    public void answerMessages(int code) {
        this.messageCode = code;
    }

    /** Answer BYE this much later than it arrives. */
    public void delayByeResponse(Duration delay) {
        this.byeDelay = delay;
    }

    // ---------------------------------------------------------------- records

    public List<Received> received() {
        return List.copyOf(received);
    }

    public List<Sent> sent() {
        return List.copyOf(sent);
    }

    /** The first received request of {@code method}, waiting up to {@code timeout} for it. */
    public Received awaitRequest(String method, Duration timeout) throws InterruptedException, TimeoutException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            for (Received r : received) {
                if (r.method().equals(method)) {
                    return r;
                }
            }
            Thread.sleep(20);
        }
        throw new TimeoutException("no " + method + " received within " + timeout);
    }

    /** The first response of {@code method} this client sent with {@code status}, waiting up to {@code timeout}. */
    public Sent awaitSent(String method, int status, Duration timeout) throws InterruptedException, TimeoutException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            for (Sent s : sent) {
                if (s.method().equals(method) && s.status() == status) {
                    return s;
                }
            }
            Thread.sleep(20);
        }
        throw new TimeoutException("no " + status + " to " + method + " sent within " + timeout);
    }

    // ---------------------------------------------------------------- SipListener

    @Override
    public void processRequest(RequestEvent event) {
        Request request = event.getRequest();
        received.add(new Received(Instant.now(), request));
        try {
            switch (request.getMethod()) {
                case Request.ACK -> {
                    // recorded; nothing to answer
                }
                case Request.INVITE -> onInvite(request, transaction(event));
                case Request.BYE -> {
                    ServerTransaction transaction = transaction(event);
                    Challenge c = challenge;
                    if (c != null && challengeByes && !authorized(request, c)) {
                        respond(transaction, c.proxy() ? Response.PROXY_AUTHENTICATION_REQUIRED
                                : Response.UNAUTHORIZED, response -> response.addHeader(challengeHeader(c, false)));
                    } else if (byeDelay.isZero()) {
                        respond(transaction, Response.OK, null);
                    } else {
                        scheduler.schedule(() -> respond(transaction, Response.OK, null), byeDelay.toMillis(),
                                TimeUnit.MILLISECONDS);
                    }
                }
                case Request.MESSAGE -> {
                    ServerTransaction transaction = transaction(event);
                    if (messageCode != 0) {
                        respond(transaction, messageCode, null);
                    }
                }
                default -> respond(transaction(event), Response.OK, null);
            }
        } catch (SipException | ParseException e) {
            throw new IllegalStateException("test client could not answer " + request.getMethod(), e);
        }
    }

    private ServerTransaction transaction(RequestEvent event) throws SipException {
        return event.getServerTransaction() != null
                ? event.getServerTransaction() : provider.getNewServerTransaction(event.getRequest());
    }

    private void onInvite(Request invite, ServerTransaction transaction) throws ParseException {
        if (ringOnly) {
            respond(transaction, Response.RINGING, null);
            return;
        }
        Challenge c = challenge;
        if (c != null) {
            boolean authorized = authorized(invite, c);
            boolean stale = authorized && staleAnswers.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
            if (!authorized || stale) {
                respond(transaction, c.proxy() ? Response.PROXY_AUTHENTICATION_REQUIRED : Response.UNAUTHORIZED,
                        response -> response.addHeader(challengeHeader(c, stale)));
                return;
            }
        }
        if (redirectCode != 0) {
            respond(transaction, redirectCode, response -> {
                for (String contact : redirectContacts) {
                    try {
                        response.addHeader(headers.createHeader(ContactHeader.NAME, contact));
                    } catch (ParseException e) {
                        throw new IllegalArgumentException(e);
                    }
                }
            });
            return;
        }
        if (rejectCode != 0) {
            int retryAfter = rejectRetryAfter;
            respond(transaction, rejectCode, retryAfter <= 0 ? null : response -> {
                try {
                    response.addHeader(headers.createRetryAfterHeader(retryAfter));
                } catch (InvalidArgumentException e) {
                    throw new IllegalArgumentException(e);
                }
            });
            return;
        }
        String user = ((SipURI) ((ToHeader) invite.getHeader(ToHeader.NAME)).getAddress().getURI()).getUser();
        String sdp = msrpPath != null ? msrpAnswer(msrpPath, msrpSetup) : audioAnswer();
        respond(transaction, Response.OK, response -> {
            try {
                Address contact = addresses.createAddress(contact(user));
                response.addHeader(headers.createContactHeader(contact));
                ContentTypeHeader type = headers.createContentTypeHeader("application", "sdp");
                response.setContent(sdp, type);
            } catch (ParseException e) {
                throw new IllegalStateException(e);
            }
        });
        lastDialog = transaction.getDialog();
    }

    private Header challengeHeader(Challenge c, boolean stale) {
        try {
            WWWAuthenticateHeader h = c.proxy()
                    ? headers.createProxyAuthenticateHeader("Digest") : headers.createWWWAuthenticateHeader("Digest");
            h.setRealm(c.realm());
            String nonce = SipAgent.newTag() + SipAgent.newTag();
            nonces.add(nonce);
            h.setNonce(nonce);
            h.setOpaque(SipAgent.newTag());
            h.setAlgorithm(c.algorithm());
            h.setQop("auth");
            if (stale) {
                h.setStale(true);
            }
            return h;
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether the request (an INVITE, or a BYE) answers a challenge of ours correctly: response = H(HA1:nonce:nc:cnonce:qop:HA2),
     * HA1 = H(username:realm:password), HA2 = H(method:digest-uri) (RFC 2617 section 3.2.2, H = MD5, or SHA-256
     * as in RFC 7616), the nonce is one
     * this client issued and the digest-uri is the Request-URI.
     */
    private boolean authorized(Request invite, Challenge c) {
        AuthorizationHeader a = (AuthorizationHeader) invite.getHeader(
                c.proxy() ? ProxyAuthorizationHeader.NAME : AuthorizationHeader.NAME);
        if (a == null) {
            return false;
        }
        String ha1 = hex(c.algorithm(), c.username() + ":" + c.realm() + ":" + c.password());
        String ha2 = hex(c.algorithm(), invite.getMethod() + ":" + a.getURI());
        String nc = String.format("%08x", a.getNonceCount());
        String expected = hex(c.algorithm(), ha1 + ":" + a.getNonce() + ":" + nc + ":" + a.getCNonce() + ":"
                                             + a.getQop() + ":" + ha2);
        boolean valid = nonces.contains(a.getNonce()) && c.algorithm().equals(a.getAlgorithm())
                        && c.username().equals(a.getUsername()) && c.realm().equals(a.getRealm())
                        && "auth".equals(a.getQop()) && a.getURI().equals(invite.getRequestURI())
                        && expected.equals(a.getResponse());
        digestChecks.add(valid);
        return valid;
    }

    private static String hex(String algorithm, String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance(algorithm)
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String msrpAnswer(String path, String setup) {
        URI uri = msrpMedia != null ? msrpMedia : URI.create(path.split(" ")[0]);
        return "v=0\r\n"
               + "o=- 1 1 IN IP4 " + uri.getHost() + "\r\n"
               + "s=-\r\n"
               + "c=IN IP4 " + uri.getHost() + "\r\n"
               + "t=0 0\r\n"
               + "m=message " + uri.getPort() + ("msrps".equals(URI.create(path.split(" ")[0]).getScheme()) ? " TCP/TLS/MSRP *\r\n" : " TCP/MSRP *\r\n")
               + "a=accept-types:message/cpim text/plain\r\n"
               + "a=path:" + path + "\r\n"
               + (setup == null ? "" : "a=setup:" + setup + "\r\n")
               + msrpAttributes.stream().map(a -> a + "\r\n").collect(Collectors.joining())
               + "a=recvonly\r\n";
    }

    private String audioAnswer() {
        return "v=0\r\no=- 1 1 IN IP4 " + host + "\r\ns=-\r\nc=IN IP4 " + host + "\r\nt=0 0\r\n"
               + "m=audio 49170 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
    }

    private void respond(ServerTransaction transaction, int code, Consumer<Response> decorate) {
        try {
            Response response = messages.createResponse(code, transaction.getRequest());
            ToHeader to = (ToHeader) response.getHeader(ToHeader.NAME);
            if (to.getTag() == null) {
                to.setTag(SipAgent.newTag());
            }
            if (decorate != null) {
                decorate.accept(response);
            }
            transaction.sendResponse(response);
            sent.add(new Sent(Instant.now(), transaction.getRequest().getMethod(), code));
        } catch (Exception e) {
            throw new IllegalStateException("test client could not send " + code, e);
        }
    }

    @Override
    public void processResponse(ResponseEvent event) {
        if (event.getClientTransaction() == null || event.getResponse().getStatusCode() < 200) {
            return;
        }
        CompletableFuture<Response> f = pending.get(event.getClientTransaction());
        if (f != null) {
            f.complete(event.getResponse());
        }
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        if (!event.isServerTransaction()) {
            CompletableFuture<Response> f = pending.get(event.getClientTransaction());
            if (f != null) {
                f.completeExceptionally(new TimeoutException("no response from the server"));
            }
        }
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
        // the transaction times out as well
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) {
        // nothing kept per transaction beyond send()
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) {
        // dialogs are the server's business here
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        provider.removeSipListener(this);
        SipAgent.stop(stack);
    }
}
