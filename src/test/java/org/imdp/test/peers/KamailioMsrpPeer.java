package org.imdp.test.peers;

import org.imdp.test.TestPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The IM Client's MSRP side: Kamailio's msrp module with {@code src/test/peers/kamailio/msrp-peer.cfg},
 * listening on TCP {@code 127.0.0.1:<port>}. It answers every SEND with 200 OK and logs each frame it
 * receives; {@link #received()} reads those back. It is a relay engine, not an IM Client: it sends
 * no REPORTs and does not reassemble chunks.
 *
 * <pre>{@code
 * try (KamailioMsrpPeer msrp = KamailioMsrpPeer.start(TestPorts.next())) {
 *     // put msrp.port() in the SDP answer (uas-msrp.xml: -key msrp_port)
 *     List<KamailioMsrpPeer.Frame> sends = msrp.awaitReceived(2, Duration.ofSeconds(10));
 *     assertThat(sends.get(0).body()).contains("Content-Type: text/plain");
 * }
 * }</pre>
 */
public final class KamailioMsrpPeer implements AutoCloseable {

    /**
     * One MSRP frame as the peer logged it. {@code body} is the frame's content, empty for a bodiless
     * frame (Kamailio's {@code $msrp(body)} also holds the CRLF that precedes the end-line, which is
     * dropped here). An id the frame does not carry, e.g. the Message-ID of a NICKNAME, is null.
     */
    public record Frame(String method, String transactionId, String sessionId, String messageId, String body) {
    }

    // body=[...] may span lines; it ends at "]" + newline followed by the next log line or the end
    private static final Pattern FRAME = Pattern.compile(
            "MSRP-IN method=(\\S*) transid=(\\S*) sessid=(\\S*) msgid=(\\S*) body=\\[(.*?)\\]\\n(?=\\s*\\d+\\(\\d+\\) |\\z)",
            Pattern.DOTALL);

    private static final String NULL = "<null>";

    /**
     * When a frame arrived ({@link #startTimed(int)}): seconds since 1970, its method, message id, body length
     * (Kamailio counts the CRLF before the end-line, 0 for a bodiless frame) and end flag.
     */
    public record FrameTime(double epochSeconds, String method, String messageId, int bodyLength, char endFlag) {
    }

    private static final Pattern FRAME_TIME = Pattern.compile(
            "MSRP-TIME t=(\\d+\\.\\d+) method=(\\S*) msgid=(\\S*) bodylen=(\\d+) end=(\\S)");

    private final int port;
    private final ExternalProcess process;

    private KamailioMsrpPeer(int port, ExternalProcess process) {
        this.port = port;
        this.process = process;
    }

    /** The checked-in configuration. */
    public static Path config() {
        return ExternalProcess.projectRoot().resolve("src/test/peers/kamailio/msrp-peer.cfg");
    }

    /**
     * Starts Kamailio on TCP {@code 127.0.0.1:port} and returns once the port is listening.
     * Its run directory (pid file) is {@code target/peers/kamailio-msrp-<n>.run}, its log
     * {@code target/peers/kamailio-msrp-<n>.log}.
     */
    public static KamailioMsrpPeer start(int port) {
        return start(port, config(), "kamailio-msrp", List.of());
    }

    /**
     * Starts the same peer for a benchmark: it logs when each frame arrived and its end flag instead of its body
     * ({@code -A MSRP_TIMES}); {@link #frameTimes()} reads them back, {@link #received()} finds nothing.
     */
    public static KamailioMsrpPeer startTimed(int port) {
        return start(port, config(), "kamailio-msrp-timed", List.of("-A", "MSRP_TIMES"));
    }

    /**
     * Starts Kamailio as an RFC 4976 MSRP relay ({@code src/test/peers/kamailio/msrp-relay.cfg}) on TCP
     * {@code 127.0.0.1:port}: a client AUTHs over its own connection and gets a Use-Path; SENDs to that path
     * are answered 200 by the relay and forwarded to the client. {@link #received()} lists every frame it saw.
     */
    public static KamailioMsrpPeer startRelay(int port) {
        return start(port, ExternalProcess.projectRoot().resolve("src/test/peers/kamailio/msrp-relay.cfg"),
                "kamailio-msrp-relay", List.of());
    }

    /**
     * Starts the same peer with TLS on {@code 127.0.0.1:port} (msrps, Kamailio's tls module): it shows
     * {@code certificates/server.pem} and requires a client certificate issued by {@code certificates/ca.pem}
     * (a directory of {@code scripts/tls/make-test-certs.sh}).
     */
    public static KamailioMsrpPeer startTls(int port, Path certificates) {
        return start(port, config(), "kamailio-msrps", List.of("-A", "MSRP_TLS"), runDir -> {
            Path tlsConfig = runDir.resolve("tls.cfg");
            Files.writeString(tlsConfig, "[server:default]\nmethod = TLSv1.2+\n"
                    + "certificate = " + certificates.resolve("server.pem").toAbsolutePath() + "\n"
                    + "private_key = " + certificates.resolve("server.key").toAbsolutePath() + "\n"
                    + "ca_list = " + certificates.resolve("ca.pem").toAbsolutePath() + "\n"
                    + "verify_certificate = yes\nrequire_certificate = yes\n");
            return List.of("-A", "TLS_CONFIG=\"" + tlsConfig + "\"");
        });
    }

    /** More {@code -A} defines, from files written into the peer's run directory. */
    private interface RunDirDefines {
        List<String> write(Path runDir) throws IOException;
    }

    private static KamailioMsrpPeer start(int port, Path config, String name, List<String> defines) {
        return start(port, config, name, defines, runDir -> List.of());
    }

    private static KamailioMsrpPeer start(int port, Path config, String name, List<String> defines, RunDirDefines more) {
        Path log = ExternalProcess.newOutputFile(name, ".log");
        Path runDir = Path.of(log.toString().replaceFirst("\\.log$", ".run"));
        List<String> runDirDefines;
        try {
            Files.createDirectories(runDir);
            runDirDefines = more.write(runDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + runDir, e);
        }
        // -DD: stay in the foreground so close() can end it; -E: log to stderr, i.e. our log file;
        // -A: the cfg's listen port; small memory pools, the peer handles a few frames
        List<String> cmd = new ArrayList<>(List.of("kamailio", "-DD", "-E", "-m", "32", "-M", "8",
                "-A", "MSRP_PORT=" + port, "-f", config.toString(),
                "-Y", runDir.toString(), "-P", runDir.resolve("kamailio.pid").toString()));
        cmd.addAll(defines);
        cmd.addAll(runDirDefines);
        ExternalProcess process = ExternalProcess.start(log, ExternalProcess.outputDir(), cmd);
        try {
            LocalPorts.awaitBound(process, LocalPorts.Protocol.TCP, port, Duration.ofSeconds(15));
        } catch (AssertionError e) {
            process.close();
            throw e;
        }
        return new KamailioMsrpPeer(port, process);
    }

    /** The TCP port on 127.0.0.1 where the peer accepts MSRP connections. */
    public int port() {
        return port;
    }

    /** Every frame received so far, in arrival order. */
    public List<Frame> received() {
        List<Frame> frames = new ArrayList<>();
        Matcher m = FRAME.matcher(process.logText());
        while (m.find()) {
            String body = m.group(5);
            if (NULL.equals(body)) {
                body = "";
            } else if (body.endsWith("\r\n")) {
                body = body.substring(0, body.length() - 2);
            }
            frames.add(new Frame(orNull(m.group(1)), orNull(m.group(2)), orNull(m.group(3)), orNull(m.group(4)), body));
        }
        return frames;
    }

    /** Every frame's arrival time so far, in arrival order (a peer started with {@link #startTimed(int)}). */
    public List<FrameTime> frameTimes() {
        List<FrameTime> times = new ArrayList<>();
        Matcher m = FRAME_TIME.matcher(process.logText());
        while (m.find()) {
            times.add(new FrameTime(Double.parseDouble(m.group(1)), orNull(m.group(2)), orNull(m.group(3)),
                    Integer.parseInt(m.group(4)), m.group(5).charAt(0)));
        }
        return times;
    }

    // how xlog prints a $msrp(...) value the frame lacks
    private static String orNull(String logged) {
        return NULL.equals(logged) ? null : logged;
    }

    /**
     * Waits until at least {@code count} frames have been received.
     *
     * @return all frames received
     */
    public List<Frame> awaitReceived(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Frame> frames = received();
            if (frames.size() >= count) {
                return frames;
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("Kamailio MSRP peer on port " + port + " received " + frames.size()
                        + " frame(s), expected " + count + (process.isAlive() ? " within " + timeout : " (it exited)")
                        + "\nreceived: " + frames + "\nlog " + process.log() + " ends with:\n" + process.logTail());
            }
            ExternalProcess.sleep(50);
        }
    }

    /**
     * The msrp module's error lines, e.g. "msrp_parse_headers(): broken msrp frame message, From-Path
     * must be after To-Path": a frame Kamailio could not parse gets no answer and no MSRP-IN record.
     * A frame whose end-line does not match its start line is not reported at all: Kamailio keeps
     * waiting for the rest of the frame.
     */
    public List<String> msrpErrors() {
        return process.logText().lines().filter(l -> l.contains("ERROR: msrp ")).toList();
    }

    /** The Kamailio process: log, pid. */
    public ExternalProcess process() {
        return process;
    }

    @Override
    public void close() {
        process.close();
    }
}
