package org.imdp.test.peers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;

/**
 * The service under test as its operators run it: {@code java -jar target/im-deferred-push-runner.jar}
 * in a separate JVM, from the project root so that it reads {@code config/application.properties} and
 * {@code routes/*.xml}, with {@code -D} overrides for ports and the data directory. The jar is built
 * by {@code mvn package}, which runs before Failsafe's integration tests.
 *
 * <pre>{@code
 * try (ServiceProcess service = ServiceProcess.builder()
 *         .property("imdp.sip.port", String.valueOf(sipPort))
 *         .property("imdp.msrp.port", String.valueOf(msrpPort))
 *         .property("imdp.ch1.peers", "127.0.0.1:" + diameterPort)
 *         .property("imdp.data-dir", tempDir.toString())
 *         .start()) {
 *     ...
 *     assertThat(service.stop(Duration.ofSeconds(30))).isEqualTo(ServiceProcess.EXIT_ON_SIGTERM);
 *     assertThat(service.logText()).doesNotContain(" ERROR ");
 * }
 * }</pre>
 */
public final class ServiceProcess implements AutoCloseable {

    /** Camel Main's line once every route runs, e.g. "Apache Camel 4.18.0 (camel-1) started in 1s". */
    public static final Pattern CAMEL_STARTED = Pattern.compile("Apache Camel .* started");

    /** The service stops gracefully on SIGTERM and exits with 0 (ImdpApplication); 137 means it had to be killed. */
    public static final int EXIT_ON_SIGTERM = 0;

    private final ExternalProcess process;

    private ServiceProcess(ExternalProcess process) {
        this.process = process;
    }

    /** A launch of {@link #defaultJar()} with no overrides yet. */
    public static Builder builder() {
        return new Builder();
    }

    /** The packaged service, {@code target/im-deferred-push-runner.jar}. */
    public static Path defaultJar() {
        return ExternalProcess.projectRoot().resolve("target/im-deferred-push-runner.jar");
    }

    /** The service's combined stdout and stderr so far. */
    public String logText() {
        return process.logText();
    }

    /** Every match of {@code pattern} in the service's log so far, in order (e.g. one per push it logged). */
    public List<MatchResult> logMatches(Pattern pattern) {
        return pattern.matcher(logText()).results().toList();
    }

    /**
     * The push sessions the log names with {@code pattern}: Call-ID (group 2) to recipient (group 1), from lines such as
     * {@code Push to <recipient> Call-ID <id>: ...}.
     */
    public Map<String, String> pushesByCallId(Pattern pattern) {
        Map<String, String> sessions = new TreeMap<>();
        logMatches(pattern).forEach(m -> sessions.put(m.group(2), m.group(1)));
        return sessions;
    }

    /** The log file, {@code target/peers/service-<n>.log}. */
    public Path log() {
        return process.log();
    }

    /** Waits for a line of the service's log; fails with its tail when the service exits first. */
    public String waitForLog(Pattern pattern, Duration timeout) {
        return process.waitForLog(pattern, timeout);
    }

    /** The service JVM's process id (for jcmd, or its CPU time in /proc). */
    public long pid() {
        return process.pid();
    }

    /** Whether the service's JVM is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits for the service to end by itself, e.g. after a failed start.
     *
     * @return its exit code
     * @throws AssertionError when it still runs after {@code timeout}, with the log's tail
     */
    public int waitForExit(Duration timeout) {
        return process.waitForExit(timeout);
    }

    /**
     * Sends SIGTERM (Camel Main then shuts down gracefully), waits up to {@code grace} and kills the
     * JVM after that.
     *
     * @return the JVM's exit code, {@link #EXIT_ON_SIGTERM} after a clean shutdown
     */
    public int stop(Duration grace) {
        return process.stop(grace);
    }

    /** SIGKILL, as a crash or a power cut: no shutdown hook, no graceful stop of routes or broker. */
    public void kill() {
        process.kill();
    }

    /** Stops the service with a 30 s grace period, Camel's default shutdown timeout. */
    @Override
    public void close() {
        if (process.isAlive()) {
            stop(Duration.ofSeconds(30));
        }
    }

    /** How to launch the service; defaults: {@link #defaultJar()}, ready on {@link #CAMEL_STARTED} within 60 s. */
    public static final class Builder {
        private Path jar = defaultJar();
        private Path workDir = ExternalProcess.projectRoot();
        private final Map<String, String> properties = new LinkedHashMap<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private final List<String> jvmOptions = new ArrayList<>();
        private Pattern readyLine = CAMEL_STARTED;
        private Duration startTimeout = Duration.ofSeconds(60);

        private Builder() {
            // the management server on a free port unless a test asks for one: services may run side by side
            properties.put("camel.management.port", "0");
        }

        /** Another runnable jar than {@link #defaultJar()}. */
        public Builder jar(Path jar) {
            this.jar = jar;
            return this;
        }

        /** The service's working directory, where it finds {@code config/} and {@code routes/}; default: the project root. */
        public Builder workDir(Path workDir) {
            this.workDir = workDir;
            return this;
        }

        /** A {@code -Dkey=value} override of a configuration property. */
        public Builder property(String key, String value) {
            properties.put(key, value);
            return this;
        }

        /** An environment variable of the service's process, e.g. {@code IMDP_SIP_PORT}. */
        public Builder environment(String name, String value) {
            environment.put(name, value);
            return this;
        }

        /** A JVM option as it is, e.g. {@code -Xmx256m}. */
        public Builder jvmOption(String option) {
            jvmOptions.add(option);
            return this;
        }

        /** The log line that says the service is ready. */
        public Builder readyLine(Pattern readyLine) {
            this.readyLine = readyLine;
            return this;
        }

        /** How long the service may take to log its ready line. */
        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = startTimeout;
            return this;
        }

        /** Launches the JVM and returns once the ready line is logged; stops it if it is not. */
        public ServiceProcess start() {
            ServiceProcess service = launch();
            try {
                service.waitForLog(readyLine, startTimeout);
            } catch (AssertionError e) {
                service.process.close();
                throw e;
            }
            return service;
        }

        /** Launches the JVM and returns at once, e.g. for a start that must fail: see {@link #waitForExit(Duration)}. */
        public ServiceProcess launch() {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar + " not found: build it with mvn package (integration tests"
                        + " run after it in mvn verify)");
            }
            // the JDK running the tests, not whatever java is first on the PATH
            List<String> cmd = new ArrayList<>();
            if (!environment.isEmpty()) {
                // env(1) adds the variables to the test JVM's environment for the service alone
                cmd.add("/usr/bin/env");
                environment.forEach((k, v) -> cmd.add(k + "=" + v));
            }
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(jvmOptions);
            properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
            cmd.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
            return new ServiceProcess(ExternalProcess.start("service", workDir, cmd));
        }
    }
}
