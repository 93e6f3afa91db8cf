package org.imdp.e2e;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.imdp.ch1.support.FreeDiameter;
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
 * Issue 10's fault campaign: the Charging Enabler (freeDiameter) killed (SIGKILL) while pushes are charged, kept down
 * while waves of pushes go on, then started again. Every finished push is charged (0 lost ACRs), with one Session-Id,
 * and the T flag is exact: on every ACR sent again (0 unmarked duplicates), and on a first ACR only when the push's
 * own ACR was written before it failed (none on an ACR the Charging Enabler cannot have seen before).
 * <p>
 * The outage lasts as long as the pushes made during it take, at least {@code -Dimdp.fault.charging-down-seconds}
 * (default 0): the campaign's 60 s outage is {@code mvn -B verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=ChargingOutageIT -Dimdp.fault.charging-down-seconds=60} (docs/fault-report.md).
 */
class ChargingOutageIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int WAVE = 20;
    private static final Duration DOWN = Duration.ofSeconds(Long.getLong("imdp.fault.charging-down-seconds", 0));
    /** A push that delivered both its messages: recipient, Call-ID. */
    private static final Pattern COMPLETE = Pattern.compile("Push to sip:(w\\d+r\\d+)@127\\.0\\.0\\.1 Call-ID (\\S+): 2 sent, 2 acknowledged, 0 refused, complete");
    private static final Pattern CHARGED = Pattern.compile("Charged push (\\S+) for ");
    private static final Pattern FAILED_FOR_NOW = Pattern.compile("failed for now");
    /** A push whose own ACR never left (no open peer): the Charging Enabler's first ACR of it has no T flag. */
    private static final Pattern NOT_SENT = Pattern.compile("Charging of push (\\S+) for \\S+ failed for now, not sent");
    /** A push whose own ACR was written and then failed: every later ACR of it has the T flag. */
    private static final Pattern POSSIBLY_SENT = Pattern.compile("Charging of push (\\S+) for \\S+ failed for now, its record stays");

    @TempDir
    Path dataDir;

    private final int sipPort = TestPorts.next();
    private final FreeDiameter chargingEnabler = new FreeDiameter("charging-outage-it", "ocs.localdomain");

    @AfterEach
    void stopChargingEnabler() {
        chargingEnabler.stop();
    }

    @Test
    void a_charging_enabler_down_under_load_loses_no_acr_and_marks_every_repeat() throws Exception {
        chargingEnabler.start();
        try (ServiceProcess service = Services.onFreePorts(sipPort, dataDir)
                .property("imdp.ch1.peers", "127.0.0.1:" + chargingEnabler.port())
                .property("imdp.ch1.reconnect-delay-max", "1s")
                // the broker's redelivery backoff after a long outage stays short
                .property("imdp.ch1.max-redelivery-delay", "2000")
                .start();
             SipTestClient client = SipTestClient.start("127.0.0.1", sipPort);
             MsrpTestPeer msrp = new MsrpTestPeer().start(0)) {
            client.answerWithMsrp(msrp.path(), "passive");
            // wave 0 starts while the Charging Enabler is up; it dies while those pushes are charged
            int waves = 0;
            push(client, waves++);
            chargingEnabler.kill();
            long down = System.nanoTime();
            await().atMost(WAIT).until(() -> service.pushesByCallId(COMPLETE).size() == WAVE);
            do {
                push(client, waves++);
                int sessions = waves * WAVE;
                await().atMost(WAIT).until(() -> service.pushesByCallId(COMPLETE).size() == sessions);
            } while (System.nanoTime() - down < DOWN.toNanos());
            await().atMost(WAIT).until(() -> FAILED_FOR_NOW.matcher(service.logText()).find());
            long downMillis = (System.nanoTime() - down) / 1_000_000;
            int failedForNow = service.logMatches(FAILED_FOR_NOW).size();

            chargingEnabler.start();
            long up = System.nanoTime();
            Map<String, String> sessions = service.pushesByCallId(COMPLETE);
            assertThat(sessions).hasSize(waves * WAVE);
            await().atMost(WAIT).until(() -> charged(service).containsAll(sessions.keySet()));
            long catchUpMillis = (System.nanoTime() - up) / 1_000_000;

            List<FreeDiameter.Acr> acrs = chargingEnabler.accountingRequests();
            Map<String, List<FreeDiameter.Acr>> byCallId = Charging.byCallId(acrs);
            assertThat(byCallId.keySet()).as("pushes with an ACR").isEqualTo(sessions.keySet());
            long repeats = Charging.assertRepeatsMarked(byCallId);
            Set<String> notSent = callIds(service, NOT_SENT);
            Set<String> possiblySent = callIds(service, POSSIBLY_SENT);
            assertThat(notSent).as("pushes whose own ACR never left").isNotEmpty();
            assertThat(Collections.disjoint(notSent, possiblySent)).as("not sent and possibly sent at once").isTrue();
            // exact: the T flag on every ACR after the first, and on a first one only when the push's own ACR was written
            byCallId.forEach((callId, records) -> {
                assertThat(records.subList(1, records.size())).as("T flags of the repeats of push %s", callId)
                        .allMatch(FreeDiameter.Acr::retransmitted);
                if (!possiblySent.contains(callId)) {
                    assertThat(records.get(0).retransmitted()).as("T flag of the first ACR of push %s", callId).isFalse();
                }
            });
            long marked = acrs.stream().filter(FreeDiameter.Acr::retransmitted).count();
            long firstWithT = byCallId.values().stream().filter(r -> r.get(0).retransmitted()).count();
            assertThat(msrp.frames().stream().filter(f -> f.body().length > 0).count()).isEqualTo(2L * waves * WAVE);
            System.out.printf("FAULT Charging Enabler down %d ms under %d pushes (%d during the outage): %d ACRs for %d"
                            + " sessions, 0 lost, %d repeats (all with T), %d ACRs with T, %d without; %d 'failed for now'"
                            + " lines: %d pushes' ACRs not sent (their first ACR without T), %d written and failed (%d first"
                            + " ACRs with T); all charged %d ms after the restart%n",
                    downMillis, sessions.size(), (waves - 1) * WAVE, acrs.size(), byCallId.size(), repeats, marked,
                    acrs.size() - marked, failedForNow, notSent.size(), possiblySent.size(), firstWithT, catchUpMillis);
        }
    }

    /** Stores two messages for each of the wave's recipients, then registers them: one push session each. */
    private static void push(SipTestClient client, int wave) throws Exception {
        for (int i = 0; i < WAVE; i++) {
            String recipient = "sip:w" + wave + "r" + i + "@127.0.0.1";
            for (String text : List.of("first", "second")) {
                assertThat(client.sendMessage("sip:alice@127.0.0.1", recipient, "text/plain",
                        text.getBytes(StandardCharsets.UTF_8))).isEqualTo(202);
            }
        }
        for (int i = 0; i < WAVE; i++) {
            client.register("sip:w" + wave + "r" + i + "@127.0.0.1", 600);
        }
    }

    private static Set<String> charged(ServiceProcess service) {
        return callIds(service, CHARGED);
    }

    private static Set<String> callIds(ServiceProcess service, Pattern pattern) {
        return service.logMatches(pattern).stream().map(m -> m.group(1)).collect(Collectors.toCollection(TreeSet::new));
    }

}
