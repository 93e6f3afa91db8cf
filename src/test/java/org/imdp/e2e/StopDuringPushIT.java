package org.imdp.e2e;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import org.imdp.ch1.support.FreeDiameter;
import org.imdp.cpim.CpimMessage;
import org.imdp.sipmsrp.SipTestClient;
import org.imdp.sipmsrp.msrp.MsrpTestPeer;
import org.imdp.test.TestPorts;
import org.imdp.test.peers.ServiceProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM while a push waits on a client that holds its answer: the stop does not wait for the client. The session
 * ends with what the client decided (settled, BYE, charged), the service exits 0, and after the restart the push goes
 * on with the messages the client had not acknowledged, and only those, without a new REGISTER.
 */
class StopDuringPushIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String KIM = "sip:kim@127.0.0.1";

    @TempDir
    Path dataDir;

    private final int sipPort = TestPorts.next();
    private final FreeDiameter chargingEnabler = new FreeDiameter("stop-during-push-it", "ocs.localdomain");

    @AfterEach
    void stopChargingEnabler() {
        chargingEnabler.stop();
    }

    private ServiceProcess startService() {
        return Services.chargingAt(chargingEnabler, sipPort, dataDir).start();
    }

    @Test
    void a_stop_during_a_slow_push_settles_what_was_acknowledged_and_the_restart_pushes_the_rest() throws Exception {
        chargingEnabler.start();
        try (SipTestClient client = SipTestClient.start("127.0.0.1", sipPort);
             MsrpTestPeer msrp = new MsrpTestPeer().start(0)) {
            client.answerWithMsrp(msrp.path(), "passive");
            msrp.hold();
            try (ServiceProcess service = startService()) {
                service.waitForLog(Pattern.compile("CH-1 peer \\S+: OPEN"), WAIT);
                for (String text : List.of("one", "two", "three")) {
                    assertThat(client.sendMessage("sip:alice@127.0.0.1", KIM, "text/plain",
                            text.getBytes(StandardCharsets.UTF_8))).isEqualTo(202);
                }
                client.register(KIM, 600);
                await().atMost(WAIT).until(() -> msrp.held() == 1);
                msrp.answerHeld(0, 200).get();
                await().atMost(WAIT).until(() -> msrp.held() == 2);

                // the client never answers "two": the stop cuts it short instead of waiting for it
                assertThat(service.stop(WAIT)).isZero();
                assertThat(service.logText())
                        .containsPattern("Push to " + Pattern.quote(KIM) + " Call-ID \\S+: 2 sent, 1 acknowledged, 0 refused,"
                                         + " incomplete: the service is stopping")
                        .containsPattern("Charged push \\S+ for " + Pattern.quote(KIM));
                client.awaitRequest("BYE", WAIT);
            }

            int before = msrp.frames().size();
            msrp.answerWith(200);
            try (ServiceProcess service = startService()) {
                await().atMost(WAIT).untilAsserted(() -> assertThat(msrp.frames().subList(before, msrp.frames().size())
                        .stream().filter(f -> f.body().length > 0)
                        .map(f -> new String(CpimMessage.parse(f.body()).body(), StandardCharsets.UTF_8)))
                        .containsExactly("two", "three"));
                service.waitForLog(Pattern.compile("Push to " + Pattern.quote(KIM) + " Call-ID \\S+: 2 sent, 2 acknowledged"), WAIT);
                service.waitForLog(Pattern.compile("Charged push \\S+ for " + Pattern.quote(KIM)), WAIT);
            }
        }
        assertThat(chargingEnabler.count("'Accounting-Answer'")).as("ACAs: one per session").isEqualTo(2);
    }
}
