package org.imdp.e2e;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

import org.imdp.cpim.CpimMessage;
import org.imdp.sipmsrp.SipTestClient;
import org.imdp.sipmsrp.msrp.MsrpTestPeer;
import org.imdp.test.TestPorts;
import org.imdp.test.peers.ServiceProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A registration is kept in the store, not in the service's memory: the jar killed (SIGKILL) right after it answered a
 * REGISTER 200 OK and started again on the same data directory still knows the recipient's contact, so a MESSAGE that
 * arrives after the restart is pushed at once, without a new REGISTER.
 */
class RegistrationRestartIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String BOB = "sip:bob@127.0.0.1";

    @TempDir
    Path dataDir;

    private final int sipPort = TestPorts.next();
    private final int msrpPort = TestPorts.next();
    private final int brokerPort = TestPorts.next();

    private ServiceProcess startService() {
        return Services.onFreePorts(sipPort, dataDir)
                .property("imdp.msrp.port", String.valueOf(msrpPort))
                .property("imdp.broker.embedded.port", String.valueOf(brokerPort))
                .start();
    }

    @Test
    void a_registration_survives_a_restart_and_a_message_after_it_is_pushed_without_a_new_register() throws Exception {
        // the IM Client lives on through both runs of the service, at the contact it registered
        try (SipTestClient client = SipTestClient.start("127.0.0.1", sipPort);
             MsrpTestPeer msrp = new MsrpTestPeer().start(0)) {
            client.answerWithMsrp(msrp.path(), "passive");

            ServiceProcess first = startService();
            try {
                assertThat(client.register(BOB, 3600).getStatusCode()).isEqualTo(200);
            } finally {
                // the 200 OK went out after the registration was committed
                first.kill();
            }

            try (ServiceProcess second = startService()) {
                assertThat(client.sendMessage("sip:alice@127.0.0.1", BOB, "text/plain",
                        "after the restart".getBytes(StandardCharsets.UTF_8))).isEqualTo(202);

                second.waitForLog(Pattern.compile("Push to " + Pattern.quote(BOB)
                                                  + " Call-ID \\S+: 1 sent, 1 acknowledged"), WAIT);
                await().atMost(WAIT).untilAsserted(() -> assertThat(msrp.frames().stream()
                        .filter(f -> f.body().length > 0)
                        .map(f -> new String(CpimMessage.parse(f.body()).body(), StandardCharsets.UTF_8)))
                        .containsExactly("after the restart"));
                assertThat(second.logText()).as("no REGISTER reached the second run").doesNotContain("registered at");
                assertThat(client.received()).filteredOn(r -> r.method().equals("INVITE")).singleElement()
                        .satisfies(invite -> assertThat(invite.request().getRequestURI().toString())
                                .startsWith(client.contact("bob")));
            }
        }
    }
}
