package org.imdp.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.imdp.sipmsrp.msrp.MsrpSendResult;
import org.imdp.sipmsrp.msrp.MsrpSession;
import org.imdp.sipmsrp.msrp.MsrpSessionsConfig;
import org.imdp.sipmsrp.msrp.NettyMsrpSessions;
import org.imdp.sipmsrp.msrp.MsrpTestPeer;
import org.imdp.sipmsrp.msrp.codec.MsrpIds;

/**
 * Load driver for the MSRP sender (not a test): how fast one large message goes out over loopback in SEND chunks,
 * by {@code imdp.msrp.chunk-size} and {@code imdp.msrp.window} (chunks in flight; 1 is stop-and-wait, each chunk
 * answered before the next goes out), to the Netty test peer, which parses every chunk and answers 200. Each rate
 * is also given relative to 64 KiB stop-and-wait (the sender before the window), measured in the same run. Run with
 * {@code mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.imdp.bench.MsrpThroughputBenchmark -Dexec.args="8 10 1"}
 * (arguments: message size in MiB, timed messages per setting, and milliseconds the peer holds each answer back as
 * a network's round trip would, default 0).
 */
public final class MsrpThroughputBenchmark {

    private static final int[] CHUNK_SIZES = { 4 * 1024, 10 * 1024, 16 * 1024, 64 * 1024 };
    private static final int[] WINDOWS = { 1, 4, 16, 64 };
    private static final int REFERENCE_CHUNK_SIZE = 64 * 1024;
    private static final int REFERENCE_WINDOW = 1;
    private static final int WARM_UP = 3;

    private MsrpThroughputBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int mebibytes = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        // the peer holds each answer back this long, as a network's round trip would; 0 = loopback as it is
        Duration roundTrip = Duration.ofNanos((long) ((args.length > 2 ? Double.parseDouble(args[2]) : 0) * 1e6));
        byte[] body = new byte[mebibytes * 1024 * 1024];
        new Random(4975).nextBytes(body);
        System.out.printf("machine: %d cores, Java %s; message %d MiB, %d timed sends per setting, answers held %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), mebibytes, rounds,
                roundTrip);
        // the reference is measured in the matrix, after the settings before it have warmed the JIT up
        double[][] rates = new double[CHUNK_SIZES.length][WINDOWS.length];
        double reference = 0;
        for (int c = 0; c < CHUNK_SIZES.length; c++) {
            for (int w = 0; w < WINDOWS.length; w++) {
                rates[c][w] = median(body, mebibytes, rounds, CHUNK_SIZES[c], WINDOWS[w], roundTrip);
                if (CHUNK_SIZES[c] == REFERENCE_CHUNK_SIZE && WINDOWS[w] == REFERENCE_WINDOW) {
                    reference = rates[c][w];
                }
            }
        }
        System.out.println(
                "| chunk size | window | chunks per message | median MiB/s | relative to 64 KiB, window 1 |");
        System.out.println("|---|---|---|---|---|");
        for (int c = 0; c < CHUNK_SIZES.length; c++) {
            for (int w = 0; w < WINDOWS.length; w++) {
                System.out.printf("| %d | %d | %d | %.1f | %.2f |%n", CHUNK_SIZES[c], WINDOWS[w],
                        (body.length + CHUNK_SIZES[c] - 1) / CHUNK_SIZES[c], rates[c][w], rates[c][w] / reference);
            }
        }
    }

    /** Median MiB/s of {@code rounds} sends of {@code body} after a warm-up, on a fresh peer and session. */
    private static double median(byte[] body, int mebibytes, int rounds, int chunkSize, int window, Duration roundTrip)
            throws Exception {
        List<Double> mibPerSecond = new ArrayList<>();
        try (MsrpTestPeer peer = new MsrpTestPeer().start(0).answerAfter(roundTrip.isZero() ? null : roundTrip);
             NettyMsrpSessions sessions = new NettyMsrpSessions(
                     MsrpSessionsConfig.of("127.0.0.1", 0).withChunkSize(chunkSize).withWindow(window))) {
            sessions.start();
            MsrpSession session = sessions.allocate().connect(List.of(peer.path())).get(10, TimeUnit.SECONDS);
            for (int i = 0; i < WARM_UP + rounds; i++) {
                long t0 = System.nanoTime();
                MsrpSendResult result = session.send(MsrpIds.newMessageId(), "application/octet-stream", body)
                        .get(60, TimeUnit.SECONDS);
                double seconds = (System.nanoTime() - t0) / 1e9;
                if (!result.acknowledged()) {
                    throw new IllegalStateException("peer answered " + result.status());
                }
                if (i >= WARM_UP) {
                    mibPerSecond.add(mebibytes / seconds);
                }
            }
            session.close();
        }
        Collections.sort(mibPerSecond);
        return mibPerSecond.get(mibPerSecond.size() / 2);
    }
}
