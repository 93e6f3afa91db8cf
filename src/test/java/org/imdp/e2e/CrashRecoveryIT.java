package org.imdp.e2e;

import org.imdp.test.TestPorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

import org.imdp.ch1.support.FreeDiameter;
import org.imdp.cpim.CpimMessage;
import org.imdp.sipmsrp.SipTestClient;
import org.imdp.sipmsrp.msrp.MsrpTestPeer;
import org.imdp.test.peers.ServiceProcess;
import org.imdp.test.peers.TsharkCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service killed (SIGKILL) with messages stored and a charging record not yet answered, then
 * started again on the same journal: the stored messages are still pushed, and the charging record
 * reaches the Charging Enabler exactly once. tshark judges the SIP and MSRP before and after the crash.
 */
class CrashRecoveryIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dataDir;

    private final int sipPort = TestPorts.next();
    private final int msrpPort = TestPorts.next();
    private final FreeDiameter chargingEnabler = new FreeDiameter("crash-recovery-it", "ocs.localdomain");

    @AfterEach
    void stopChargingEnabler() {
        chargingEnabler.stop();
    }

    private ServiceProcess startService() {
        // the MSRP port fixed too: tshark decodes it as MSRP in both runs
        return Services.chargingAt(chargingEnabler, sipPort, dataDir)
                .property("imdp.msrp.port", String.valueOf(msrpPort))
                .property("imdp.ch1.reconnect-delay-max", "2s")
                .start();
    }

    private TsharkCapture capture(SipTestClient client, MsrpTestPeer msrp) {
        return TsharkCapture.sipAndMsrp(new int[] {sipPort, client.port()}, msrpPort, msrp.port());
    }

    @Test
    void a_crash_loses_no_stored_message_and_no_charging_record() throws Exception {
        String pushedCallId;
        try (SipTestClient client = SipTestClient.start("127.0.0.1", sipPort);
             MsrpTestPeer msrp = new MsrpTestPeer().start(0);
             TsharkCapture capture = capture(client, msrp)) {
            ServiceProcess service = startService();
            try {
                client.answerWithMsrp(msrp.path(), "passive");
                for (String text : new String[] {"pushed before the crash", "another"}) {
                    assertThat(client.sendMessage("sip:alice@127.0.0.1", "sip:kim@127.0.0.1", "text/plain",
                            text.getBytes(StandardCharsets.UTF_8))).isEqualTo(202);
                }
                assertThat(client.sendMessage("sip:alice@127.0.0.1", "sip:lou@127.0.0.1", "text/plain",
                        "waits through the crash".getBytes(StandardCharsets.UTF_8))).isEqualTo(202);
                // kim is pushed while the Charging Enabler is down: the record waits in the store, then on im.charging
                client.register("sip:kim@127.0.0.1", 600);
                String line = service.waitForLog(Pattern.compile("Push to sip:kim@127.0.0.1 Call-ID \\S+: 2 sent, 2 acknowledged"), WAIT);
                pushedCallId = line.replaceAll(".*Call-ID (\\S+):.*", "$1");
            } finally {
                service.kill();
            }
            capture.assertNoMalformedOrErrors();
        }

        chargingEnabler.start();
        try (ServiceProcess service = startService();
             SipTestClient client = SipTestClient.start("127.0.0.1", sipPort);
             MsrpTestPeer msrp = new MsrpTestPeer().start(0);
             TsharkCapture capture = capture(client, msrp)) {
            // the record of kim's push, made before the crash, is charged once
            service.waitForLog(Pattern.compile("Charged push " + Pattern.quote(pushedCallId) + " .*Result-Code 2001"), WAIT);
            // lou's message was on disk only
            client.answerWithMsrp(msrp.path(), "passive");
            client.register("sip:lou@127.0.0.1", 600);
            await().atMost(WAIT).untilAsserted(() -> assertThat(msrp.frames().stream()
                    .filter(f -> f.body().length > 0)
                    .map(f -> new String(CpimMessage.parse(f.body()).body(), StandardCharsets.UTF_8)))
                    .containsExactly("waits through the crash"));
            service.waitForLog(Pattern.compile("Charged push \\S+ for sip:lou@127.0.0.1"), WAIT);
            capture.assertNoMalformedOrErrors();
        }
        assertThat(chargingEnabler.count("\"" + pushedCallId + "\"")).as("ACRs carrying kim's Call-ID").isEqualTo(1);
        assertThat(chargingEnabler.count("'Accounting-Answer'")).as("ACAs").isEqualTo(2);
    }
}
