package org.imdp.sipmsrp.msrp;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

import io.netty.handler.ssl.SslContext;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.imdp.sipmsrp.msrp.codec.MsrpResponse;
import org.imdp.test.NettyLeakDetection;
import org.imdp.test.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * MSRP over TLS (msrps, RFC 4975 §14) on loopback between {@link NettyMsrpSessions} (the service, with the test CA's
 * server certificate) and {@link MsrpTestPeer} (the IM Client, with its client certificate), both trusting the test CA.
 */
@ExtendWith(NettyLeakDetection.class)
class MsrpTlsSessionsTest {

    private static final long WAIT_SECONDS = 10;
    private static final String TEXT = "text/plain;charset=UTF-8";

    private final MsrpTestPeer peer = new MsrpTestPeer();
    private NettyMsrpSessions sessions;

    @AfterEach
    void stopAll() {
        if (sessions != null) {
            sessions.close();
        }
        peer.close();
    }

    @Test
    void the_service_connects_over_tls_to_an_msrps_path_and_delivers() throws Exception {
        peer.tls(server(TestCertificates.parameters("client", false)), client(TestCertificates.parameters("client", false))).start(0);
        start(TestCertificates.parameters("server", false));
        MsrpLocalEndpoint endpoint = sessions.allocate();
        assertThat(endpoint.localPath()).startsWith("msrps://127.0.0.1:" + sessions.port() + "/");

        MsrpSession session = get(endpoint.connect(List.of(peer.path())));
        MsrpSendResult result = get(session.send("tls00001", TEXT, "over TLS".getBytes(StandardCharsets.UTF_8)));

        assertThat(result.acknowledged()).isTrue();
        assertThat(peer.message("tls00001")).asString(StandardCharsets.UTF_8).isEqualTo("over TLS");
        assertThat(peer.frames().get(1).request().fromPath()).isEqualTo(endpoint.localPath());
        endpoint.close();
    }

    @Test
    void a_client_that_connects_itself_is_accepted_over_tls_with_its_certificate_required() throws Exception {
        peer.tls(server(TestCertificates.parameters("client", false)), client(TestCertificates.parameters("client", false))).start(0);
        start(TestCertificates.parameters("server", true));
        MsrpLocalEndpoint endpoint = sessions.allocate();
        CompletableFuture<MsrpSession> accepting = endpoint.accept(List.of(peer.path()), Duration.ofSeconds(WAIT_SECONDS));

        MsrpTestPeer.Connection connection = peer.connect(endpoint.localPath());
        assertThat(get(connection.bind()).status()).isEqualTo(MsrpResponse.OK);
        MsrpSession session = get(accepting);
        assertThat(get(session.send("tls00002", TEXT, "back".getBytes(StandardCharsets.UTF_8))).acknowledged()).isTrue();
        assertThat(peer.message("tls00002")).asString(StandardCharsets.UTF_8).isEqualTo("back");
        endpoint.close();
    }

    @Test
    void a_client_without_a_certificate_cannot_bind_when_one_is_required() throws Exception {
        SSLContextParameters anonymous = TestCertificates.parameters("client", false);
        anonymous.setKeyManagers(null);
        peer.tls(server(TestCertificates.parameters("client", false)), client(anonymous)).start(0);
        start(TestCertificates.parameters("server", true));
        MsrpLocalEndpoint endpoint = sessions.allocate();
        CompletableFuture<MsrpSession> accepting = endpoint.accept(List.of(peer.path()), Duration.ofMillis(500));

        MsrpTestPeer.Connection connection = peer.connect(endpoint.localPath());
        connection.bind();

        get(connection.closed());
        assertThat(connection.responses()).isEmpty();
        assertThatThrownBy(() -> get(accepting)).cause().isInstanceOf(MsrpException.class)
                .hasMessageContaining("No MSRP connection");
    }

    @Test
    void a_peer_whose_certificate_does_not_name_its_host_is_refused() {
        peer.tls(server(TestCertificates.parameters("client", false)), client(TestCertificates.parameters("client", false))).start(0);
        start(TestCertificates.parameters("server", false));
        // the same peer, reached at an address its certificate does not name (CEMA: the c=/m= address)
        CompletableFuture<MsrpSession> connecting = sessions.allocate().connect(List.of(peer.path()), "127.0.0.2", peer.port());

        assertThatThrownBy(() -> get(connecting)).cause().isInstanceOf(MsrpException.class);
    }

    @Test
    void an_msrps_session_never_falls_back_to_a_plain_msrp_path() {
        peer.start(0);
        start(TestCertificates.parameters("server", false));

        CompletableFuture<MsrpSession> connecting = sessions.allocate().connect(List.of(peer.path()));

        assertThatThrownBy(() -> get(connecting)).cause().isInstanceOf(MsrpException.class)
                .hasMessageContaining("the peer's path is msrp (plain TCP), but the session is msrps (TLS)");
        assertThat(peer.frames()).isEmpty();
    }

    private void start(SSLContextParameters keys) {
        sessions = new NettyMsrpSessions(MsrpSessionsConfig.of("127.0.0.1", 0).withConnectTimeout(Duration.ofSeconds(WAIT_SECONDS)),
                ForkJoinPool.commonPool(), MsrpTls.of(TestCertificates.sslContext(keys),
                        "REQUIRE".equals(keys.getServerParameters().getClientAuthentication())));
        sessions.start();
    }

    /** The peer's side: it never asks for a client certificate. */
    private static SslContext server(SSLContextParameters keys) {
        return MsrpTls.of(TestCertificates.sslContext(keys), false).server();
    }

    private static SslContext client(SSLContextParameters keys) {
        return MsrpTls.of(TestCertificates.sslContext(keys), false).client();
    }

    private static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }
}
