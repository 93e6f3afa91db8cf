package org.imdp.sipmsrp.push;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import javax.sip.message.Response;

import org.imdp.sipmsrp.SipMsrpConfiguration;
import org.imdp.sipmsrp.SipMsrpPushException;
import org.imdp.sipmsrp.msrp.MsrpLocalEndpoint;
import org.imdp.sipmsrp.msrp.MsrpSession;
import org.imdp.sipmsrp.sdp.SdpAnswer;

/**
 * Between steps 2 and 3: the MSRP session the client's SDP answer describes. We connect to its first a=path hop
 * (or to its c=/m= address when both sides agreed on CEMA) unless it answered {@code a=setup:active}, when the
 * client connects to us. An answer without MSRP, without a=path or without every payload type among its
 * accept-types fails the push with 488.
 */
final class MsrpConnect {

    /** The MSRP session, and the largest message the client takes ({@code a=max-size}, or {@code null}). */
    record Connected(MsrpSession session, Long peerMaxSize) {
    }

    private final SipMsrpConfiguration config;
    private final String recipient;
    private final List<String> payloadTypes;

    MsrpConnect(SipMsrpConfiguration config, String recipient, List<String> payloadTypes) {
        this.config = config;
        this.recipient = recipient;
        this.payloadTypes = payloadTypes;
    }

    /** Connects (or accepts) {@code local} to the MSRP media of {@code answer}, the INVITE's 2xx. */
    CompletableFuture<Connected> open(Response answer, MsrpLocalEndpoint local) {
        byte[] raw = answer.getRawContent();
        SdpAnswer.MsrpMedia media = SdpAnswer.parse(raw == null ? null : new String(raw, StandardCharsets.UTF_8))
                .msrp().orElseThrow(() -> notAcceptable("client answered without MSRP"));
        for (String type : payloadTypes) {
            if (!media.accepts(type)) {
                throw notAcceptable("client does not accept " + type);
            }
        }
        if (media.path().isEmpty()) {
            throw notAcceptable("client answered MSRP without a=path");
        }
        CompletableFuture<MsrpSession> connected;
        if (!media.weConnect()) {
            connected = local.accept(media.path(), Duration.ofMillis(config.getMsrpConnectTimeout()));
        } else if (media.cemaAgreed(config.isMsrpCema())) {
            connected = local.connect(media.path(), media.address(), media.port());
        } else {
            connected = local.connect(media.path());
        }
        Long peerMaxSize = media.maxSize();
        return connected.thenApply(session -> new Connected(session, peerMaxSize));
    }

    private CompletionException notAcceptable(String reason) {
        return new CompletionException(new SipMsrpPushException(recipient, Response.NOT_ACCEPTABLE_HERE, reason));
    }
}
