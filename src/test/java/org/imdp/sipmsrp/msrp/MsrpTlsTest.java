package org.imdp.sipmsrp.msrp;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslHandler;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.imdp.sipmsrp.SipMsrpComponent;
import org.imdp.test.NettyLeakDetection;
import org.imdp.test.TestCertificates;
import org.imdp.test.TestPorts;
import org.imdp.tls.TlsKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The TLS of msrps connections, handshakes between two {@link EmbeddedChannel}s with the certificates of
 * {@code scripts/tls/make-test-certs.sh}.
 */
@ExtendWith(NettyLeakDetection.class)
class MsrpTlsTest {

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
    void a_wrong_store_password_stops_the_push_producer_with_a_message_that_says_so() throws Exception {
        SSLContextParameters wrong = new TlsKeys(TestCertificates.file("server.p12").toString(), "wrong", "PKCS12", "", "",
                "PKCS12", false).parameters();
        SipMsrpComponent component = new SipMsrpComponent();
        component.getConfiguration().setHost("127.0.0.1");
        component.getConfiguration().setPort(TestPorts.next());
        component.getConfiguration().setMsrpHost("127.0.0.1");
        component.getConfiguration().setMsrpPort(TestPorts.next());
        component.getConfiguration().setMsrpTls(true);
        component.getConfiguration().setSslContextParameters(wrong);
        try (CamelContext camel = new DefaultCamelContext()) {
            camel.addComponent("sipmsrp", component);
            camel.start();

            assertThatThrownBy(() -> camel.getEndpoint("sipmsrp:push").createProducer().start())
                    .hasStackTraceContaining("Cannot load the TLS key or trust store");
        }
    }

    private void handshake(SSLContextParameters serverKeys, SSLContextParameters clientKeys, String host) {
        server = new EmbeddedChannel();
        serverTls = MsrpTls.of(TestCertificates.sslContext(serverKeys), required(serverKeys)).serverHandler(server.alloc());
        server.pipeline().addLast(MsrpTls.HANDLER, serverTls);
        server.pipeline().addLast(new Quiet());
        client = new EmbeddedChannel();
        clientTls = MsrpTls.of(TestCertificates.sslContext(clientKeys), false).clientHandler(client.alloc(), host, 2855);
        client.pipeline().addLast(MsrpTls.HANDLER, clientTls);
        client.pipeline().addLast(new Quiet());
        shuttle();
    }

    private static boolean required(SSLContextParameters keys) {
        return "REQUIRE".equals(keys.getServerParameters().getClientAuthentication());
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
