package org.imdp.sipmsrp.msrp;

import java.util.Objects;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

/**
 * TLS of msrps sessions (RFC 4975 §14): certificates, no fingerprints in the SDP. The {@link SslHandler} goes first
 * in a connection's pipeline, under the name {@link #HANDLER}, so the codec after it sees plain text.
 *
 * @param server the context of accepted connections (our certificate; a client certificate when required)
 * @param client the context of connections we open (the peer's certificate must name the host of its path)
 */
public record MsrpTls(SslContext server, SslContext client) {

    /** Name of the {@link SslHandler} in the pipeline of an msrps connection. */
    public static final String HANDLER = "tls";

    public MsrpTls {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(client, "client");
    }

    /**
     * Both sides from one JDK context (our certificate and the CAs we trust), e.g. Camel's
     * {@code SSLContextParameters.createSSLContext}.
     *
     * @param clientAuthRequired an accepted connection must show a certificate the context trusts (mutual TLS)
     */
    public static MsrpTls of(SSLContext context, boolean clientAuthRequired) {
        return new MsrpTls(new JdkSslContext(context, false, clientAuthRequired ? ClientAuth.REQUIRE : ClientAuth.NONE),
                new JdkSslContext(context, true, ClientAuth.NONE));
    }

    /** The handler of a connection the peer opened. */
    public SslHandler serverHandler(ByteBufAllocator alloc) {
        return server.newHandler(alloc);
    }

    /**
     * The handler of a connection we open to {@code host}: the peer's certificate must be issued by a trusted CA and
     * name {@code host} (subjectAltName DNS or IP, as HTTPS checks it, RFC 6125), so a certificate of another node
     * that the same CA signed is refused too.
     */
    public SslHandler clientHandler(ByteBufAllocator alloc, String host, int port) {
        SslHandler handler = client.newHandler(alloc, host, port);
        SSLEngine engine = handler.engine();
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(parameters);
        return handler;
    }
}
