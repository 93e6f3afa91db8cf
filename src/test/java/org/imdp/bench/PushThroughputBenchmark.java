package org.imdp.bench;

import org.imdp.test.TestPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.imdp.test.BrokerClient;
import org.imdp.test.peers.ExternalProcess;
import org.imdp.test.peers.KamailioMsrpPeer;
import org.imdp.test.peers.ServiceProcess;
import org.imdp.test.peers.Sipp;

/**
 * Load driver (not a test): how fast a large message is pushed end to end, compared with loopback TCP measured in the
 * same run. Run from the project root with {@code ./scripts/bench/push.sh [rounds] [megabytes]}.
 * <p>
 * The service is the packaged jar ({@code target/im-deferred-push-runner.jar}) on its default MSRP settings, driven
 * black-box through its external contract only (docs/protocols.md): the message goes in on the JMS intake queue
 * {@code im.deferred.intake} of the embedded broker, with {@code imdp.store.max-message-size} raised; it is stored
 * once the intake queue is empty; the recipient is announced on {@code im.availability}. The IM Client is SIPp
 * ({@code uas-msrp.xml}) with Kamailio's msrp module as its MSRP side, which logs when each frame arrives.
 * <p>
 * After four warm-up pushes, each round: iperf3 over loopback for a few seconds (the reference), then one push of a
 * fresh message to a fresh recipient. The push's rate is the message size over the time from the availability
 * message to the arrival of its last MSRP chunk at Kamailio (end to end: push request, INVITE/200/ACK, MSRP
 * connection, every chunk); its transfer rate, over the time from its first chunk to its last. Medians of the rounds, in MB/s (10^6 octets per second).
 */
public final class PushThroughputBenchmark {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int IPERF_SECONDS = 3;
    /** Pushes before the timed rounds, so that the service's JIT has compiled the push path. */
    private static final int WARM_UP = 4;
    private static final Pattern IPERF_RECEIVED = Pattern.compile(
            "\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.eE+]+)");

    private PushThroughputBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int megabytes = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int size = megabytes * 1_000_000;
        int sipPort = TestPorts.next();
        int brokerPort = TestPorts.next();
        int kamailioPort = TestPorts.next();
        Path dataDir = Files.createTempDirectory("imdp-bench-push");
        System.out.printf("machine: %d cores, Java %s; message %d MB, %d rounds%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), megabytes, rounds);

        List<Double> tcp = new ArrayList<>();
        List<Double> push = new ArrayList<>();
        List<Double> transfer = new ArrayList<>();
        try (ServiceProcess service = ServiceProcess.builder()
                     .property("imdp.sip.port", String.valueOf(sipPort))
                     .property("imdp.msrp.port", String.valueOf(TestPorts.next()))
                     .property("imdp.broker.embedded.port", String.valueOf(brokerPort))
                     .property("imdp.broker.password", BrokerClient.SERVICE_PASSWORD)
                     .property("imdp.data-dir", dataDir.toString())
                     .property("imdp.ch1.peers", "127.0.0.1:" + TestPorts.next())
                     .property("imdp.store.max-message-size", String.valueOf(Math.max(size, 1_048_576)))
                     .start();
             BrokerClient broker = new BrokerClient("tcp://127.0.0.1:" + brokerPort);
             KamailioMsrpPeer kamailio = KamailioMsrpPeer.startTimed(kamailioPort)) {
            Random random = new Random(4975);
            for (int w = 0; w < WARM_UP; w++) {
                byte[] content = new byte[size];
                random.nextBytes(content);
                double[] rates = push(broker, kamailio, content, "pushwarm" + w);
                System.out.printf("warm-up %d: push end to end %.1f MB/s, transfer %.1f MB/s%n", w + 1, rates[0],
                        rates[1]);
            }
            for (int round = 0; round < rounds; round++) {
                tcp.add(loopbackTcp());
                byte[] content = new byte[size];
                random.nextBytes(content);
                double[] rates = push(broker, kamailio, content, "pushbench" + round);
                push.add(rates[0]);
                transfer.add(rates[1]);
                System.out.printf("round %d: loopback TCP %.0f MB/s, push end to end %.1f MB/s, transfer %.1f MB/s%n",
                        round + 1, tcp.get(round), rates[0], rates[1]);
            }
        }
        double tcpMedian = median(tcp);
        double pushMedian = median(push);
        double transferMedian = median(transfer);
        System.out.printf("median loopback TCP (iperf3): %.0f MB/s%n", tcpMedian);
        System.out.printf("median push end to end:       %.1f MB/s, ratio to loopback TCP %.3f%n", pushMedian,
                pushMedian / tcpMedian);
        System.out.printf("median push transfer:         %.1f MB/s, ratio to loopback TCP %.3f%n", transferMedian,
                transferMedian / tcpMedian);
    }

    /** One iperf3 run over loopback: the receiver's rate in MB/s. */
    private static double loopbackTcp() {
        int port = TestPorts.next();
        Path root = ExternalProcess.projectRoot();
        try (ExternalProcess server = ExternalProcess.start("iperf3-server", root,
                List.of("iperf3", "-s", "-1", "--forceflush", "-B", "127.0.0.1", "-p", String.valueOf(port)))) {
            server.waitForLog(Pattern.compile("Server listening"), Duration.ofSeconds(10));
            try (ExternalProcess client = ExternalProcess.start("iperf3-client", root, List.of("iperf3", "-c",
                    "127.0.0.1", "-p", String.valueOf(port), "-t", String.valueOf(IPERF_SECONDS), "-J"))) {
                if (client.waitForExit(Duration.ofSeconds(IPERF_SECONDS + 30)) != 0) {
                    throw new IllegalStateException("iperf3 failed: " + client.logTail());
                }
                Matcher m = IPERF_RECEIVED.matcher(client.logText());
                if (!m.find()) {
                    throw new IllegalStateException("no sum_received in iperf3's output: " + client.logTail());
                }
                return Double.parseDouble(m.group(1)) / 8 / 1e6;
            }
        }
    }

    /** Stores {@code content} for a fresh recipient and pushes it: {end-to-end MB/s, transfer MB/s}. */
    private static double[] push(BrokerClient broker, KamailioMsrpPeer kamailio, byte[] content, String messageId)
            throws Exception {
        String recipient = "sip:" + messageId + "@127.0.0.1";
        broker.send("im.deferred.intake", content, Map.of(
                "imdpRecipient", recipient,
                "imdpSender", "sip:alice@127.0.0.1",
                "imdpContentType", "application/octet-stream",
                "imdpMessageId", messageId));
        // the intake takes a message off its queue once it is stored
        awaitUntil(() -> broker.messages("im.deferred.intake") == 0, "the intake queue to be empty");
        int clientPort = TestPorts.next();
        int before = kamailio.frameTimes().size();
        try (Sipp client = Sipp.scenario("uas-msrp.xml").localPort(clientPort)
                .key("msrp_port", String.valueOf(kamailio.port())).startServer()) {
            Instant announced = Instant.now();
            broker.send("im.availability", new byte[0], Map.of(
                    "imdpRecipient", recipient,
                    "imdpContact", "sip:127.0.0.1:" + clientPort));
            // SIPp ends after the BYE, which follows the last chunk's 200: nothing polls while the push runs
            if (client.waitForExit(WAIT) != 0) {
                client.assertSucceeded();
            }
            // the session's SENDs with a body: the message's chunks (the binding SEND has none)
            List<KamailioMsrpPeer.FrameTime> chunks = chunks(kamailio, before);
            double first = chunks.get(0).epochSeconds();
            double last = chunks.stream().filter(f -> f.endFlag() == '$').findFirst()
                    .orElseThrow(() -> new IllegalStateException("no last chunk of " + messageId)).epochSeconds();
            double start = announced.getEpochSecond() + announced.getNano() / 1e9;
            return new double[] { content.length / 1e6 / (last - start), content.length / 1e6 / (last - first) };
        }
    }

    /** The SENDs with a body Kamailio received after its first {@code before} frames. */
    private static List<KamailioMsrpPeer.FrameTime> chunks(KamailioMsrpPeer kamailio, int before) {
        List<KamailioMsrpPeer.FrameTime> all = kamailio.frameTimes();
        return all.subList(before, all.size()).stream()
                .filter(f -> "SEND".equals(f.method()) && f.bodyLength() > 0).toList();
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitUntil(Condition condition, String what) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no " + what + " within " + WAIT);
            }
            Thread.sleep(50);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
