package org.imdp.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import org.imdp.registration.Registrations;
import org.imdp.store.DeferredStore;
import org.imdp.store.Recipients;
import org.imdp.store.StoreDatabase;
import org.imdp.test.peers.PostgresServer;

/**
 * The registrations in the store at scale (a load driver, not a test): what {@link Registrations#contactOf} costs per
 * incoming MESSAGE with N registrations stored, next to references measured in the same run on the same store: a
 * round trip that reads nothing ({@code SELECT 1}, the floor of any lookup), the intake's own per-message count of the
 * recipient's stored messages, and the in-memory map the registrations were kept in before (per instance, lost on a
 * restart). Also a REGISTER's refresh and a new recipient's REGISTER (which counts the registrations for
 * {@code imdp.registration.max-entries}) through the store's group commit, one at a time.
 * <p>
 * {@code ./scripts/bench/registrations.sh [registrations] [jdbc-url | postgres]}, default 100,000 on the embedded
 * SQLite store; {@code postgres} starts a PostgreSQL server of its own for the run ({@link PostgresServer}).
 */
public final class RegistrationBenchmark {

    private static final int ROUNDS = 20_000;
    private static final int WRITES = 300;

    private RegistrationBenchmark() {
    }

    @FunctionalInterface
    private interface Operation {
        void run(int i) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int registered = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        String url = args.length > 1 ? args[1] : "";
        PostgresServer postgres = url.equals("postgres") ? PostgresServer.start() : null;
        if (postgres != null) {
            url = postgres.newDatabase();
        }
        Path dir = Files.createTempDirectory("imdp-registration-bench");
        StoreDatabase database = new StoreDatabase(url, "", "", dir, 8);
        database.start();
        DeferredStore store = new DeferredStore(database, Duration.ofHours(72), 1000, 1 << 20, 3, Clock.systemUTC());
        store.start();
        Registrations registrations = new Registrations(store, Clock.systemUTC(), false, Integer.MAX_VALUE,
                Duration.ofSeconds(1));
        System.out.printf("machine: %d cores, Java %s; store %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), database.url());
        try {
            long t0 = System.nanoTime();
            fill(database, registered);
            System.out.printf("fill (setup, batched): %,d registrations in %.1f s; %,d registered now%n", registered,
                    (System.nanoTime() - t0) / 1e9, registrations.size());
            Map<String, String> inMemory = new ConcurrentHashMap<>();
            for (int r = 0; r < registered; r++) {
                inMemory.put(user(r), "sip:user" + r + "@192.0.2.1:5070");
            }

            long[] probe = measure(ROUNDS, i -> store.probe());
            long[] hit = measure(ROUNDS, i -> registrations.contactOf(user(random(registered))));
            long[] miss = measure(ROUNDS, i -> registrations.contactOf("sip:offline" + i + "@bench.example"));
            long[] count = measure(ROUNDS, i -> store.count(user(random(registered))));
            long[] map = measure(ROUNDS, i -> inMemory.get(Recipients.canonical(user(random(registered)))));
            long[] refresh = measure(WRITES, i -> registrations.update(user(random(registered)),
                    "sip:refresh@192.0.2.2:5070", 3600, null));
            long[] newcomer = measure(WRITES, i -> registrations.update("sip:new" + i + "@bench.example",
                    "sip:new@192.0.2.3:5070", 3600, null));
            long[] size = measure(WRITES, i -> registrations.size());

            report("SELECT 1 (pool round trip, the floor)", probe, probe);
            report("contactOf, registered recipient", hit, probe);
            report("contactOf, recipient not registered", miss, probe);
            report("count of a recipient's messages (intake)", count, probe);
            report("in-memory map (before: per instance)", map, probe);
            report("REGISTER refresh (one commit)", refresh, probe);
            report("REGISTER of a new recipient (count + commit)", newcomer, probe);
            report("count of live registrations (the limit)", size, probe);
        } finally {
            store.stop();
            database.stop();
            if (postgres != null) {
                postgres.close();
            }
        }
    }

    private static String user(int r) {
        return "sip:user" + r + "@bench.example";
    }

    private static int random(int bound) {
        return ThreadLocalRandom.current().nextInt(bound);
    }

    /** The registrations, straight into the table (setup): all valid for an hour. */
    private static void fill(StoreDatabase database, int registered) throws Exception {
        long expires = System.currentTimeMillis() + Duration.ofHours(1).toMillis();
        try (Connection c = database.dataSource().getConnection();
             PreparedStatement insert = c.prepareStatement(
                     "INSERT INTO registration (recipient, contact, expires_at) VALUES (?, ?, ?)")) {
            c.setAutoCommit(false);
            for (int r = 0; r < registered; r++) {
                insert.setString(1, user(r));
                insert.setString(2, "sip:user" + r + "@192.0.2.1:5070");
                insert.setLong(3, expires);
                insert.addBatch();
                if ((r + 1) % 10_000 == 0) {
                    insert.executeBatch();
                    c.commit();
                }
            }
            insert.executeBatch();
            c.commit();
        }
    }

    /** Times of {@code rounds} calls, one at a time, after a quarter as many of warm-up. */
    private static long[] measure(int rounds, Operation operation) throws Exception {
        long[] samples = new long[rounds];
        for (int i = -rounds / 4; i < rounds; i++) {
            long t = System.nanoTime();
            operation.run(i + rounds);
            if (i >= 0) {
                samples[i] = System.nanoTime() - t;
            }
        }
        Arrays.sort(samples);
        return samples;
    }

    private static void report(String what, long[] sorted, long[] floor) {
        System.out.printf("%-46s p50 %8.1f us  p99 %8.1f us  (p50 %5.2f x SELECT 1)%n", what, p(sorted, 50) / 1e3,
                p(sorted, 99) / 1e3, p(sorted, 50) / (double) p(floor, 50));
    }

    private static long p(long[] sorted, int percentile) {
        return sorted[Math.min(sorted.length - 1, sorted.length * percentile / 100)];
    }
}
