package org.imdp.test.peers;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A peer (or the service) running as an operating system process for a test.
 * <p>
 * Standard output and standard error go together into {@code target/peers/<name>-<n>.log}, where
 * {@code n} counts the processes of that name started by this JVM, so every run of a test keeps its
 * own log next to the other peers' files. {@link #close()} ends the process with SIGTERM and kills it
 * (and any child it left behind) after a grace period.
 *
 * <pre>{@code
 * try (ExternalProcess p = ExternalProcess.start("kamailio", workDir, List.of("kamailio", "-DD", "-E", ...))) {
 *     p.waitForLog(Pattern.compile("Listening on"), Duration.ofSeconds(10));
 * }
 * }</pre>
 */
public final class ExternalProcess implements AutoCloseable {

    /** How to get a missing peer binary; every peer the tests use is installed by this script. */
    static final String INSTALL_HINT = "run scripts/install-test-peers.sh (as root) to install the test peers";

    private static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);
    private static final int TAIL_LINES = 40;
    private static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();

    private final String name;
    private final List<String> command;
    private final Path log;
    private final Process process;

    private ExternalProcess(String name, List<String> command, Path log, Process process) {
        this.name = name;
        this.command = command;
        this.log = log;
        this.process = process;
    }

    /**
     * Starts {@code command} in {@code workDir}.
     *
     * @param name a short name for the log file, e.g. {@code "sipp-uas"}
     * @throws IllegalStateException when the binary is not installed or cannot be started
     */
    public static ExternalProcess start(String name, Path workDir, List<String> command) {
        return start(newOutputFile(name, ".log"), workDir, command);
    }

    /** Starts {@code command} with its output in {@code log}, for peers that keep several files per run. */
    static ExternalProcess start(Path log, Path workDir, List<String> givenCommand) {
        List<String> command = new ArrayList<>(givenCommand);
        if (!command.get(0).contains(File.separator)) {
            command.set(0, requireOnPath(command.get(0)).toString());
        }
        String name = log.getFileName().toString().replaceFirst("\\.log$", "");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        try {
            return new ExternalProcess(name, List.copyOf(command), log, builder.start());
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Fails with an install hint unless {@code binary} is an executable on the {@code PATH} or in
     * {@code /usr/sbin} or {@code /sbin} (kamailio's home, not on every user's {@code PATH}).
     *
     * @return the binary's path
     */
    static Path requireOnPath(String binary) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin" + File.pathSeparator + "/sbin";
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, binary);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(binary + " not found on PATH: " + INSTALL_HINT);
    }

    /**
     * The directory for peer logs, traces, configs and captures: {@code target/peers}, or the system property
     * {@code imdp.peers.output-dir} when set (the load benchmark keeps each run's files apart); created on demand.
     */
    public static Path outputDir() {
        String configured = System.getProperty("imdp.peers.output-dir");
        Path dir = configured != null ? Path.of(configured) : projectRoot().resolve("target").resolve("peers");
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    /** A fresh file name {@code target/peers/<name>-<n><suffix>}, unique in this JVM. */
    static Path newOutputFile(String name, String suffix) {
        int n = RUNS.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
        return outputDir().resolve(name + "-" + n + suffix);
    }

    /**
     * The project root: Maven's {@code basedir} (set by Surefire and Failsafe), else the working
     * directory, which is the project root when Maven or an IDE runs the tests.
     */
    public static Path projectRoot() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    }

    /** The process' combined stdout and stderr file. */
    public Path log() {
        return log;
    }

    /** Everything the process has written so far. */
    public String logText() {
        return readIfExists(log);
    }

    /** The last lines of {@link #logText()}, for failure messages. */
    public String logTail() {
        return tail(logText(), TAIL_LINES);
    }

    /** Whether the process is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The operating system's process id. */
    public long pid() {
        return process.pid();
    }

    /**
     * Waits until the log contains a match of {@code pattern}.
     *
     * @return the matched text
     * @throws AssertionError when the process exits first or nothing matches within {@code timeout};
     *         the message holds the log's tail
     */
    public String waitForLog(Pattern pattern, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            // liveness first, then the file: output written just before the exit is still seen
            boolean alive = process.isAlive();
            Matcher m = pattern.matcher(logText());
            if (m.find()) {
                return m.group();
            }
            if (!alive) {
                throw new AssertionError(name + " exited with code " + process.exitValue() + " before logging /"
                        + pattern + "/\ncommand: " + String.join(" ", command) + "\n" + describeLog());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " did not log /" + pattern + "/ within " + timeout
                        + "\ncommand: " + String.join(" ", command) + "\n" + describeLog());
            }
            sleep(50);
        }
    }

    /**
     * Waits for the process to end by itself.
     *
     * @return its exit code
     * @throws AssertionError when it is still running after {@code timeout}; the process is left to
     *         {@link #close()}
     */
    public int waitForExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(name + " still running after " + timeout
                        + "\ncommand: " + String.join(" ", command) + "\n" + describeLog());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + name, e);
        }
        return process.exitValue();
    }

    /**
     * Sends SIGTERM, waits up to {@code grace} for the process to end, then kills it and whatever
     * children it left behind.
     *
     * @return the exit code (128 + signal when a signal ended it), -1 when interrupted before it ended
     */
    public int stop(Duration grace) {
        // snapshot first: once the parent is gone its children are no longer its descendants
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        // not waited for: orphans are reaped by init, which in a container may never do it
        children.forEach(ProcessHandle::destroyForcibly);
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** SIGKILL to the process and whatever children it has, waiting until it is gone. */
    public void kill() {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }

    /** {@link #stop(Duration)} with a 5 s grace period; does nothing when the process has ended. */
    @Override
    public void close() {
        if (process.isAlive()) {
            stop(DEFAULT_GRACE);
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + pid() + ", log " + log + ")";
    }

    private String describeLog() {
        return "log " + log + " ends with:\n" + logTail();
    }

    static String readIfExists(Path file) {
        try {
            // lenient decoding: peers log raw bytes from the wire
            return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static String tail(String text, int lines) {
        String[] all = text.split("\n", -1);
        int from = Math.max(0, all.length - lines);
        return String.join("\n", List.of(all).subList(from, all.length));
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
