package org.imdp.tls;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslHandler;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.imdp.ImdpSettings;
import org.imdp.test.NettyLeakDetection;
import org.imdp.test.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The keys of {@code imdp.tls.*} as Netty TLS, handshakes between two {@link EmbeddedChannel}s with the certificates
 * of {@code scripts/tls/make-test-certs.sh}.
 */
@ExtendWith(NettyLeakDetection.class)
class NettyTlsTest {

    private final DefaultCamelContext camel = new DefaultCamelContext();
    private EmbeddedChannel client;
    private EmbeddedChannel server;
    private SslHandler serverTls;
    private SslHandler clientTls;

    @AfterEach
    void close() {
        if (client != null) {
            client.finishAndReleaseAll();
        }
        if (server != null) {
            server.finishAndReleaseAll();
        }
    }

    @Test
    void a_client_that_trusts_the_ca_talks_to_the_server_and_shows_its_certificate_when_asked() throws Exception {
        handshake(TestCertificates.parameters("server", true), TestCertificates.parameters("client", false), "127.0.0.1");

        assertThat(serverTls().handshakeFuture().isSuccess()).isTrue();
        assertThat(clientTls().handshakeFuture().isSuccess()).isTrue();
        assertThat(serverTls().engine().getSession().getPeerPrincipal().getName())
                .isEqualTo("CN=" + TestCertificates.CLIENT_NAME);
        client.writeOutbound(Unpooled.copiedBuffer("MSRP a786hjs2 SEND\r\n", StandardCharsets.US_ASCII));
        shuttle();
        ByteBuf plain = server.readInbound();
        assertThat(plain.toString(StandardCharsets.US_ASCII)).isEqualTo("MSRP a786hjs2 SEND\r\n");
        plain.release();
    }

    @Test
    void client_auth_required_refuses_a_client_without_a_certificate() {
        SSLContextParameters anonymous = TestCertificates.parameters("client", false);
        anonymous.setKeyManagers(null);

        handshake(TestCertificates.parameters("server", true), anonymous, "127.0.0.1");

        assertThat(serverTls().handshakeFuture().cause()).hasMessageContaining("Empty client certificate chain");
    }

    @Test
    void without_client_auth_a_client_without_a_certificate_is_served() {
        SSLContextParameters anonymous = TestCertificates.parameters("client", false);
        anonymous.setKeyManagers(null);

        handshake(TestCertificates.parameters("server", false), anonymous, "localhost");

        assertThat(serverTls().handshakeFuture().isSuccess()).isTrue();
        assertThat(clientTls().handshakeFuture().isSuccess()).isTrue();
    }

    @Test
    void the_client_refuses_a_server_certificate_that_does_not_name_the_host_it_connected_to() {
        handshake(TestCertificates.parameters("server", false), TestCertificates.parameters("client", false), "127.0.0.2");

        assertThat(clientTls().handshakeFuture().cause()).hasMessageContaining("No subject alternative names matching IP address 127.0.0.2");
    }

    @Test
    void the_client_refuses_a_server_certificate_from_a_ca_it_does_not_trust() {
        SSLContextParameters jvmTrust = TestCertificates.parameters("client", false);
        jvmTrust.setTrustManagers(null);

        handshake(TestCertificates.parameters("server", false), jvmTrust, "127.0.0.1");

        assertThat(clientTls().handshakeFuture().cause()).hasMessageContaining("unable to find valid certification path");
    }

    @Test
    void keys_come_from_the_imdp_tls_settings_and_an_unreadable_store_names_its_key() {
        Path dir = TestCertificates.dir();
        TlsKeys keys = TlsKeys.from(settings("imdp.tls.keystore", dir.resolve("server.p12").toString(),
                "imdp.tls.keystore-password", TestCertificates.PASSWORD, "imdp.tls.keystore-type", "PKCS12",
                "imdp.tls.truststore", dir.resolve("truststore.p12").toString(),
                "imdp.tls.truststore-password", TestCertificates.PASSWORD, "imdp.tls.truststore-type", "PKCS12",
                "imdp.tls.client-auth", "true"));
        assertThat(keys.configured()).isTrue();
        assertThat(keys.parameters().getServerParameters().getClientAuthentication()).isEqualTo("REQUIRE");

        TlsKeys none = TlsKeys.from(settings("imdp.tls.keystore", "", "imdp.tls.keystore-password", "",
                "imdp.tls.keystore-type", "PKCS12", "imdp.tls.truststore", "", "imdp.tls.truststore-password", "",
                "imdp.tls.truststore-type", "PKCS12", "imdp.tls.client-auth", "false"));
        assertThat(none.configured()).isFalse();

        assertThatThrownBy(() -> TlsKeys.from(settings("imdp.tls.keystore", dir.resolve("missing.p12").toString(),
                "imdp.tls.keystore-password", "", "imdp.tls.keystore-type", "PKCS12", "imdp.tls.truststore", "",
                "imdp.tls.truststore-password", "", "imdp.tls.truststore-type", "PKCS12", "imdp.tls.client-auth", "false")))
                .hasMessageContaining("imdp.tls.keystore = ").hasMessageContaining("missing.p12 is not a readable file");
    }

    @Test
    void a_wrong_store_password_fails_with_a_message_that_says_so() {
        SSLContextParameters wrong = new TlsKeys(TestCertificates.file("server.p12").toString(), "wrong", "PKCS12", "", "",
                "PKCS12", false).parameters();

        assertThatThrownBy(() -> NettyTls.server(camel, wrong)).hasMessageStartingWith("Cannot load the TLS key or trust store");
    }

    private static ImdpSettings settings(String... keyValues) {
        DefaultCamelContext context = new DefaultCamelContext();
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        context.getPropertiesComponent().setInitialProperties(p);
        return new ImdpSettings(context.getPropertiesComponent());
    }

    private void handshake(SSLContextParameters serverKeys, SSLContextParameters clientKeys, String host) {
        server = new EmbeddedChannel();
        serverTls = NettyTls.server(camel, serverKeys).newHandler(server.alloc());
        server.pipeline().addLast(NettyTls.HANDLER, serverTls);
        server.pipeline().addLast(new Quiet());
        client = new EmbeddedChannel();
        clientTls = NettyTls.clientHandler(NettyTls.client(camel, clientKeys), client.alloc(), host, 5061);
        client.pipeline().addLast(NettyTls.HANDLER, clientTls);
        client.pipeline().addLast(new Quiet());
        shuttle();
    }

    /** Carries what each side wrote to the other until neither writes any more. */
    private void shuttle() {
        boolean moved = true;
        while (moved) {
            moved = move(client, server) | move(server, client);
        }
    }

    private static boolean move(EmbeddedChannel from, EmbeddedChannel to) {
        boolean moved = false;
        ByteBuf buf;
        while ((buf = from.readOutbound()) != null) {
            moved = true;
            if (to.isOpen()) {
                to.writeOneInbound(buf);
                // the SslHandler flushes what it wrote while reading at the end of the read
                to.pipeline().fireChannelReadComplete();
                to.runPendingTasks();
            } else {
                buf.release();
            }
        }
        return moved;
    }

    /** The handlers themselves: a failed handshake closes the channel, which empties its pipeline. */
    private SslHandler serverTls() {
        return serverTls;
    }

    private SslHandler clientTls() {
        return clientTls;
    }

    /** A failed handshake is what these tests look at (its future), not an exception to rethrow. */
    private static final class Quiet extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
