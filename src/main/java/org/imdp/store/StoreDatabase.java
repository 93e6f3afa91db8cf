package org.imdp.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.support.service.ServiceSupport;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SQL database of the deferred store: a pooled {@link DataSource} (HikariCP) whose schema Flyway brings up to
 * date at start ({@code db/migration} in the jar: one schema for both databases, the two column types they spell
 * differently as placeholders; {@code db/migration-sqlite} and {@code db/migration-postgresql} hold the versions
 * whose statements differ, each version in both).
 * <ul>
 *   <li>No URL: an embedded SQLite file, {@code store.db} in the data directory. WAL journal with
 *       {@code synchronous=FULL}: a commit is on disk (fsync) when it returns, so it survives {@code kill -9} and a
 *       power cut. Write transactions start {@code IMMEDIATE}, so concurrent writers queue on the lock
 *       ({@code busy_timeout}) instead of failing when one of them read first. The WAL is copied back into the
 *       database file by a background checkpoint every {@link #CHECKPOINT_PERIOD}, not by the commit that happens to
 *       fill it (SQLite's default), so no intake or settle waits for a checkpoint.</li>
 *   <li>{@code jdbc:postgresql://...}: PostgreSQL, the production store (shared by several instances).</li>
 * </ul>
 */
public final class StoreDatabase extends ServiceSupport {

    /** The embedded store's file in the data directory. */
    public static final String EMBEDDED_FILE = "store.db";

    private static final Logger LOG = LoggerFactory.getLogger(StoreDatabase.class);
    private static final Duration BUSY_TIMEOUT = Duration.ofSeconds(30);
    /** How often the embedded store's WAL is checkpointed (PASSIVE: never blocks a reader or the writer). */
    static final Duration CHECKPOINT_PERIOD = Duration.ofSeconds(1);

    private final String url;
    private final String user;
    private final String password;
    private final int poolSize;
    private HikariDataSource dataSource;
    private ScheduledExecutorService checkpoints;

    /**
     * @param url      JDBC URL of the store; empty for the embedded SQLite file in {@code dataDir}
     * @param dataDir  where the embedded file lives
     * @param poolSize connections kept open
     */
    public StoreDatabase(String url, String user, String password, Path dataDir, int poolSize) {
        this.url = url == null || url.isBlank() ? embeddedUrl(dataDir) : url.trim();
        this.user = user;
        this.password = password;
        this.poolSize = poolSize;
    }

    /** The JDBC URL of the embedded store in {@code dataDir}. */
    public static String embeddedUrl(Path dataDir) {
        return "jdbc:sqlite:" + dataDir.resolve(EMBEDDED_FILE).toAbsolutePath();
    }

    public String url() {
        return url;
    }

    public boolean isSqlite() {
        return url.startsWith("jdbc:sqlite:");
    }

    public DataSource dataSource() {
        if (dataSource == null) {
            throw new IllegalStateException("the store database is not started");
        }
        return dataSource;
    }

    @Override
    protected void doStart() throws Exception {
        if (!url.startsWith("jdbc:sqlite:") && !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("Configuration key imdp.store.url = " + url
                                               + " must be empty (embedded SQLite) or a jdbc:postgresql: URL");
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("imdp-store");
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(Math.min(poolSize, 2));
        config.setAutoCommit(true);
        // a database that cannot be reached stops the start with the driver's reason, not after a long wait
        config.setInitializationFailTimeout(10_000);
        if (isSqlite()) {
            Files.createDirectories(Path.of(url.substring("jdbc:sqlite:".length())).toAbsolutePath().getParent());
            config.addDataSourceProperty("journal_mode", "WAL");
            config.addDataSourceProperty("synchronous", "FULL");
            config.addDataSourceProperty("busy_timeout", String.valueOf(BUSY_TIMEOUT.toMillis()));
            config.addDataSourceProperty("transaction_mode", "IMMEDIATE");
            config.setConnectionInitSql("PRAGMA wal_autocheckpoint=0");
        } else {
            if (user != null && !user.isBlank()) {
                config.setUsername(user);
            }
            if (password != null && !password.isEmpty()) {
                config.setPassword(password);
            }
        }
        dataSource = new HikariDataSource(config);
        try {
            MigrateResult migrated = Flyway.configure()
                    .dataSource(dataSource)
                    // the shared schema, and the few steps the two databases cannot spell alike
                    .locations("classpath:db/migration", "classpath:db/migration-" + (isSqlite() ? "sqlite" : "postgresql"))
                    .placeholders(isSqlite()
                            ? Map.of("row_id", "INTEGER PRIMARY KEY", "octets", "BLOB")
                            : Map.of("row_id", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "octets", "BYTEA"))
                    .load()
                    .migrate();
            LOG.info("Deferred store database {}: schema version {} ({} migration(s) applied now)", safeUrl(),
                    migrated.targetSchemaVersion == null ? migrated.initialSchemaVersion : migrated.targetSchemaVersion,
                    migrated.migrationsExecuted);
        } catch (RuntimeException e) {
            dataSource.close();
            dataSource = null;
            throw e;
        }
        if (isSqlite()) {
            checkpoints = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "ImdpStoreCheckpoint");
                t.setDaemon(true);
                return t;
            });
            checkpoints.scheduleWithFixedDelay(() -> checkpoint("PASSIVE"), CHECKPOINT_PERIOD.toMillis(),
                    CHECKPOINT_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void checkpoint(String mode) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("PRAGMA wal_checkpoint(" + mode + ")");
        } catch (SQLException | RuntimeException e) {
            LOG.warn("Checkpoint of the embedded store's WAL failed (it is tried again): {}", e.getMessage());
        }
    }

    @Override
    protected void doStop() throws InterruptedException {
        if (checkpoints != null) {
            checkpoints.shutdown();
            checkpoints.awaitTermination(BUSY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            checkpoints = null;
            // everything into the database file, the WAL emptied: the next start reads one file
            checkpoint("TRUNCATE");
        }
        if (dataSource != null) {
            dataSource.close();
            dataSource = null;
        }
    }

    /** The URL without query parameters (they may carry a password). */
    private String safeUrl() {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }
}
