package org.imdp.ch1.peer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLParameters;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import org.imdp.ch1.codec.Diameter;
import org.imdp.ch1.codec.DiameterAvp;
import org.imdp.ch1.codec.DiameterEncoder;
import org.imdp.ch1.codec.DiameterFrameDecoder;
import org.imdp.ch1.codec.DiameterMessage;
import org.imdp.ch1.codec.MalformedDiameterMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport connection to one Diameter peer and its peer state machine (RFC 6733 §5.6, client
 * side only): connect, CER/CEA, then OPEN with the RFC 3539 watchdog (DWR after Tw without traffic,
 * connection dropped when a second Tw passes without an answer), DPR/DPA on shutdown, and reconnect
 * with exponential backoff after every loss. All methods run on the group's event loop.
 * <p>
 * An outage ({@link PeerOutage}) is logged once, with a WARN when the first attempt fails or the OPEN connection is
 * lost, then reminded at most every {@link #OUTAGE_REMINDER} whatever the reconnect backoff, and ends with an INFO when
 * the connection is OPEN again.
 */
final class PeerConnection {

    private static final Logger LOG = LoggerFactory.getLogger(PeerConnection.class);
    private static final DiameterEncoder ENCODER = new DiameterEncoder();
    /** While a peer stays down, its outage is logged again at most this often. */
    static final Duration OUTAGE_REMINDER = Duration.ofMinutes(5);

    enum State { CLOSED, CONNECTING, WAIT_CEA, OPEN, CLOSING, STOPPED }

    private final PeerGroup group;
    private final PeerSettings settings;
    private final InetSocketAddress address;
    private final String name;
    private final Map<Integer, PendingRequest> inFlight = new LinkedHashMap<>();

    private State state = State.CLOSED;
    private Channel channel;
    private int failedAttempts;
    private ScheduledFuture<?> reconnect;
    private ScheduledFuture<?> ceaTimeout;
    private Integer outstandingDwr;
    private Integer outstandingCer;
    private Integer outstandingDpr;
    private CompletableFuture<Void> stopped;
    private String peerOriginHost;
    private final PeerOutage outage;
    /** Why the connection is being closed before it was OPEN (no CEA, CEA refused, TLS), for the outage's log. */
    private String closeReason;

    PeerConnection(PeerGroup group, PeerSettings settings, InetSocketAddress address, PeerOutage outage) {
        this.group = group;
        this.settings = settings;
        this.address = address;
        this.name = PeerGroup.peerName(address);
        this.outage = outage;
    }

    String name() {
        return name;
    }

    boolean isOpen() {
        return state == State.OPEN;
    }

    /** The peer's state for health checks and gauges. */
    PeerGroup.PeerStatus status() {
        return new PeerGroup.PeerStatus(name, state == State.OPEN, outage.downFor(), outage.failures());
    }

    void connect() {
        if (state == State.STOPPED) {
            return;
        }
        state = State.CONNECTING;
        // name resolution may block on DNS: not on the event loop
        CompletableFuture.supplyAsync(() -> new InetSocketAddress(address.getHostString(), address.getPort()))
                .whenComplete((resolved, error) -> group.loop().execute(() -> connectTo(resolved)));
    }

    private void connectTo(InetSocketAddress resolved) {
        if (state == State.STOPPED) {
            return;
        }
        Bootstrap bootstrap = new Bootstrap().group(group.loop()).channel(group.channelType())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (settings.tls() != null) {
                            // RFC 6733 §13: TLS from connect, the CER already inside it
                            // the peer's certificate must name the host we connect to (RFC 6125, as HTTPS checks)
                            SslHandler tls = settings.tls().newHandler(ch.alloc(), address.getHostString(), address.getPort());
                            SSLParameters hostCheck = tls.engine().getSSLParameters();
                            hostCheck.setEndpointIdentificationAlgorithm("HTTPS");
                            tls.engine().setSSLParameters(hostCheck);
                            ch.pipeline().addLast("tls", tls);
                        }
                        long tw = settings.watchdogInterval().toMillis();
                        ch.pipeline().addLast("idle", new IdleStateHandler(tw, 0, 0, TimeUnit.MILLISECONDS));
                        ch.pipeline().addLast("decoder", new DiameterFrameDecoder(settings.maxFrameSize()));
                        ch.pipeline().addLast("encoder", ENCODER);
                        ch.pipeline().addLast("handler", new Handler());
                    }
                });
        bootstrap.connect(resolved).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                state = State.CLOSED;
                reportFailure("connect failed: " + f.cause().getMessage());
                scheduleReconnect();
                return;
            }
            if (state == State.STOPPED) {
                f.channel().close();
                return;
            }
            Channel connected = f.channel();
            channel = connected;
            SslHandler tls = connected.pipeline().get(SslHandler.class);
            if (tls == null) {
                sendCer();
                return;
            }
            tls.handshakeFuture().addListener(h -> {
                if (!h.isSuccess()) {
                    // the SslHandler closes the connection, and onClosed reports it and reconnects
                    if (channel == connected) {
                        closeReason = "TLS handshake failed: " + h.cause().getMessage();
                    } else {
                        LOG.debug("CH-1 peer {}: TLS handshake failed: {}", name, h.cause().getMessage());
                    }
                } else if (state == State.CONNECTING && channel == connected) {
                    LOG.debug("CH-1 peer {}: TLS {} with {}", name, tls.engine().getSession().getProtocol(),
                            tls.engine().getSession().getPeerPrincipal());
                    sendCer();
                }
            });
        });
    }

    private void sendCer() {
        state = State.WAIT_CEA;
        InetAddress hostIp = settings.hostIpAddress() != null ? settings.hostIpAddress()
                : ((InetSocketAddress) channel.localAddress()).getAddress();
        List<DiameterAvp> avps = new ArrayList<>(List.of(
                DiameterAvp.identity(Diameter.ORIGIN_HOST, 0, true, settings.originHost()),
                DiameterAvp.identity(Diameter.ORIGIN_REALM, 0, true, settings.originRealm()),
                DiameterAvp.address(Diameter.HOST_IP_ADDRESS, 0, true, hostIp),
                DiameterAvp.unsigned32(Diameter.VENDOR_ID, 0, true, settings.vendorId()),
                // RFC 6733 §5.3.7: Product-Name and Firmware-Revision must not have the M bit
                DiameterAvp.utf8(Diameter.PRODUCT_NAME, 0, false, settings.productName()),
                // the ACR carries 3GPP AVPs
                DiameterAvp.unsigned32(Diameter.SUPPORTED_VENDOR_ID, 0, true, Diameter.VENDOR_3GPP),
                DiameterAvp.unsigned32(Diameter.ACCT_APPLICATION_ID, 0, true, Diameter.APP_BASE_ACCOUNTING)));
        if (settings.firmwareRevision() != null) {
            avps.add(DiameterAvp.unsigned32(Diameter.FIRMWARE_REVISION, 0, false, settings.firmwareRevision()));
        }
        outstandingCer = group.ids().nextHopByHop();
        channel.writeAndFlush(new DiameterMessage(DiameterMessage.FLAG_REQUEST, Diameter.CMD_CAPABILITIES_EXCHANGE, 0,
                outstandingCer, group.ids().nextEndToEnd(), avps));
        ceaTimeout = group.loop().schedule(() -> {
            closeReason = "no CEA within " + settings.requestTimeout();
            channel.close();
        }, settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends a pending request on this OPEN connection; a re-send carries the T flag. */
    void send(PendingRequest pending) {
        int hopByHop = group.ids().nextHopByHop();
        DiameterMessage message = pending.request.withHopByHop(hopByHop);
        if (pending.sentBefore) {
            message = message.withRetransmit();
        }
        pending.sentBefore = true;
        pending.written = true;
        pending.lastSendRetransmitted = message.isRetransmit();
        pending.connection = this;
        pending.hopByHop = hopByHop;
        inFlight.put(hopByHop, pending);
        LOG.debug("CH-1 peer {}: sending {}", name, message);
        channel.writeAndFlush(message).addListener(f -> {
            if (!f.isSuccess()) {
                LOG.warn("CH-1 peer {}: write failed: {}", name, f.cause().getMessage());
                channel.close();
            }
        });
    }

    void forget(PendingRequest pending) {
        inFlight.remove(pending.hopByHop, pending);
    }

    /** Sends DPR and completes once DPA arrived or the disconnect timeout passed; then stays down. */
    CompletableFuture<Void> stop() {
        if (stopped != null) {
            return stopped;
        }
        stopped = new CompletableFuture<>();
        cancel(reconnect);
        State before = state;
        state = State.STOPPED;
        if (channel == null || !channel.isActive()) {
            stopped.complete(null);
            return stopped;
        }
        Channel ch = channel;
        ch.closeFuture().addListener(f -> stopped.complete(null));
        if (before == State.OPEN) {
            outstandingDpr = group.ids().nextHopByHop();
            ch.writeAndFlush(new DiameterMessage(DiameterMessage.FLAG_REQUEST, Diameter.CMD_DISCONNECT_PEER, 0,
                    outstandingDpr, group.ids().nextEndToEnd(), List.of(
                            DiameterAvp.identity(Diameter.ORIGIN_HOST, 0, true, settings.originHost()),
                            DiameterAvp.identity(Diameter.ORIGIN_REALM, 0, true, settings.originRealm()),
                            DiameterAvp.enumerated(Diameter.DISCONNECT_CAUSE, 0, true, Diameter.DISCONNECT_CAUSE_REBOOTING))));
            group.loop().schedule(() -> {
                if (ch.isActive()) {
                    LOG.warn("CH-1 peer {}: no DPA within {}, closing", name, settings.disconnectTimeout());
                    ch.close();
                }
            }, settings.disconnectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } else {
            ch.close();
        }
        return stopped;
    }

    private void scheduleReconnect() {
        if (state == State.STOPPED) {
            return;
        }
        long min = settings.reconnectDelayMin().toMillis();
        long max = settings.reconnectDelayMax().toMillis();
        long delay = Math.min(max, min << Math.min(failedAttempts, 20));
        failedAttempts++;
        LOG.debug("CH-1 peer {}: reconnecting in {} ms (attempt {})", name, delay, failedAttempts);
        reconnect = group.loop().schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    private void onMessage(DiameterMessage msg) {
        if (msg.isRequest()) {
            onRequest(msg);
            return;
        }
        if (outstandingCer != null && msg.hopByHop() == outstandingCer && msg.commandCode() == Diameter.CMD_CAPABILITIES_EXCHANGE) {
            onCea(msg);
        } else if (outstandingDwr != null && msg.hopByHop() == outstandingDwr && msg.commandCode() == Diameter.CMD_DEVICE_WATCHDOG) {
            outstandingDwr = null;
        } else if (outstandingDpr != null && msg.hopByHop() == outstandingDpr && msg.commandCode() == Diameter.CMD_DISCONNECT_PEER) {
            LOG.info("CH-1 peer {}: DPA received, closing", name);
            channel.close();
        } else {
            PendingRequest pending = inFlight.remove(msg.hopByHop());
            if (pending == null) {
                LOG.warn("CH-1 peer {}: dropping an answer with unknown Hop-by-Hop id: {}", name, msg);
                return;
            }
            pending.connection = null;
            group.answered(pending, new Ch1Answer(msg, name, pending.lastSendRetransmitted));
        }
    }

    private void onCea(DiameterMessage cea) {
        outstandingCer = null;
        cancel(ceaTimeout);
        long resultCode = cea.avp(Diameter.RESULT_CODE).map(DiameterAvp::asUnsigned32).orElse(0L);
        peerOriginHost = cea.avp(Diameter.ORIGIN_HOST).map(DiameterAvp::asIdentity).orElse("?");
        if (resultCode != Diameter.DIAMETER_SUCCESS) {
            closeReason = "CEA from " + peerOriginHost + " refused the connection with Result-Code " + resultCode + " "
                          + cea.avp(Diameter.ERROR_MESSAGE).map(DiameterAvp::asUtf8).orElse("");
            channel.close();
            return;
        }
        state = State.OPEN;
        failedAttempts = 0;
        PeerOutage.Ended ended = outage.opened();
        if (ended == null) {
            LOG.info("CH-1 peer {}: OPEN, Origin-Host {}", name, peerOriginHost);
        } else {
            LOG.info("CH-1 peer {}: OPEN again, Origin-Host {}, after {} s down and {} failed connection attempt(s)",
                    name, peerOriginHost, ended.down().toSeconds(), ended.failures());
        }
        group.opened(this);
    }

    private void onRequest(DiameterMessage request) {
        switch (request.commandCode()) {
            case Diameter.CMD_DEVICE_WATCHDOG -> channel.writeAndFlush(answer(request, Diameter.DIAMETER_SUCCESS));
            case Diameter.CMD_DISCONNECT_PEER -> {
                LOG.info("CH-1 peer {}: DPR received (Disconnect-Cause {}), answering and letting the peer close", name,
                        request.avp(Diameter.DISCONNECT_CAUSE).map(DiameterAvp::asEnumerated).orElse(-1));
                if (state == State.OPEN) {
                    state = State.CLOSING;
                    group.closing(this);
                }
                channel.writeAndFlush(answer(request, Diameter.DIAMETER_SUCCESS));
            }
            default -> {
                LOG.warn("CH-1 peer {}: unexpected request {}, answering DIAMETER_COMMAND_UNSUPPORTED", name, request);
                channel.writeAndFlush(answer(request, Diameter.DIAMETER_COMMAND_UNSUPPORTED));
            }
        }
    }

    private void onMalformed(MalformedDiameterMessage malformed) {
        DiameterMessage.Header header = malformed.header();
        if (header.isRequest()) {
            LOG.warn("CH-1 peer {}: malformed request {} ({}), answering DIAMETER_INVALID_AVP_LENGTH", name,
                    header.commandCode(), malformed.reason());
            channel.writeAndFlush(new DiameterMessage(0, header.commandCode(), header.applicationId(), header.hopByHop(),
                    header.endToEnd(), List.of(
                            DiameterAvp.identity(Diameter.ORIGIN_HOST, 0, true, settings.originHost()),
                            DiameterAvp.identity(Diameter.ORIGIN_REALM, 0, true, settings.originRealm()),
                            DiameterAvp.unsigned32(Diameter.RESULT_CODE, 0, true, Diameter.DIAMETER_INVALID_AVP_LENGTH))));
            return;
        }
        PendingRequest pending = inFlight.remove(header.hopByHop());
        LOG.error("CH-1 peer {}: malformed answer {} (hop-by-hop 0x{}): {}; the request will be retried", name,
                header.commandCode(), Integer.toHexString(header.hopByHop()), malformed.reason());
        if (pending != null) {
            pending.connection = null;
            group.fail(pending, "malformed answer from " + name + ": " + malformed.reason());
        }
    }

    /** An answer with the request's identifiers; 3xxx protocol errors set the E bit (RFC 6733 §7.1.3). */
    private DiameterMessage answer(DiameterMessage request, long resultCode) {
        List<DiameterAvp> avps = new ArrayList<>();
        request.avp(Diameter.SESSION_ID).ifPresent(avps::add);
        avps.add(DiameterAvp.unsigned32(Diameter.RESULT_CODE, 0, true, resultCode));
        avps.add(DiameterAvp.identity(Diameter.ORIGIN_HOST, 0, true, settings.originHost()));
        avps.add(DiameterAvp.identity(Diameter.ORIGIN_REALM, 0, true, settings.originRealm()));
        boolean protocolError = resultCode >= 3000 && resultCode < 4000;
        int flags = (request.flags() & DiameterMessage.FLAG_PROXIABLE) | (protocolError ? DiameterMessage.FLAG_ERROR : 0);
        return new DiameterMessage(flags, request.commandCode(), request.applicationId(), request.hopByHop(),
                request.endToEnd(), avps);
    }

    private void onIdle() {
        if (state != State.OPEN) {
            return;
        }
        if (outstandingDwr != null) {
            LOG.warn("CH-1 peer {}: no answer to DWR within {}, failing over", name, settings.watchdogInterval());
            channel.close();
            return;
        }
        outstandingDwr = group.ids().nextHopByHop();
        channel.writeAndFlush(new DiameterMessage(DiameterMessage.FLAG_REQUEST, Diameter.CMD_DEVICE_WATCHDOG, 0, outstandingDwr,
                group.ids().nextEndToEnd(), List.of(
                        DiameterAvp.identity(Diameter.ORIGIN_HOST, 0, true, settings.originHost()),
                        DiameterAvp.identity(Diameter.ORIGIN_REALM, 0, true, settings.originRealm()))));
    }

    private void onClosed() {
        cancel(ceaTimeout);
        outstandingCer = null;
        outstandingDwr = null;
        outstandingDpr = null;
        channel = null;
        boolean wasStopped = state == State.STOPPED;
        boolean wasOpen = state == State.OPEN || state == State.CLOSING;
        if (!wasStopped) {
            state = State.CLOSED;
        }
        List<PendingRequest> orphans = new ArrayList<>(inFlight.values());
        inFlight.clear();
        String reason = closeReason != null ? closeReason
                : (wasOpen ? "connection lost" : "connection closed before CEA");
        closeReason = null;
        if (wasStopped) {
            LOG.debug("CH-1 peer {}: connection closed, {} request(s) without answer", name, orphans.size());
        } else {
            reportFailure(reason + ", " + orphans.size() + " request(s) without answer");
        }
        group.lost(this, orphans);
        if (!wasStopped) {
            scheduleReconnect();
        }
    }

    /** A failed attempt or a lost connection, logged as its outage says: once, then a reminder now and then. */
    private void reportFailure(String reason) {
        switch (outage.failed()) {
            case WARN -> LOG.warn("CH-1 peer {}: down ({}); reconnecting with backoff up to {}, this is logged again at"
                                  + " most every {} while it stays down, and once when it is back; charging events wait"
                                  + " (health check ch1-peers, gauge imdp_ch1_peer_up)", name, reason,
                    seconds(settings.reconnectDelayMax()), seconds(OUTAGE_REMINDER));
            case REMIND -> LOG.warn("CH-1 peer {}: still down after {} s, {} failed connection attempt(s), the last: {}",
                    name, outage.downFor().toSeconds(), outage.failures(), reason);
            case QUIET -> LOG.debug("CH-1 peer {}: still down: {}", name, reason);
        }
    }

    private static String seconds(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }

    private static void cancel(ScheduledFuture<?> task) {
        if (task != null) {
            task.cancel(false);
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<Object> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof DiameterMessage message) {
                onMessage(message);
            } else if (msg instanceof MalformedDiameterMessage malformed) {
                onMalformed(malformed);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent) {
                onIdle();
            } else {
                super.userEventTriggered(ctx, evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (state == State.OPEN || state == State.CLOSING) {
                LOG.error("CH-1 peer {}: {}: resetting the connection", name, cause.getMessage());
            } else if (ctx.channel() == channel) {
                // before OPEN (a TLS handshake refused, a reset): a failed attempt, reported by its outage
                closeReason = cause.getMessage();
                LOG.debug("CH-1 peer {}: {}: resetting the connection", name, cause.getMessage());
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            onClosed();
        }
    }
}
