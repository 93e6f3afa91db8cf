package org.imdp.bench;

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
 * Load driver for the MSRP sender (not a test): how fast one large message goes out over loopback in
 * stop-and-wait SEND chunks (each answered before the next goes out), by {@code imdp.msrp.chunk-size}, to the
 * Netty test peer, which parses every chunk and answers 200. Run with
 * {@code mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.imdp.bench.MsrpThroughputBenchmark -Dexec.args="8 10"}
 * (arguments: message size in MiB, timed messages per chunk size).
 */
public final class MsrpThroughputBenchmark {

    private static final int[] CHUNK_SIZES = { 4 * 1024, 16 * 1024, 64 * 1024, 256 * 1024 };
    private static final int WARM_UP = 3;

    private MsrpThroughputBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int mebibytes = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        byte[] body = new byte[mebibytes * 1024 * 1024];
        new Random(4975).nextBytes(body);
        System.out.printf("machine: %d cores, Java %s; message %d MiB, %d timed sends per chunk size%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), mebibytes, rounds);
        for (int chunkSize : CHUNK_SIZES) {
            List<Double> mibPerSecond = new ArrayList<>();
            try (MsrpTestPeer peer = new MsrpTestPeer().start(0);
                 NettyMsrpSessions sessions = new NettyMsrpSessions(
                         MsrpSessionsConfig.of("127.0.0.1", 0).withChunkSize(chunkSize))) {
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
            System.out.printf("chunk %6d octets: %5d chunks per message, median %7.1f MiB/s (min %.1f, max %.1f)%n",
                    chunkSize, (body.length + chunkSize - 1) / chunkSize, mibPerSecond.get(mibPerSecond.size() / 2),
                    mibPerSecond.get(0), mibPerSecond.get(mibPerSecond.size() - 1));
        }
    }
}
