package org.imdp.e2e;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

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
 * Issue 10's fault campaign: the service killed (SIGKILL) while it pushes to 100 recipients at once, then started again
 * on the same journal and store. The client holds every message chunk and answers them so that at the kill
 * <ul>
 *   <li>40 sessions are finished (both messages answered 200, BYE, settled, charged),</li>
 *   <li>30 are in flight with their first message answered 200 and their second held,</li>
 *   <li>30 are in flight with their first message held.</li>
 * </ul>
 * After the restart every recipient registers again. Every message reaches the client with 200; a finished session's
 * messages never come again; the messages that come again (in-flight ones) carry the same imdn.Message-ID; and
 * freeDiameter, the Charging Enabler, logs exactly one Session-Id per finished session (40 + 60), none for a killed
 * one, and at most one ACR of a Session-Id without the T flag (a record charged just before the kill and not yet
 * marked as charged is sent again, marked).
 */
class KillDuringPushesIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int RECIPIENTS = 100;
    /** Recipients 0..39 finish before the kill; 40..69 have their first message acknowledged; 70..99 none. */
    private static final int FINISHED = 40;
    private static final int FIRST_ACKNOWLEDGED = 70;
    private static final Pattern CHARGED = Pattern.compile("Charged push ");
    private static final Pattern COMPLETE = Pattern.compile(
            "Push to (sip:r\\d\\d@127\\.0\\.0\\.1) Call-ID (\\S+): 2 sent, 2 acknowledged, 0 refused, complete");

    @TempDir
    Path dataDir;

    private final int sipPort = TestPorts.next();
    private final FreeDiameter chargingEnabler = new FreeDiameter("kill-during-pushes-it", "ocs.localdomain");

    @AfterEach
    void stopChargingEnabler() {
        chargingEnabler.stop();
    }

    private ServiceProcess startService() {
        return Services.chargingAt(chargingEnabler, sipPort, dataDir)
                .property("imdp.ch1.reconnect-delay-max", "2s")
                // all 100 sessions at once
                .property("imdp.push.consumers", String.valueOf(RECIPIENTS))
                // the held chunks wait for the test, however slow the machine: no 408 ends a session before the kill
                .property("camel.component.sipmsrp.msrp-transaction-timeout", "300000")
                .start();
    }

    private static String recipient(int n) {
        return String.format("sip:r%02d@127.0.0.1", n);
    }

    /** A message chunk the client got: whose it is, its text and its imdn.Message-ID. */
    private record Got(int recipient, String text, String messageId) {
        static Got of(MsrpTestPeer.Received frame) {
            CpimMessage cpim = CpimMessage.parse(frame.body());
            String text = new String(cpim.body(), StandardCharsets.UTF_8);
            return new Got(Integer.parseInt(text.substring(1, 3)), text, cpim.header(CpimMessage.IMDN_MESSAGE_ID));
        }
    }

    private static List<Got> messages(List<MsrpTestPeer.Received> frames) {
        return frames.stream().filter(f -> f.body().length > 0).map(Got::of).toList();
    }

    @Test
    void a_kill_during_100_pushes_loses_nothing_and_charges_each_finished_session_once() throws Exception {
        chargingEnabler.start();
        long started = System.nanoTime();
        try (SipTestClient client = SipTestClient.start("127.0.0.1", sipPort);
             MsrpTestPeer msrp = new MsrpTestPeer().start(0)) {
            client.answerWithMsrp(msrp.path(), "passive");
            msrp.hold();
            Set<String> answered200 = new HashSet<>();
            Map<String, String> finishedCallIds = new TreeMap<>();
            int phaseOneFrames;
            ServiceProcess service = startService();
            try {
                for (int n = 0; n < RECIPIENTS; n++) {
                    for (String m : List.of("m1", "m2")) {
                        assertThat(client.sendMessage("sip:alice@127.0.0.1", recipient(n), "text/plain",
                                String.format("r%02d %s", n, m).getBytes(StandardCharsets.UTF_8))).isEqualTo(202);
                    }
                }
                for (int n = 0; n < RECIPIENTS; n++) {
                    client.register(recipient(n), 600);
                }
                // every session holds its first message: 100 pushes in flight (the MSRP transaction timeout, raised
                // above, never ends one meanwhile)
                await().atMost(WAIT).until(() -> msrp.held() == RECIPIENTS);
                List<Got> held = messages(msrp.frames());
                for (int i = 0; i < RECIPIENTS; i++) {
                    if (held.get(i).recipient() < FIRST_ACKNOWLEDGED) {
                        msrp.answerHeld(i, 200).join();
                        answered200.add(held.get(i).text());
                    }
                }
                // their second messages, held too; those of the first 40 recipients answered
                await().atMost(WAIT).until(() -> msrp.held() == RECIPIENTS + FIRST_ACKNOWLEDGED);
                held = messages(msrp.frames());
                for (int i = RECIPIENTS; i < held.size(); i++) {
                    if (held.get(i).recipient() < FINISHED) {
                        msrp.answerHeld(i, 200).join();
                        answered200.add(held.get(i).text());
                    }
                }
                await().atMost(WAIT).until(() -> service.logMatches(CHARGED).size() == FINISHED);
                phaseOneFrames = msrp.frames().size();
                finishedCallIds.putAll(service.pushesByCallId(COMPLETE));
            } finally {
                service.kill();
            }
            assertThat(finishedCallIds).hasSize(FINISHED);
            List<Got> beforeCrash = messages(msrp.frames().subList(0, phaseOneFrames));

            msrp.answerWith(200);
            try (ServiceProcess restarted = startService()) {
                for (int n = 0; n < RECIPIENTS; n++) {
                    client.register(recipient(n), 600);
                }
                await().atMost(WAIT).until(() -> restarted.logMatches(CHARGED).size() == RECIPIENTS - FINISHED);
                finishedCallIds.putAll(restarted.pushesByCallId(COMPLETE));
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            List<Got> afterRestart = messages(msrp.frames().subList(phaseOneFrames, msrp.frames().size()));

            // every message reached the client with 200, in order per recipient
            Set<String> all = new HashSet<>();
            IntStream.range(0, RECIPIENTS).forEach(n -> all.addAll(List.of(String.format("r%02d m1", n), String.format("r%02d m2", n))));
            Set<String> delivered = new HashSet<>(answered200);
            afterRestart.forEach(g -> delivered.add(g.text()));
            assertThat(delivered).isEqualTo(all);
            // only the in-flight sessions' messages come again, each once, m1 before m2
            assertThat(afterRestart).extracting(Got::recipient).allMatch(r -> r >= FINISHED);
            assertThat(afterRestart).extracting(Got::text).doesNotHaveDuplicates()
                    .hasSize(2 * (RECIPIENTS - FINISHED));
            for (int n = FINISHED; n < RECIPIENTS; n++) {
                int r = n;
                assertThat(afterRestart.stream().filter(g -> g.recipient() == r).map(Got::text))
                        .containsExactly(String.format("r%02d m1", n), String.format("r%02d m2", n));
            }
            // a message that comes again has the same imdn.Message-ID
            Map<String, Set<String>> ids = new HashMap<>();
            for (Got g : beforeCrash) {
                ids.computeIfAbsent(g.text(), t -> new HashSet<>()).add(g.messageId());
            }
            for (Got g : afterRestart) {
                ids.computeIfAbsent(g.text(), t -> new HashSet<>()).add(g.messageId());
            }
            assertThat(ids.values()).allMatch(s -> s.size() == 1);
            long acknowledgedTwice = afterRestart.stream().filter(g -> answered200.contains(g.text())).count();
            long sentTwice = afterRestart.stream().filter(g -> beforeCrash.stream().anyMatch(b -> b.text().equals(g.text()))).count();

            // charging: one Session-Id per finished session, none for a killed one, a repeat only with the T flag
            assertThat(finishedCallIds).hasSize(RECIPIENTS);
            List<FreeDiameter.Acr> acrs = chargingEnabler.accountingRequests();
            Map<String, List<FreeDiameter.Acr>> byCallId = Charging.byCallId(acrs);
            assertThat(byCallId.keySet()).isEqualTo(finishedCallIds.keySet());
            long repeats = Charging.assertRepeatsMarked(byCallId);
            System.out.printf("FAULT kill-9 during %d pushes: %d messages, %d delivered, 0 lost, %d sent again (%d of them"
                            + " acknowledged before the kill), each with its imdn.Message-ID; %d sessions finished, %d ACRs"
                            + " (%d Session-Ids, %d repeats with T); %d ms from the first MESSAGE to the last charge%n",
                    RECIPIENTS, all.size(), delivered.size(), sentTwice, acknowledgedTwice, finishedCallIds.size(),
                    acrs.size(), byCallId.size(), repeats, millis);
        }
    }

}
