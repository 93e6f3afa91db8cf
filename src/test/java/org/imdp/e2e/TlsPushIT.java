package org.imdp.e2e;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import javax.net.ssl.SSLSocket;

import org.imdp.ch1.support.FreeDiameter;
import org.imdp.ch1.support.FreeDiameterExtension;
import org.imdp.cpim.CpimMessage;
import org.imdp.sipmsrp.SipTestClient;
import org.imdp.sipmsrp.RawSipClient;
import org.imdp.sipmsrp.msrp.MsrpTestPeer;
import org.imdp.sipmsrp.msrp.MsrpTls;
import org.imdp.test.TestCertificates;
import org.imdp.test.TestPorts;
import org.imdp.test.peers.KamailioMsrpPeer;
import org.imdp.test.peers.ServiceProcess;
import org.imdp.test.peers.TsharkCapture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged service with TLS on all three interfaces and mutual TLS required, keys from imdp.tls.* (the test CA
 * of scripts/tls/make-test-certs.sh): MESSAGEs deposited over SIP/TLS by a trusted node, pushed over MSRP/TLS (msrps)
 * to the team's own MSRP client or to Kamailio's msrp module with its tls module, charged over Diameter/TLS at
 * freeDiameter's secure port. tshark sees TLS on each connection and the message's text on none of them.
 */
class TlsPushIT {

    private static final Duration WAIT = Duration.ofSeconds(40);

    @RegisterExtension
    static final FreeDiameterExtension CDF = new FreeDiameterExtension(
            new FreeDiameter("tls-push-it", TestCertificates.SERVER_NAME, TestCertificates.dir()));

    @TempDir
    static Path dataDir;

    private static final int SIP_PORT = TestPorts.next();
    private static final int SIP_TLS_PORT = TestPorts.next();
    private static ServiceProcess service;

    @BeforeAll
    static void startService() {
        service = Services.onFreePorts(SIP_PORT, dataDir)
                .property("imdp.tls.keystore", TestCertificates.file("client.p12").toString())
                .property("imdp.tls.keystore-password", TestCertificates.PASSWORD)
                .property("imdp.tls.truststore", TestCertificates.file("truststore.p12").toString())
                .property("imdp.tls.truststore-password", TestCertificates.PASSWORD)
                .property("imdp.tls.client-auth", "true")
                .property("imdp.sip.tls-port", String.valueOf(SIP_TLS_PORT))
                .property("imdp.msrp.tls", "true")
                .property("imdp.ch1.tls", "true")
                .property("imdp.ch1.peers", "127.0.0.1:" + CDF.server().tlsPort()).start();
    }

    @AfterAll
    static void stopService() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void a_message_deposited_over_sip_tls_is_pushed_over_msrps_and_charged_over_diameter_tls() throws Exception {
        String secret = "meet at the usual place at 9";
        String bob = "sip:bob@127.0.0.1";
        int diameterTlsPort = CDF.server().tlsPort();
        MsrpTls clientTls = MsrpTls.of(TestCertificates.sslContext(TestCertificates.parameters("server", false)), false);

        // the IM Client's MSRP side listens on msrps with the server certificate (it names 127.0.0.1)
        try (MsrpTestPeer msrp = new MsrpTestPeer().tls(clientTls.server(), clientTls.client()).start(0);
             TsharkCapture capture = TsharkCapture.start(SIP_TLS_PORT, msrp.port(), diameterTlsPort)
                     .decodeAsTls(SIP_TLS_PORT, msrp.port(), diameterTlsPort);
             SipTestClient client = SipTestClient.start("127.0.0.1", SIP_PORT)) {

            deposit(bob, secret);
            client.answerWithMsrp(msrp.path(), "passive");
            client.register(bob, 600);

            await().atMost(WAIT).untilAsserted(() -> assertThat(msrp.frames()).anyMatch(f -> f.body().length > 0));
            CpimMessage pushed = CpimMessage.parse(msrp.frames().stream().filter(f -> f.body().length > 0).findFirst()
                    .orElseThrow().body());
            assertThat(new String(pushed.body(), StandardCharsets.UTF_8)).isEqualTo(secret);
            assertThat(msrp.frames().get(0).request().fromPath()).startsWith("msrps://127.0.0.1:");
            service.waitForLog(Pattern.compile("Charged push \\S+ for " + Pattern.quote(bob) + ": .*Result-Code 2001"), WAIT);
            assertThat(CDF.server().log()).contains("Connected to 'im-deferred.localdomain' (TCP,TLS,");
            assertThat(client.received()).anyMatch(r -> r.method().equals("INVITE")
                    && new String(r.request().getRawContent(), StandardCharsets.US_ASCII).contains(" TCP/TLS/MSRP "));

            // the CH-1 connection's handshake came at the service's start, before this capture
            for (int port : new int[] {SIP_TLS_PORT, msrp.port()}) {
                assertThat(capture.decode("tcp.dstport == " + port + " and tls.handshake.type == 1"))
                        .as("ClientHello to port %d", port).isNotEmpty();
            }
            for (int port : new int[] {SIP_TLS_PORT, msrp.port(), diameterTlsPort}) {
                assertThat(capture.decode("tcp.port == " + port + " and tls.app_data"))
                        .as("TLS application data on port %d", port).isNotEmpty();
            }
            assertThat(capture.decode("frame contains \"" + secret + "\"")).as("the text in the clear").isEmpty();
            assertThat(capture.decode("sip or msrp or diameter")).as("SIP, MSRP or Diameter in the clear").isEmpty();
        }
    }

    @Test
    void a_push_over_msrps_reaches_kamailio_msrp_through_its_tls_module() throws Exception {
        String carol = "sip:carol@127.0.0.1";
        int kamailioPort = TestPorts.next();
        try (KamailioMsrpPeer kamailio = KamailioMsrpPeer.startTls(kamailioPort, TestCertificates.dir());
             TsharkCapture capture = TsharkCapture.start(kamailioPort).decodeAsTls(kamailioPort);
             SipTestClient client = SipTestClient.start("127.0.0.1", SIP_PORT)) {

            deposit(carol, "first over TLS");
            deposit(carol, "second over TLS");
            // Kamailio answers any session-id: the path only has to name its TLS port
            client.answerWithMsrp("msrps://127.0.0.1:" + kamailioPort + "/kam1tls2peer3;tcp", "passive");
            client.register(carol, 600);

            List<KamailioMsrpPeer.Frame> frames = kamailio.awaitReceived(3, WAIT);
            assertThat(frames).extracting(KamailioMsrpPeer.Frame::method).containsOnly("SEND");
            assertThat(frames.subList(1, 3)).extracting(f -> CpimMessage.parse(f.body().getBytes(StandardCharsets.UTF_8)))
                    .extracting(c -> new String(c.body(), StandardCharsets.UTF_8))
                    .containsExactly("first over TLS", "second over TLS");
            service.waitForLog(Pattern.compile("Push to " + Pattern.quote(carol) + ".*2 sent, 2 acknowledged"), WAIT);
            assertThat(capture.decode("tcp.dstport == " + kamailioPort + " and tls.handshake.type == 1")).isNotEmpty();
            assertThat(capture.decode("frame contains \"over TLS\"")).as("the text in the clear").isEmpty();
        }
    }

    /** A MESSAGE to {@code recipient} over SIP/TLS, from a trusted node with a certificate of the test CA. */
    private static void deposit(String recipient, String text) throws Exception {
        try (SSLSocket node = RawSipClient.connect(TestCertificates.parameters("server", false), "127.0.0.1", SIP_TLS_PORT)) {
            assertThat(RawSipClient.message(node, "sip:alice@127.0.0.1", recipient, text)).isEqualTo("SIP/2.0 202 Accepted");
        }
    }
}
