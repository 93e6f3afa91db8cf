package org.imdp.e2e;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
 * Issue 10's fault campaign: the external broker (another jar's embedded Artemis, as in {@link TwoInstancesIT})
 * killed while the service uses it, unreachable for {@code -Dimdp.fault.broker-down-seconds} (default 0: as long as
 * one wave of intake and pushes takes), then started again on its journal. Messages taken in during the outage are
 * delivered after it (a registration after the restart pushes what a push during the outage could not), every push
 * that finished is charged once per Session-Id, and the service keeps running. The log says the outage once (a WARN
 * when the broker is away, an INFO when it is back), not an ERROR per consumer and reconnection.
 */
class BrokerOutageIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int WAVE = 10;
    private static final Duration DOWN = Duration.ofSeconds(Long.getLong("imdp.fault.broker-down-seconds", 0));
    private static final Pattern COMPLETE = Pattern.compile("Push to (\\S+) Call-ID (\\S+): \\d+ sent, \\d+ acknowledged, 0 refused, complete");
    private static final Pattern AWAY = Pattern.compile(" WARN .* BrokerConnectionLog - The broker cannot be reached");
    private static final Pattern BACK = Pattern.compile(" INFO .* BrokerConnectionLog - The broker can be reached again");
    private static final Pattern ERROR = Pattern.compile("(?m)^\\S+ ERROR .*$");
    /** What the JMS listener containers and the JMS pool logged per consumer and reconnection before BrokerConnectionLog. */
    private static final Pattern JMS_NOISE = Pattern.compile(" (DefaultJmsMessageListenerContainer|JmsPoolSession) - ");

    @TempDir
    Path brokerData;
    @TempDir
    Path serviceData;

    private final int brokerPort = TestPorts.next();
    private final int brokerSip = TestPorts.next();
    private final int sipPort = TestPorts.next();
    private final FreeDiameter chargingEnabler = new FreeDiameter("broker-outage-it", "ocs.localdomain");

    @AfterEach
    void stopChargingEnabler() {
        chargingEnabler.stop();
    }

    private ServiceProcess startBroker() {
        return Services.onFreePorts(brokerSip, brokerData).property("imdp.broker.embedded.port", String.valueOf(brokerPort))
                .start();
    }

    @Test
    void a_broker_down_under_load_loses_no_message_and_no_charging_record() throws Exception {
        chargingEnabler.start();
        ServiceProcess broker = startBroker();
        try (ServiceProcess service = Services.onFreePorts(sipPort, serviceData)
                .property("imdp.broker.url", "tcp://127.0.0.1:" + brokerPort)
                .property("imdp.ch1.peers", "127.0.0.1:" + chargingEnabler.port())
                .property("imdp.ch1.reconnect-delay-max", "1s")
                .start();
             SipTestClient client = SipTestClient.start("127.0.0.1", sipPort);
             MsrpTestPeer msrp = new MsrpTestPeer().start(0)) {
            client.answerWithMsrp(msrp.path(), "passive");
            List<String> recipients = new ArrayList<>();
            Set<String> accepted = new TreeSet<>();
            List<String> refusals = new ArrayList<>();
            push(client, "before", recipients, accepted, refusals);
            await().atMost(WAIT).until(() -> delivered(msrp).containsAll(accepted));

            int logBefore = service.logText().length();
            broker.kill();
            long down = System.nanoTime();
            int waves = 0;
            do {
                push(client, "down" + waves++, recipients, accepted, refusals);
            } while (System.nanoTime() - down < DOWN.toNanos());
            long downMillis = (System.nanoTime() - down) / 1_000_000;
            Set<String> deliveredDuringOutage = delivered(msrp);

            broker = startBroker();
            long up = System.nanoTime();
            for (String r : recipients) {
                client.register(r, 600);
            }
            await().atMost(WAIT).until(() -> delivered(msrp).containsAll(accepted));
            Map<String, String> sessions = service.pushesByCallId(COMPLETE);
            await().atMost(WAIT).until(() -> Charging.byCallId(chargingEnabler.accountingRequests()).keySet()
                    .containsAll(sessions.keySet()));
            // the outage in the log: one WARN if the consumers found the broker away (an outage shorter than their
            // notice, as on a busy machine with the default length of 0 s, may end before: then none), and an INFO for
            // it once the broker is back; no ERROR per consumer and retry, no line of the consumers or their pool
            await().atMost(WAIT).until(() -> count(AWAY, service.logText().substring(logBefore))
                                              == count(BACK, service.logText().substring(logBefore)));
            String outageLog = service.logText().substring(logBefore);
            long away = count(AWAY, outageLog);
            assertThat(away).as("WARN lines saying the broker is away").isLessThanOrEqualTo(1);
            assertThat(count(BACK, outageLog)).as("INFO lines saying it is back").isEqualTo(away);
            if (DOWN.toSeconds() >= 30) {
                assertThat(away).as("an outage of " + DOWN.toSeconds() + " s is noticed").isEqualTo(1);
            }
            List<String> errors = ERROR.matcher(outageLog).results().map(m -> m.group()).toList();
            assertThat(errors).as("ERROR lines during and after the outage").isEmpty();
            assertThat(JMS_NOISE.matcher(outageLog).results().count()).as("lines of the JMS consumers and their pool").isZero();
            long recoveredMillis = (System.nanoTime() - up) / 1_000_000;
            Map<String, List<FreeDiameter.Acr>> byCallId = Charging.byCallId(chargingEnabler.accountingRequests());
            long repeats = Charging.assertRepeatsMarked(byCallId);
            assertThat(service.isAlive()).isTrue();
            System.out.printf("FAULT broker down %d ms: %d MESSAGEs during the outage, %d answered 202, refusals %s;"
                            + " %d of them delivered during the outage; after the restart all %d accepted delivered,"
                            + " %d sessions, %d charged (%d repeats, all with T) %d ms after the broker came back;"
                            + " log of the outage: %d WARN, %d INFO, %d ERROR%n",
                    downMillis, waves * WAVE * 2, accepted.stream().filter(t -> t.startsWith("down")).count(), refusals, deliveredDuringOutage.stream().filter(t -> t.startsWith("down")).count(), accepted.size(),
                    sessions.size(), byCallId.size(), repeats, recoveredMillis, away, away, errors.size());
        } finally {
            broker.close();
        }
    }

    private static long count(Pattern pattern, String log) {
        return pattern.matcher(log).results().count();
    }

    /** Two messages for each of a wave's recipients, then their registrations; who got 202 and what others got. */
    private static void push(SipTestClient client, String wave, List<String> recipients, Set<String> accepted,
            List<String> refusals) throws Exception {
        for (int i = 0; i < WAVE; i++) {
            String recipient = "sip:" + wave + "r" + i + "@127.0.0.1";
            recipients.add(recipient);
            for (String m : List.of("m1", "m2")) {
                String text = wave + "r" + i + " " + m;
                int status;
                try {
                    status = client.sendMessage("sip:alice@127.0.0.1", recipient, "text/plain", text.getBytes(StandardCharsets.UTF_8));
                } catch (Exception e) {
                    status = -1;
                }
                if (status == 202) {
                    accepted.add(text);
                } else {
                    refusals.add(text + ": " + status);
                }
            }
            client.register(recipient, 600);
        }
    }

    private static Set<String> delivered(MsrpTestPeer msrp) {
        Set<String> texts = new TreeSet<>();
        msrp.frames().stream().filter(f -> f.body().length > 0)
                .forEach(f -> texts.add(new String(CpimMessage.parse(f.body()).body(), StandardCharsets.UTF_8)));
        return texts;
    }

}
