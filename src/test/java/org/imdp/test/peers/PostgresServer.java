package org.imdp.test.peers;

import org.imdp.test.TestPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;


/**
 * A real PostgreSQL server (Debian's {@code postgresql} package, installed by {@code scripts/install-test-peers.sh})
 * on a free loopback port, with its cluster in a fresh temporary directory. PostgreSQL refuses to run as root, so
 * under root its programs run as the {@code postgres} user that the package creates.
 */
public final class PostgresServer implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final int port;
    private final ExternalProcess server;
    private final AtomicInteger databases = new AtomicInteger();

    private PostgresServer(Path dir, int port, ExternalProcess server) {
        this.dir = dir;
        this.port = port;
        this.server = server;
    }

    /** initdb and start; fails with the install hint when PostgreSQL is not installed. */
    public static PostgresServer start() {
        Path bin = binDir();
        try {
            Path dir = Files.createTempDirectory("imdp-pg-");
            int port = TestPorts.next();
            if (isRoot()) {
                run("chown", List.of("chown", "postgres:postgres", dir.toString()));
            }
            run("initdb", asPostgres(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(),
                    "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")));
            ExternalProcess server = ExternalProcess.start("postgres", dir, asPostgres(List.of(
                    bin.resolve("postgres").toString(), "-D", dir.resolve("data").toString(), "-p", String.valueOf(port),
                    "-k", dir.toString(), "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200")));
            server.waitForLog(Pattern.compile("database system is ready to accept connections"), START_TIMEOUT);
            return new PostgresServer(dir, port, server);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    /** A new, empty database of its own: its JDBC URL, user {@code postgres} given in the URL. */
    public String newDatabase() {
        String name = "imdp" + databases.incrementAndGet();
        try (Connection c = DriverManager.getConnection(url("postgres")); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
        return url(name);
    }

    private String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
    }

    @Override
    public void close() {
        server.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }

    private static Path binDir() {
        try (var versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("postgres")))
                    .max(Path::compareTo)
                    .orElseThrow(() -> new IllegalStateException("PostgreSQL not found: " + ExternalProcess.INSTALL_HINT));
        } catch (IOException e) {
            throw new IllegalStateException("PostgreSQL not found under /usr/lib/postgresql: " + ExternalProcess.INSTALL_HINT, e);
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static List<String> asPostgres(List<String> command) {
        if (!isRoot()) {
            return command;
        }
        List<String> as = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        as.addAll(command);
        return as;
    }

    private static void run(String name, List<String> command) {
        try (ExternalProcess p = ExternalProcess.start(name, ExternalProcess.outputDir(), command)) {
            int exit = p.waitForExit(START_TIMEOUT);
            if (exit != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + exit + ":\n" + p.logTail());
            }
        }
    }
}
