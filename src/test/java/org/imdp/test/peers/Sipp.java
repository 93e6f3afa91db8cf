package org.imdp.test.peers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run of a SIPp scenario: the IM Client's SIP side (a UAS from {@code src/test/peers/sipp/uas-*.xml}
 * started in the background) or a UAC feeding the server ({@code uac-*.xml}, run to completion).
 * <p>
 * SIPp's exit code is the verdict: 0 when every call went through the scenario (all {@code ereg
 * check_it} checks included). The SIP message trace, the unexpected-message trace and the
 * scenario's {@code <log>} output are kept in {@code target/peers/sipp-<scenario>-<n>.*} for asserts
 * and for reading after a failure.
 *
 * <pre>{@code
 * try (Sipp client = Sipp.scenario("uas-msrp.xml").transport(Sipp.Transport.TCP).localPort(sipPort)
 *         .key("msrp_port", String.valueOf(kamailio.port())).set("bye_delay", "500").startServer()) {
 *     Sipp.scenario("uac-register.xml").remotePort(servicePort).service("alice")
 *             .set("contact", "sip:127.0.0.1:" + sipPort + ";transport=tcp").runClient().assertSucceeded();
 *     ...
 *     client.waitForExit(Duration.ofSeconds(30));
 *     client.assertSucceeded();
 * }
 * }</pre>
 */
public final class Sipp implements AutoCloseable {

    /** SIPp's transport modes: one socket per peer ({@code -t u1}, {@code -t t1}). */
    public enum Transport {
        /** {@code -t u1}. */
        UDP("u1"),
        /** {@code -t t1}; scenarios for it end without {@code <timewait>}, or SIPp fails the call when the peer closes TCP. */
        TCP("t1");

        private final String mode;

        Transport(String mode) {
            this.mode = mode;
        }
    }

    private static final String HOST = "127.0.0.1";

    private final ExternalProcess process;
    private final Path messageFile;
    private final Path errorFile;
    private final Path scenarioLogFile;
    private final Duration timeout;

    private Sipp(ExternalProcess process, Path messageFile, Path errorFile, Path scenarioLogFile, Duration timeout) {
        this.process = process;
        this.timeout = timeout;
        this.messageFile = messageFile;
        this.errorFile = errorFile;
        this.scenarioLogFile = scenarioLogFile;
    }

    /** The project's scenario directory, {@code src/test/peers/sipp}. */
    public static Path scenarioDir() {
        return ExternalProcess.projectRoot().resolve("src/test/peers/sipp");
    }

    /** A run of {@code name}, a path relative to {@link #scenarioDir()}, e.g. {@code "uas-msrp.xml"}. */
    public static Builder scenario(String name) {
        return scenario(scenarioDir().resolve(name));
    }

    /** A run of the scenario file {@code file}. */
    public static Builder scenario(Path file) {
        return new Builder(file);
    }

    /** SIPp's exit code; fails when SIPp is still running. */
    public int exitCode() {
        if (process.isAlive()) {
            throw new IllegalStateException("SIPp is still running: " + process);
        }
        return process.waitForExit(Duration.ZERO);
    }

    /**
     * Waits for a client started with {@link Builder#startClient()} to end: SIPp's own {@code -timeout} ends the
     * run, the margin covers its start and shutdown.
     *
     * @return its exit code
     */
    public int awaitClient() {
        return waitForExit(timeout.plusSeconds(10));
    }

    /** Waits for SIPp to finish its calls ({@code -m}) and returns its exit code. */
    public int waitForExit(Duration timeout) {
        return process.waitForExit(timeout);
    }

    /**
     * Fails unless SIPp has exited with 0; the message lists the unexpected messages, the scenario
     * log and the tail of SIPp's screen output.
     */
    public void assertSucceeded() {
        int code = exitCode();
        if (code != 0) {
            throw new AssertionError("SIPp " + process + " exited with " + code + " (0 = all calls succeeded)"
                    + "\nunexpected messages and failed checks (" + errorFile + "):\n" + errors()
                    + "\nscenario log (" + scenarioLogFile + "):\n" + scenarioLog()
                    + "\nscreen output ends with:\n" + process.logTail());
        }
    }

    /** Every SIP message sent and received, as SIPp traced it ({@code -trace_msg}). */
    public String messages() {
        return ExternalProcess.readIfExists(messageFile);
    }

    /** Unexpected messages and failed {@code check_it} regexps ({@code -trace_err}). */
    public String errors() {
        return ExternalProcess.readIfExists(errorFile);
    }

    /** The scenario's own {@code <log>} lines ({@code -trace_logs}). */
    public String scenarioLog() {
        return ExternalProcess.readIfExists(scenarioLogFile);
    }

    /** The SIPp process: screen output, pid. */
    public ExternalProcess process() {
        return process;
    }

    /** Ends SIPp if it is still running (a UAS whose calls did not all come). */
    @Override
    public void close() {
        process.close();
    }

    /** Options of one SIPp run; defaults: UDP, 1 call, 30 s global timeout. */
    public static final class Builder {
        private final Path scenario;
        private Transport transport = Transport.UDP;
        private String localHost = HOST;
        private int localPort;
        private int remotePort;
        private int calls = 1;
        private String service;
        private Duration timeout = Duration.ofSeconds(30);
        private Duration recvTimeout;
        private final Map<String, String> keys = new LinkedHashMap<>();
        private final Map<String, String> globals = new LinkedHashMap<>();
        private final List<String> options = new ArrayList<>();
        private boolean traceMessages = true;

        private Builder(Path scenario) {
            this.scenario = scenario.toAbsolutePath();
        }

        /** UDP (default) or TCP. */
        public Builder transport(Transport transport) {
            this.transport = transport;
            return this;
        }

        /** The address SIPp binds ({@code -i}), default 127.0.0.1: another loopback address makes it a stranger. */
        public Builder localHost(String host) {
            this.localHost = host;
            return this;
        }

        /** The port SIPp binds on 127.0.0.1 ({@code -p}); required for a server, random for a client when unset. */
        public Builder localPort(int port) {
            this.localPort = port;
            return this;
        }

        /** The peer a client sends to: {@code 127.0.0.1:<port>}. */
        public Builder remotePort(int port) {
            this.remotePort = port;
            return this;
        }

        /** Calls to process before exiting ({@code -m}). */
        public Builder calls(int calls) {
            this.calls = calls;
            return this;
        }

        /** The user part of the Request-URI, {@code [service]} ({@code -s}). */
        public Builder service(String service) {
            this.service = service;
            return this;
        }

        /** A scenario keyword {@code [name]} ({@code -key}); SIPp refuses to start when one used by the scenario is missing. */
        public Builder key(String name, String value) {
            keys.put(name, value);
            return this;
        }

        /** A global variable {@code [$name]} ({@code -set}), for the scenarios' optional settings. */
        public Builder set(String name, String value) {
            globals.put(name, value);
            return this;
        }

        /** SIPp fails (exit code non-zero) when the run takes longer ({@code -timeout -timeout_error}). */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** A call fails when an expected message does not come within this time ({@code -recv_timeout}). */
        public Builder recvTimeout(Duration recvTimeout) {
            this.recvTimeout = recvTimeout;
            return this;
        }

        /**
         * Further SIPp options as they are, e.g. {@code "-inf", file, "-l", "10"} for a load run (an injection
         * file, calls in flight).
         */
        public Builder options(String... options) {
            this.options.addAll(List.of(options));
            return this;
        }

        /**
         * No trace of every message ({@code -trace_msg}, on by default): under load the trace costs SIPp more
         * than the calls; {@link Sipp#messages()} is then empty.
         */
        public Builder withoutMessageTrace() {
            this.traceMessages = false;
            return this;
        }

        /** Starts SIPp in the background as a server and returns once its {@link #localPort(int)} is bound. */
        public Sipp startServer() {
            if (localPort == 0) {
                throw new IllegalStateException("a SIPp server needs localPort(...): the service must know where to send");
            }
            Sipp sipp = launch(false);
            try {
                LocalPorts.awaitBound(sipp.process, transport == Transport.TCP ? LocalPorts.Protocol.TCP : LocalPorts.Protocol.UDP,
                        localPort, Duration.ofSeconds(10));
            } catch (AssertionError e) {
                sipp.close();
                throw e;
            }
            return sipp;
        }

        /** Runs SIPp as a client to completion; check the outcome with {@link Sipp#assertSucceeded()}. */
        public Sipp runClient() {
            Sipp sipp = startClient();
            try {
                sipp.awaitClient();
            } catch (AssertionError e) {
                sipp.close();
                throw e;
            }
            return sipp;
        }

        /**
         * Starts SIPp as a client in the background, for a caller that must be able to stop it meanwhile (a
         * benchmark's Ctrl-C); wait for it with {@link Sipp#awaitClient()}.
         */
        public Sipp startClient() {
            if (remotePort == 0) {
                throw new IllegalStateException("a SIPp client needs remotePort(...)");
            }
            return launch(true);
        }

        private Sipp launch(boolean client) {
            if (!Files.isRegularFile(scenario)) {
                throw new IllegalArgumentException("SIPp scenario not found: " + scenario);
            }
            String base = "sipp-" + scenario.getFileName().toString().replaceFirst("\\.xml$", "");
            Path log = ExternalProcess.newOutputFile(base, ".log");
            String stem = log.toString().replaceFirst("\\.log$", "");
            Path messages = Path.of(stem + ".messages.log");
            Path errors = Path.of(stem + ".errors.log");
            Path scenarioLog = Path.of(stem + ".scenario.log");

            List<String> cmd = new ArrayList<>(List.of("sipp", "-sf", scenario.toString(),
                    "-i", localHost, "-t", transport.mode, "-m", String.valueOf(calls), "-nostdin",
                    "-trace_err", "-error_file", errors.toString(),
                    "-trace_logs", "-log_file", scenarioLog.toString(),
                    "-timeout", Math.max(1, (timeout.toMillis() + 999) / 1000) + "s", "-timeout_error"));
            if (traceMessages) {
                cmd.addAll(List.of("-trace_msg", "-message_file", messages.toString()));
            }
            cmd.addAll(options);
            if (localPort != 0) {
                cmd.addAll(List.of("-p", String.valueOf(localPort)));
            }
            if (recvTimeout != null) {
                cmd.addAll(List.of("-recv_timeout", String.valueOf(recvTimeout.toMillis())));
            }
            if (service != null) {
                cmd.addAll(List.of("-s", service));
            }
            keys.forEach((k, v) -> cmd.addAll(List.of("-key", k, v)));
            globals.forEach((k, v) -> cmd.addAll(List.of("-set", k, v)));
            if (client) {
                cmd.add(HOST + ":" + remotePort);
            }
            return new Sipp(ExternalProcess.start(log, ExternalProcess.outputDir(), cmd), messages, errors, scenarioLog, timeout);
        }
    }
}
