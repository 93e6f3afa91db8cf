package org.imdp.e2e;

import org.imdp.test.TestPorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import org.imdp.ch1.support.FreeDiameterExtension;
import org.imdp.test.peers.KamailioMsrpPeer;
import org.imdp.test.peers.ServiceProcess;
import org.imdp.test.peers.Sipp;
import org.imdp.test.peers.TsharkCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * All eight steps with real peers: the service's jar, SIPp as the IM Client's SIP side (holding its
 * 200 OK to BYE back), Kamailio msrp as its MSRP side, and freeDiameter as the Charging Enabler.
 * tshark, reading the wire, is the judge of the order: the ACR leaves after the BYE and before the
 * client's 200 OK to it.
 */
class PushChargingIT {

    private static final Duration WAIT = Duration.ofSeconds(40);

    @RegisterExtension
    static final FreeDiameterExtension CDF = new FreeDiameterExtension("push-charging-it", "ocs.localdomain");

    @TempDir
    Path dataDir;

    @Test
    void the_charging_request_goes_out_after_bye_and_never_waits_for_its_200() {
        int sipPort = TestPorts.next();
        int kamailioPort = TestPorts.next();
        int clientPort = TestPorts.next();
        int diameterPort = CDF.server().port();

        try (TsharkCapture capture = TsharkCapture.start(sipPort, clientPort, kamailioPort, diameterPort)
                .decodeAsSip(sipPort, clientPort).decodeAsMsrp(kamailioPort).decodeAsDiameter(diameterPort);
             KamailioMsrpPeer msrp = KamailioMsrpPeer.start(kamailioPort);
             ServiceProcess service = Services.onFreePorts(sipPort, dataDir)
                     .property("imdp.ch1.peers", "127.0.0.1:" + diameterPort).start()) {

            for (String text : List.of("hello", "are you there?")) {
                Sipp.scenario("uac-message.xml").remotePort(sipPort).service("bob")
                        .key("sender", "sip:alice@127.0.0.1").key("body", text).runClient().assertSucceeded();
            }
            try (Sipp client = Sipp.scenario("uas-msrp.xml").localPort(clientPort)
                    .key("msrp_port", String.valueOf(kamailioPort)).set("bye_delay", "2000").startServer()) {
                Sipp.scenario("uac-register.xml").remotePort(sipPort).service("bob")
                        .set("contact", "sip:127.0.0.1:" + clientPort).runClient().assertSucceeded();
                assertThat(client.waitForExit(WAIT)).as(client.errors()).isZero();
            }
            service.waitForLog(Pattern.compile("Charged push \\S+ for sip:bob@127.0.0.1: .*Result-Code 2001"), WAIT);
            await().atMost(WAIT).until(() -> CDF.server().count("'Accounting-Answer'") >= 1);

            String ce = CDF.server().log();
            assertThat(ce).contains("'Accounting-Record-Type'(480) l=12 f=-M val='EVENT_RECORD'")
                    .containsPattern("'Subscription-Id-Data'\\(444\\) l=\\d+ f=-M val=\"sip:bob@127.0.0.1\"")
                    .containsPattern("'Calling-Party-Address'\\(831\\) vend='3GPP'\\(10415\\) l=\\d+ f=VM val=\"sip:alice@127.0.0.1\"")
                    .contains("'Total-Number-Of-Messages-Sent'(2114) vend='3GPP'(10415) l=16 f=VM val=2 ")
                    .contains("'Number-Of-Messages-Successfully-Sent'(2112) vend='3GPP'(10415) l=16 f=VM val=2 ")
                    .doesNotContain("DIAMETER_AVP_UNSUPPORTED");

            capture.stop();
            capture.assertNoMalformedOrErrors();
            double bye = firstTime(capture, "sip.Method == \"BYE\"");
            double acr = firstTime(capture, "diameter.cmd.code == 271 && diameter.flags.request == 1");
            double aca = firstTime(capture, "diameter.cmd.code == 271 && diameter.flags.request == 0");
            double byeOk = firstTime(capture, "sip.Status-Code == 200 && sip.CSeq.method == \"BYE\"");
            assertThat(bye).as("BYE sent before the ACR").isLessThan(acr);
            assertThat(acr).as("ACR sent before the client's 200 OK to BYE").isLessThan(byeOk);
            assertThat(aca).as("ACA received before the client's 200 OK to BYE").isLessThan(byeOk);
        }
    }

    /** Capture time (seconds since the epoch) of the first frame matching {@code filter}. */
    private static double firstTime(TsharkCapture capture, String filter) {
        List<String> times = capture.decode(filter, "-T", "fields", "-e", "frame.time_epoch");
        assertThat(times).as("frames matching %s", filter).isNotEmpty();
        return Double.parseDouble(times.get(0).trim());
    }
}
