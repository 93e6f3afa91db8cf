package org.imdp.tls;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import org.apache.camel.CamelContext;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.support.jsse.SSLContextParameters;

/**
 * Netty TLS from Camel's {@link SSLContextParameters}. The {@link SslHandler} goes first in a pipeline, under the
 * name {@link #HANDLER}, so everything after it (limits, codecs, handlers) sees plain text.
 */
public final class NettyTls {

    /** Name of the {@link SslHandler} in every pipeline that has one: the first handler. */
    public static final String HANDLER = "tls";

    private NettyTls() {
    }

    /** A TLS client context: our certificate (if the key store has one) for peers that ask for it. */
    public static SslContext client(CamelContext camel, SSLContextParameters parameters) {
        return new JdkSslContext(sslContext(camel, parameters), true, ClientAuth.NONE);
    }

    /** A TLS server context: our certificate; a client certificate is required when the parameters say REQUIRE. */
    public static SslContext server(CamelContext camel, SSLContextParameters parameters) {
        boolean required = parameters.getServerParameters() != null
                && "REQUIRE".equals(parameters.getServerParameters().getClientAuthentication());
        return new JdkSslContext(sslContext(camel, parameters), false, required ? ClientAuth.REQUIRE : ClientAuth.NONE);
    }

    /**
     * The client handler of a connection to {@code host}: the peer's certificate must be issued by a trusted CA and
     * name {@code host} (subjectAltName DNS or IP, as HTTPS checks it, RFC 6125), so a certificate of another node
     * that the same CA signed is refused too.
     */
    public static SslHandler clientHandler(SslContext context, ByteBufAllocator alloc, String host, int port) {
        SslHandler handler = context.newHandler(alloc, host, port);
        SSLEngine engine = handler.engine();
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(parameters);
        return handler;
    }

    private static javax.net.ssl.SSLContext sslContext(CamelContext camel, SSLContextParameters parameters) {
        try {
            return parameters.createSSLContext(camel);
        } catch (Exception e) {
            throw new RuntimeCamelException("Cannot load the TLS key or trust store: " + e.getMessage(), e);
        }
    }
}
