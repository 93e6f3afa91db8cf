package org.imdp.e2e;

import org.imdp.test.TestPorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.imdp.cpim.CpimMessage;
import org.imdp.sipmsrp.SipTestClient;
import org.imdp.sipmsrp.msrp.MsrpTestPeer;
import org.imdp.test.peers.PostgresServer;
import org.imdp.test.peers.ServiceProcess;
import org.imdp.test.peers.TsharkCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances of the jar on one broker and one store, as they scale out: the first with its embedded broker, the
 * second reaching it as an external broker by {@code imdp.broker.url}, both on one PostgreSQL database by
 * {@code imdp.store.url}. Messages taken in by one instance are pushed after a REGISTER at the other, in order and
 * once, and a message taken in by one for a recipient registered at the other is pushed at once (the registrations
 * are in the shared store). tshark judges the SIP and MSRP of both.
 */
class TwoInstancesIT {

    private static final Duration WAIT = Duration.ofSeconds(40);

    @TempDir
    Path dataA;
    @TempDir
    Path dataB;

    private static List<String> delivered(MsrpTestPeer msrp, String recipient) {
        return msrp.frames().stream().filter(f -> f.body().length > 0)
                .map(f -> CpimMessage.parse(f.body()))
                .filter(c -> c.header("To").equals("<" + recipient + ">"))
                .map(c -> new String(c.body(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void one_broker_two_instances_each_push_what_the_other_took_in() throws Exception {
        int brokerPort = TestPorts.next();
        int sipA = TestPorts.next();
        int sipB = TestPorts.next();
        int msrpA = TestPorts.next();
        int msrpB = TestPorts.next();
        try (PostgresServer postgres = PostgresServer.start()) {
            String store = postgres.newDatabase();
            runBoth(brokerPort, sipA, sipB, msrpA, msrpB, store);
        }
    }

    private void runBoth(int brokerPort, int sipA, int sipB, int msrpA, int msrpB, String store) throws Exception {
        try (ServiceProcess a = Services.onFreePorts(sipA, dataA).property("imdp.msrp.port", String.valueOf(msrpA))
                     .property("imdp.broker.embedded.port", String.valueOf(brokerPort))
                     .property("imdp.store.url", store).start();
             ServiceProcess b = Services.onFreePorts(sipB, dataB).property("imdp.msrp.port", String.valueOf(msrpB))
                     .property("imdp.broker.url", "tcp://127.0.0.1:" + brokerPort)
                     .property("imdp.store.url", store).start();
             SipTestClient viaA = SipTestClient.start("127.0.0.1", sipA);
             SipTestClient viaB = SipTestClient.start("127.0.0.1", sipB);
             MsrpTestPeer msrp = new MsrpTestPeer().start(0);
             TsharkCapture capture = TsharkCapture.sipAndMsrp(new int[] {sipA, sipB, viaA.port(), viaB.port()},
                     msrpA, msrpB, msrp.port())) {
            viaA.answerWithMsrp(msrp.path(), "passive");
            viaB.answerWithMsrp(msrp.path(), "passive");
            for (String text : List.of("z1", "z2", "z3")) {
                assertThat(viaB.sendMessage("sip:alice@127.0.0.1", "sip:zoe@127.0.0.1", "text/plain",
                        text.getBytes(StandardCharsets.UTF_8))).isEqualTo(202);
            }
            for (String text : List.of("y1", "y2")) {
                assertThat(viaA.sendMessage("sip:alice@127.0.0.1", "sip:yan@127.0.0.1", "text/plain",
                        text.getBytes(StandardCharsets.UTF_8))).isEqualTo(202);
            }

            viaA.register("sip:zoe@127.0.0.1", 600);
            viaB.register("sip:yan@127.0.0.1", 600);

            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(delivered(msrp, "sip:zoe@127.0.0.1")).containsExactly("z1", "z2", "z3");
                assertThat(delivered(msrp, "sip:yan@127.0.0.1")).containsExactly("y1", "y2");
            });

            // registrations are in the shared store: a MESSAGE that B takes for zoe, registered at A, is pushed at once
            assertThat(viaB.sendMessage("sip:alice@127.0.0.1", "sip:zoe@127.0.0.1", "text/plain",
                    "z4".getBytes(StandardCharsets.UTF_8))).isEqualTo(202);
            await().atMost(WAIT).untilAsserted(() -> assertThat(delivered(msrp, "sip:zoe@127.0.0.1"))
                    .containsExactly("z1", "z2", "z3", "z4"));
            assertThat(b.logText()).doesNotContain("ERROR");
            assertThat(a.logText()).doesNotContain("ERROR");
            capture.assertNoMalformedOrErrors();
        }
    }
}
