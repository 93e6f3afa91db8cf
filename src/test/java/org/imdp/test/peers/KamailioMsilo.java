package org.imdp.test.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The incumbent the load benchmark compares against: Kamailio 5.6's msilo module with
 * {@code src/test/peers/kamailio/msilo.cfg}, storing MESSAGEs for offline users in SQLite (db_sqlite, WAL)
 * and dumping them as MESSAGEs on REGISTER. UDP on {@code 127.0.0.1:<port>}, started with 1 GiB of shared
 * memory ({@code -m 1024}: a burst of 10,000 dumped messages exhausts the default). The database is a
 * fresh file made from the schema Debian ships ({@code /usr/share/kamailio/db_sqlite}).
 */
public final class KamailioMsilo implements AutoCloseable {

    private static final Path SCHEMA = Path.of("/usr/share/kamailio/db_sqlite");

    private final int port;
    private final Path database;
    private final ExternalProcess process;

    private KamailioMsilo(int port, Path database, ExternalProcess process) {
        this.port = port;
        this.database = database;
        this.process = process;
    }

    /** The checked-in configuration. */
    public static Path config() {
        return ExternalProcess.projectRoot().resolve("src/test/peers/kamailio/msilo.cfg");
    }

    /**
     * Creates the SQLite database in WAL mode, starts Kamailio on UDP {@code 127.0.0.1:port} and returns once
     * the port is bound. Run directory (pid file, database) {@code target/peers/kamailio-msilo-<n>.run}, log
     * {@code target/peers/kamailio-msilo-<n>.log}.
     */
    public static KamailioMsilo start(int port) {
        Path log = ExternalProcess.newOutputFile("kamailio-msilo", ".log");
        Path runDir = Path.of(log.toString().replaceFirst("\\.log$", ".run"));
        Path database = runDir.resolve("msilo.db");
        try {
            Files.createDirectories(runDir);
            Files.deleteIfExists(database);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + runDir, e);
        }
        sqlite(database, ".read " + SCHEMA.resolve("standard-create.sql"));
        sqlite(database, ".read " + SCHEMA.resolve("msilo-create.sql"));
        // m_dump's SELECT and msilo's timer DELETEs fail on each other with SQLITE_BUSY without WAL
        sqlite(database, "PRAGMA journal_mode=WAL;");
        List<String> cmd = List.of("kamailio", "-DD", "-E", "-m", "1024", "-M", "16",
                "-A", "SIP_PORT=" + port, "-A", "DBURL=\"sqlite://" + database + "\"",
                "-A", "SELF=\"sip:127.0.0.1:" + port + "\"", "-f", config().toString(),
                "-Y", runDir.toString(), "-P", runDir.resolve("kamailio.pid").toString());
        ExternalProcess process = ExternalProcess.start(log, ExternalProcess.outputDir(), cmd);
        try {
            LocalPorts.awaitBound(process, LocalPorts.Protocol.UDP, port, Duration.ofSeconds(15));
        } catch (AssertionError e) {
            process.close();
            throw e;
        }
        return new KamailioMsilo(port, database, process);
    }

    /** The UDP port on 127.0.0.1 where it takes MESSAGE and REGISTER. */
    public int port() {
        return port;
    }

    /** Messages still stored (msilo's {@code silo} table), read with the sqlite3 tool. */
    public int storedMessages() {
        return Integer.parseInt(sqlite(database, "SELECT count(*) FROM silo;").strip());
    }

    /** The Kamailio process: log, pid (its children are the workers and timers). */
    public ExternalProcess process() {
        return process;
    }

    @Override
    public void close() {
        process.close();
    }

    private static String sqlite(Path database, String command) {
        List<String> cmd = List.of(ExternalProcess.requireOnPath("sqlite3").toString(), database.toString(), command);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("sqlite3 failed: " + String.join(" ", cmd) + "\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", cmd), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running sqlite3", e);
        }
    }
}
