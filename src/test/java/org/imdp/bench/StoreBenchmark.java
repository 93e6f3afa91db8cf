package org.imdp.bench;

import org.imdp.test.TestPorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.imdp.store.DeferredMessage;
import org.imdp.store.DeferredStore;
import org.imdp.store.PushBatch;
import org.imdp.store.StoreDatabase;
import org.imdp.test.peers.ExternalProcess;
import org.imdp.test.peers.ServiceProcess;

/**
 * The store at scale (a load driver, not a test): fetch latency of one recipient's messages on an empty store and on
 * a full one, durable intake on both, and the packaged service's start-up time and heap on the full store.
 * <p>
 * {@code ./scripts/bench/store-scale.sh [recipients] [messages-per-recipient] [jdbc-url]}, default 100,000 x 10 on the
 * embedded SQLite store; a {@code jdbc:postgresql:} URL measures PostgreSQL instead (the service is then started on
 * it too). The fill itself is setup, done with batched inserts; intake is measured through {@link DeferredStore#store}
 * (one durable commit per message) with 4 threads, as the intake routes call it.
 */
public final class StoreBenchmark {

    private static final int PROBE_MESSAGES = 10;
    private static final int PROBE_ROUNDS = 2000;
    private static final int INTAKE_MESSAGES = 20_000;
    private static final int INTAKE_THREADS = 4;
    private static final String PROBE = "sip:probe@bench.example";

    private StoreBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int recipients = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int perRecipient = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        String url = args.length > 2 ? args[2] : "";
        Path dir = Files.createTempDirectory("imdp-store-bench");
        StoreDatabase database = new StoreDatabase(url, "", "", dir, 8);
        database.start();
        DeferredStore store = new DeferredStore(database, Duration.ofHours(72), 1000, 1 << 20, 3, Clock.systemUTC());
        store.start();
        System.out.printf("machine: %d cores, Java %s; store %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), database.url());
        try {
            for (int i = 0; i < PROBE_MESSAGES; i++) {
                store.store(message(PROBE, "probe-" + i));
            }
            long[] empty = fetchNanos(store);
            double emptyIntake = intake(store, "empty");
            report("empty store", empty, emptyIntake);

            long t0 = System.nanoTime();
            fill(database, recipients, perRecipient);
            System.out.printf("fill (setup, batched): %,d messages for %,d recipients in %.0f s%n",
                    (long) recipients * perRecipient, recipients, (System.nanoTime() - t0) / 1e9);

            long[] full = fetchNanos(store);
            double fullIntake = intake(store, "full");
            report(String.format("%,d stored", store.totals(0).storedMessages()), full, fullIntake);
            System.out.printf("ratios full/empty: fetch p50 %.2f, p99 %.2f; intake %.2f%n",
                    percentile(full, 50) / (double) percentile(empty, 50),
                    percentile(full, 99) / (double) percentile(empty, 99), fullIntake / emptyIntake);

            t0 = System.nanoTime();
            store.stop();
            database.stop();
            database.start();
            store.start();
            store.checkout(PROBE, 1000, Integer.MAX_VALUE);
            System.out.printf("store reopened (pool, schema check, first fetch) in %.0f ms%n", (System.nanoTime() - t0) / 1e6);
        } finally {
            store.stop();
            database.stop();
        }
        serviceOnTheFullStore(dir, url);
    }

    /** The packaged service started on the full store: time to "started", and its heap after a full GC. */
    private static void serviceOnTheFullStore(Path dir, String url) throws Exception {
        if (!Files.isRegularFile(ServiceProcess.defaultJar())) {
            System.out.println("service: " + ServiceProcess.defaultJar() + " not built, skipped (mvn -B package -DskipTests)");
            return;
        }
        long t0 = System.nanoTime();
        try (ServiceProcess service = ServiceProcess.builder()
                .workDir(ExternalProcess.projectRoot())
                .property("imdp.data-dir", dir.toString())
                .property("imdp.store.url", url)
                .property("imdp.sip.port", String.valueOf(TestPorts.next()))
                .property("imdp.msrp.port", String.valueOf(TestPorts.next()))
                .property("imdp.broker.embedded.port", String.valueOf(TestPorts.next()))
                .property("camel.management.port", String.valueOf(TestPorts.next()))
                .property("imdp.ch1.peers", "127.0.0.1:" + TestPorts.next())
                .startTimeout(Duration.ofMinutes(5))
                .start()) {
            System.out.printf("service start-up on the full store (JVM start to \"started\"): %.1f s%n",
                    (System.nanoTime() - t0) / 1e9);
            long pid = service.pid();
            jcmd(pid, "GC.run");
            String heap = jcmd(pid, "GC.heap_info");
            System.out.println("service heap after a full GC (jcmd GC.heap_info):");
            heap.lines().filter(l -> l.contains("used")).limit(2).forEach(l -> System.out.println("  " + l.strip()));
        }
    }

    private static String jcmd(long pid, String command) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    private static void report(String what, long[] fetch, double intake) {
        System.out.printf("%s: fetch %d messages of one recipient p50 %.3f ms, p99 %.3f ms; durable intake %,.0f msg/s "
                          + "(%d threads)%n", what, PROBE_MESSAGES, percentile(fetch, 50) / 1e6, percentile(fetch, 99) / 1e6,
                intake, INTAKE_THREADS);
    }

    /** Fills the table directly, 10,000 rows per transaction: setup for the measurements, not one of them. */
    private static void fill(StoreDatabase database, int recipients, int perRecipient) throws Exception {
        long expires = Instant.now().plus(Duration.ofHours(72)).toEpochMilli();
        byte[] body = new byte[1024];
        Arrays.fill(body, (byte) 'x');
        try (Connection c = database.dataSource().getConnection();
             PreparedStatement insert = c.prepareStatement("INSERT INTO deferred_message (recipient, message_id, sender, "
                     + "content_type, date_time, expires_at, size, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            c.setAutoCommit(false);
            int rows = 0;
            for (int m = 0; m < perRecipient; m++) {
                for (int r = 0; r < recipients; r++) {
                    insert.setString(1, "sip:user" + r + "@bench.example");
                    insert.setString(2, "fill-" + r + "-" + m);
                    insert.setString(3, "sip:sender@bench.example");
                    insert.setString(4, "text/plain");
                    insert.setString(5, Instant.now().toString());
                    insert.setLong(6, expires);
                    insert.setInt(7, body.length);
                    insert.setBytes(8, body);
                    insert.addBatch();
                    if (++rows % 10_000 == 0) {
                        insert.executeBatch();
                        c.commit();
                    }
                }
            }
            insert.executeBatch();
            c.commit();
        }
    }

    /** {@link #INTAKE_MESSAGES} stored through the store's own path by 4 threads, 10 per new recipient: messages/s. */
    private static double intake(DeferredStore store, String tag) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(INTAKE_THREADS);
        AtomicInteger next = new AtomicInteger();
        long t0 = System.nanoTime();
        Future<?>[] workers = new Future<?>[INTAKE_THREADS];
        for (int w = 0; w < workers.length; w++) {
            workers[w] = pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < INTAKE_MESSAGES) {
                    store.store(message("sip:" + tag + (i / 10) + "@intake.example", tag + "-" + i));
                }
                return null;
            });
        }
        for (Future<?> f : workers) {
            f.get();
        }
        pool.shutdown();
        return INTAKE_MESSAGES / ((System.nanoTime() - t0) / 1e9);
    }

    /** Times of fetching the probe recipient's 10 messages (checkout: the sizes, then the rows), after a warm-up. */
    private static long[] fetchNanos(DeferredStore store) throws Exception {
        long[] samples = new long[PROBE_ROUNDS];
        for (int i = -PROBE_ROUNDS / 4; i < PROBE_ROUNDS; i++) {
            long t = System.nanoTime();
            PushBatch batch = store.checkout(PROBE, 1000, Integer.MAX_VALUE);
            long took = System.nanoTime() - t;
            if (batch.getMessages().size() != PROBE_MESSAGES) {
                throw new IllegalStateException("probe lost messages: " + batch.getMessages().size());
            }
            if (i >= 0) {
                samples[i] = took;
            }
        }
        Arrays.sort(samples);
        return samples;
    }

    private static long percentile(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static DeferredMessage message(String recipient, String id) {
        byte[] body = new byte[1024];
        Arrays.fill(body, (byte) 'm');
        return new DeferredMessage(id, "sip:sender@bench.example", recipient, "text/plain", Instant.now(), null, body);
    }
}
