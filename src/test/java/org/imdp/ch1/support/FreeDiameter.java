package org.imdp.ch1.support;

import org.imdp.test.TestPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;


/**
 * A real freeDiameterd as the Charging Enabler, run by scripts/freediameter/*.sh on free loopback
 * ports. Starting it fails loudly: a CH-1 integration test must not pass without it.
 */
public final class FreeDiameter {

    private static final Path SCRIPTS = Path.of("scripts", "freediameter").toAbsolutePath();

    private final Path runDir;
    private final String identity;
    private final int port;
    private final int tlsPort;
    private final Path tlsDir;

    public FreeDiameter(String name, String identity) {
        this(name, identity, null);
    }

    /**
     * @param tlsDir certificates of {@code scripts/tls/make-test-certs.sh}: freeDiameter shows their server certificate on
     *               {@link #tlsPort()} and requires a client certificate from their CA; null = a self-signed one
     */
    public FreeDiameter(String name, String identity, Path tlsDir) {
        this.runDir = Path.of("target", "freediameter", name + "-" + ProcessHandle.current().pid()).toAbsolutePath();
        this.identity = identity;
        this.port = TestPorts.next();
        this.tlsPort = TestPorts.next();
        this.tlsDir = tlsDir;
    }

    public int port() {
        return port;
    }

    /** The secure port (freeDiameter's SecPort): TLS from connect, RFC 6733 §13. */
    public int tlsPort() {
        return tlsPort;
    }

    public String identity() {
        return identity;
    }

    public void start() {
        List<String> command = new ArrayList<>(List.of(SCRIPTS.resolve("start-freediameterd.sh").toString(),
                runDir.toString(), String.valueOf(port), String.valueOf(tlsPort), identity));
        if (tlsDir != null) {
            command.add(tlsDir.toString());
        }
        run(command, 600);
    }

    /** SIGTERM: freeDiameter sends DPR to its peers and exits. */
    public void stop() {
        run(List.of(SCRIPTS.resolve("stop-freediameterd.sh").toString(), runDir.toString()), 30);
    }

    /** SIGKILL, as a crash. */
    public void kill() {
        run(List.of(SCRIPTS.resolve("stop-freediameterd.sh").toString(), runDir.toString(), "--kill"), 30);
    }

    public String log() {
        try {
            Path log = runDir.resolve("freediameterd.log");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * An ACR as freeDiameter logged it: its header flags as freeDiameter writes them ({@code RP--}, {@code RP-T}),
     * Session-Id, and User-Session-Id (the push's Call-ID).
     */
    public record Acr(String flags, String sessionId, String callId) {

        /** The T flag: the sender says this request may have reached the server before. */
        public boolean retransmitted() {
            return flags.contains("T");
        }
    }

    private static final Pattern ACR = Pattern.compile("'Accounting-Request'\\R(?:.*\\R)*?.*Flags: 0x\\p{XDigit}+ \\(([-RPET]+)\\)"
            + "\\R(?:.*\\R)*?.*'Session-Id'\\(263\\).*val=\"([^\"]+)\"\\R(?:.*\\R)*?.*'User-Session-Id'\\(830\\).*val=\"([^\"]+)\"");

    /** Every ACR received so far (by every run of this server: a restart appends to the log), in order. */
    public List<Acr> accountingRequests() {
        List<Acr> acrs = new ArrayList<>();
        Matcher m = ACR.matcher(log());
        while (m.find()) {
            acrs.add(new Acr(m.group(1), m.group(2), m.group(3)));
        }
        return acrs;
    }

    /** How often the log contains {@code text}. */
    public int count(String text) {
        Matcher m = Pattern.compile(Pattern.quote(text)).matcher(log());
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private void run(List<String> command, int timeoutSeconds) {
        try {
            Files.createDirectories(runDir);
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(runDir.resolve("script.out").toFile()).start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " did not finish in " + timeoutSeconds + " s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(command + " failed (exit " + process.exitValue() + "): "
                        + Files.readString(runDir.resolve("script.out")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
