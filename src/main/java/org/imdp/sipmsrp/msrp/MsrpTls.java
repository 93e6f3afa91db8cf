package org.imdp.sipmsrp.msrp;

import java.util.Objects;

import io.netty.handler.ssl.SslContext;

/**
 * TLS of msrps sessions (RFC 4975 §14): certificates, no fingerprints in the SDP.
 *
 * @param server the context of accepted connections (our certificate; a client certificate when required)
 * @param client the context of connections we open (the peer's certificate must name the host of its path)
 */
public record MsrpTls(SslContext server, SslContext client) {

    public MsrpTls {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(client, "client");
    }
}
