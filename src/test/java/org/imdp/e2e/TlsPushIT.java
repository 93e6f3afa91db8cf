package org.imdp.e2e;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

import javax.net.ssl.SSLSocket;

import org.apache.camel.impl.DefaultCamelContext;
import org.imdp.ch1.support.FreeDiameter;
import org.imdp.ch1.support.FreeDiameterExtension;
import org.imdp.cpim.CpimMessage;
import org.imdp.sipmsrp.SipTestClient;
import org.imdp.sipmsrp.SipTlsClient;
import org.imdp.sipmsrp.msrp.MsrpTestPeer;
import org.imdp.test.TestCertificates;
import org.imdp.test.TestPorts;
import org.imdp.test.peers.ServiceProcess;
import org.imdp.test.peers.TsharkCapture;
import org.imdp.tls.NettyTls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged service with TLS on all three interfaces and mutual TLS required, keys from imdp.tls.* (the test CA
 * of scripts/tls/make-test-certs.sh): a MESSAGE deposited over SIP/TLS by a trusted node, pushed over MSRP/TLS (msrps)
 * to the team's own MSRP client, charged over Diameter/TLS at freeDiameter's secure port. tshark sees TLS on each of
 * the three connections and the message's text on none of them.
 */
class TlsPushIT {

    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final String SECRET = "meet at the usual place at 9";

    @RegisterExtension
    static final FreeDiameterExtension CDF = new FreeDiameterExtension(
            new FreeDiameter("tls-push-it", TestCertificates.SERVER_NAME, TestCertificates.dir()));

    @TempDir
    Path dataDir;

    @Test
    void a_message_deposited_over_sip_tls_is_pushed_over_msrps_and_charged_over_diameter_tls() throws Exception {
        int sipPort = TestPorts.next();
        int sipTlsPort = TestPorts.next();
        int diameterTlsPort = CDF.server().tlsPort();
        DefaultCamelContext camel = new DefaultCamelContext();
        String bob = "sip:bob@127.0.0.1";

        // the IM Client's MSRP side listens on msrps with the server certificate (it names 127.0.0.1)
        try (MsrpTestPeer msrp = new MsrpTestPeer()
                .tls(NettyTls.server(camel, TestCertificates.parameters("server", false)),
                        NettyTls.client(camel, TestCertificates.parameters("server", false))).start(0);
             TsharkCapture capture = TsharkCapture.start(sipTlsPort, msrp.port(), diameterTlsPort)
                     .decodeAsTls(sipTlsPort, msrp.port(), diameterTlsPort);
             ServiceProcess service = Services.onFreePorts(sipPort, dataDir)
                     .property("imdp.tls.keystore", TestCertificates.file("client.p12").toString())
                     .property("imdp.tls.keystore-password", TestCertificates.PASSWORD)
                     .property("imdp.tls.truststore", TestCertificates.file("truststore.p12").toString())
                     .property("imdp.tls.truststore-password", TestCertificates.PASSWORD)
                     .property("imdp.tls.client-auth", "true")
                     .property("imdp.sip.tls-port", String.valueOf(sipTlsPort))
                     .property("imdp.msrp.tls", "true")
                     .property("imdp.ch1.tls", "true")
                     .property("imdp.ch1.peers", "127.0.0.1:" + diameterTlsPort).start();
             SipTestClient client = SipTestClient.start("127.0.0.1", sipPort)) {

            try (SSLSocket scscf = SipTlsClient.connect(TestCertificates.parameters("server", false), "127.0.0.1", sipTlsPort)) {
                assertThat(SipTlsClient.message(scscf, "sip:alice@127.0.0.1", bob, SECRET)).isEqualTo("SIP/2.0 202 Accepted");
            }
            client.answerWithMsrp(msrp.path(), "passive");
            client.register(bob, 600);

            await().atMost(WAIT).untilAsserted(() -> assertThat(msrp.frames()).anyMatch(f -> f.body().length > 0));
            CpimMessage pushed = CpimMessage.parse(msrp.frames().stream().filter(f -> f.body().length > 0).findFirst()
                    .orElseThrow().body());
            assertThat(new String(pushed.body(), StandardCharsets.UTF_8)).isEqualTo(SECRET);
            assertThat(msrp.frames().get(0).request().fromPath()).startsWith("msrps://127.0.0.1:");
            service.waitForLog(Pattern.compile("Charged push \\S+ for " + Pattern.quote(bob) + ": .*Result-Code 2001"), WAIT);
            assertThat(CDF.server().log()).contains("Connected to 'im-deferred.localdomain' (TCP,TLS,");
            assertThat(client.received()).anyMatch(r -> r.method().equals("INVITE")
                    && new String(r.request().getRawContent(), StandardCharsets.US_ASCII).contains(" TCP/TLS/MSRP "));

            for (int port : new int[] {sipTlsPort, msrp.port(), diameterTlsPort}) {
                assertThat(capture.decode("tcp.dstport == " + port + " and tls.handshake.type == 1"))
                        .as("ClientHello to port %d", port).isNotEmpty();
                assertThat(capture.decode("tcp.port == " + port + " and tls.app_data"))
                        .as("TLS application data on port %d", port).isNotEmpty();
            }
            assertThat(capture.decode("frame contains \"" + SECRET + "\"")).as("the text in the clear").isEmpty();
            assertThat(capture.decode("sip or msrp or diameter")).as("SIP, MSRP or Diameter in the clear").isEmpty();
        }
    }
}
