package org.imdp.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.test.AvailablePortFinder;
import org.imdp.broker.EmbeddedBroker;
import org.imdp.store.DeferredMessage;
import org.imdp.store.DeferredStore;
import org.imdp.store.PushBatch;

/**
 * Load driver for the store (not a test): intake rate, and the cost of fetching one recipient's
 * messages as the total number of stored messages grows. Run with
 * {@code mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.imdp.bench.StoreBenchmark -Dexec.args="20000 5"}
 * (arguments: recipients, messages per recipient).
 */
public final class StoreBenchmark {

    private static final int PROBE_MESSAGES = 10;
    private static final int PROBE_ROUNDS = 200;

    private StoreBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int recipients = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int perRecipient = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path dir = Files.createTempDirectory("imdp-bench");
        EmbeddedBroker broker = new EmbeddedBroker(dir, "127.0.0.1", AvailablePortFinder.getNextAvailable(), List.of("im.charging"));
        broker.start();
        DeferredStore store = new DeferredStore(EmbeddedBroker.IN_VM_URL, Duration.ofHours(72), 1000, 4096,
                "im.charging", Clock.systemUTC());
        store.start();
        try {
            String probe = "sip:probe@bench.example";
            for (int i = 0; i < PROBE_MESSAGES; i++) {
                store.store(message(probe, "probe-" + i));
            }
            System.out.printf("machine: %d cores, Java %s%n", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"));
            double empty = probeMicros(store, probe);
            System.out.printf("fetch %d messages of one recipient, %,d stored in total: median %.0f us%n",
                    PROBE_MESSAGES, PROBE_MESSAGES, empty);

            long t0 = System.nanoTime();
            fill(store, recipients, perRecipient);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long total = (long) recipients * perRecipient;
            System.out.printf("intake: %,d messages for %,d recipients in %.1f s = %,.0f messages/s (4 threads, durable)%n",
                    total, recipients, seconds, total / seconds);

            double full = probeMicros(store, probe);
            System.out.printf("fetch %d messages of one recipient, %,d stored in total: median %.0f us%n",
                    PROBE_MESSAGES, total + PROBE_MESSAGES, full);
            System.out.printf("ratio (large store / small store): %.2f%n", full / empty);
            Runtime rt = Runtime.getRuntime();
            System.gc();
            System.gc();
            System.out.printf("heap used after full GC: %,d MiB (%,d recipient queues)%n",
                    (rt.totalMemory() - rt.freeMemory()) >> 20, recipients + 1);
        } finally {
            store.stop();
            broker.stop();
        }
    }

    private static void fill(DeferredStore store, int recipients, int perRecipient) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        AtomicInteger next = new AtomicInteger();
        Future<?>[] workers = new Future<?>[4];
        for (int w = 0; w < workers.length; w++) {
            workers[w] = pool.submit(() -> {
                int r;
                while ((r = next.getAndIncrement()) < recipients) {
                    String recipient = "sip:user" + r + "@bench.example";
                    for (int i = 0; i < perRecipient; i++) {
                        store.store(message(recipient, r + "-" + i));
                    }
                }
                return null;
            });
        }
        for (Future<?> f : workers) {
            f.get();
        }
        pool.shutdown();
    }

    /** Median time of checking out and returning the probe recipient's messages. */
    private static double probeMicros(DeferredStore store, String probe) throws Exception {
        long[] samples = new long[PROBE_ROUNDS];
        for (int i = 0; i < PROBE_ROUNDS; i++) {
            long t = System.nanoTime();
            try (PushBatch batch = store.checkout(probe, 1000, Integer.MAX_VALUE, null)) {
                if (batch.getMessages().size() != PROBE_MESSAGES) {
                    throw new IllegalStateException("probe lost messages: " + batch.getMessages().size());
                }
            }
            samples[i] = System.nanoTime() - t;
        }
        Arrays.sort(samples);
        return samples[PROBE_ROUNDS / 2] / 1000.0;
    }

    private static DeferredMessage message(String recipient, String id) {
        return new DeferredMessage(id, "sip:sender@bench.example", recipient, "text/plain", Instant.now(), null,
                ("deferred message " + id).getBytes(StandardCharsets.UTF_8));
    }
}
