package org.imdp.test.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * tshark as an independent judge of the wire format: captures the given ports on {@code lo} into
 * {@code target/peers/tshark-<n>.pcapng}, then decodes the capture with Wireshark's SIP, SDP, MSRP
 * and Diameter dissectors.
 * <p>
 * Wireshark's MSRP dissector is lenient: it does not check that the end-line's transaction id matches
 * the start line, nor that To-Path, From-Path, Message-ID or Byte-Range are present. It flags SIP
 * header syntax, invalid Content-Length and a body that does not parse as its Content-Type
 * (e.g. SDP), but MSRP framing needs the test's own asserts.
 *
 * <pre>{@code
 * try (TsharkCapture capture = TsharkCapture.start(sipPort, msrpPort, 3868).decodeAsMsrp(msrpPort)) {
 *     ... run the flow ...
 *     capture.stop();
 *     capture.assertNoMalformedOrErrors();
 *     assertThat(capture.decode("msrp.method == \"SEND\"")).hasSize(2);
 * }
 * }</pre>
 */
public final class TsharkCapture implements AutoCloseable {

    /** Frames Wireshark could not dissect or whose dissection reported an error. */
    public static final String MALFORMED_OR_ERRORS = "_ws.malformed or _ws.expert.severity == error";

    /**
     * Payload on the captured ports that tshark cannot read as SIP, MSRP or Diameter at all, which the
     * dissectors let pass without a word: SIP lines without a request or status line ("Continuation"), a
     * datagram that is not SIP, TCP data in no message. Not counted: TCP segments of a message reassembled
     * in a later frame (needs two passes), retransmissions, and CRLF keep-alives (RFC 5626, 3.5.1).
     */
    public static final String NOT_UNDERSTOOD = "sip.continuation or (udp and not sip) or (tcp.len > 0"
            + " and not (sip or msrp or diameter) and not tcp.reassembled_in and not tcp.analysis.retransmission"
            + " and not tcp.analysis.fast_retransmission and not tcp.analysis.spurious_retransmission"
            + " and not tcp.payload == 0d:0a and not tcp.payload == 0d:0a:0d:0a)";

    private static final Pattern RUNNING = Pattern.compile("Capturing on '");
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    private static final byte[] PROBE = "imdp tshark capture probe".getBytes(StandardCharsets.US_ASCII);

    private final ExternalProcess process;
    private final Path pcap;
    private final DatagramSocket probe;
    private final int probePort;
    private final Pattern probeLine;
    /** Decode-as rules ({@code -d tcp.port==<port>,<protocol>}) for ports tshark would not recognise. */
    private final List<String> decodeAs = new ArrayList<>();

    private TsharkCapture(ExternalProcess process, Path pcap, DatagramSocket probe) {
        this.process = process;
        this.pcap = pcap;
        this.probe = probe;
        this.probePort = probe.getLocalPort();
        this.probeLine = Pattern.compile("\\b" + probePort + " (→|->) " + probePort + "\\b");
    }

    /**
     * Starts capturing TCP and UDP traffic on {@code lo} to or from any of {@code ports} and returns
     * once packets are being captured.
     */
    public static TsharkCapture start(int... ports) {
        if (ports.length == 0) {
            throw new IllegalArgumentException("give the ports to capture");
        }
        DatagramSocket probe;
        try {
            probe = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a UDP probe socket on 127.0.0.1", e);
        }
        String filter = Arrays.stream(ports).mapToObj(p -> "port " + p).collect(Collectors.joining(" or "));
        Path log = ExternalProcess.newOutputFile("tshark", ".log");
        Path pcap = Path.of(log.toString().replaceFirst("\\.log$", ".pcapng"));
        // -P -l: print each packet as tshark reads it back from the file dumpcap writes, so the log
        // tells which probe datagrams are in the file
        // the probe's datagrams as plain data: a free port may be some protocol's (ENIP on 44818, ...), whose
        // dissector would print its own summary line instead of "port -> port"
        List<String> cmd = List.of("tshark", "-i", "lo",
                "-f", "((tcp or udp) and (" + filter + ")) or (udp port " + probe.getLocalPort() + ")",
                "-d", "udp.port==" + probe.getLocalPort() + ",data",
                "-w", pcap.toString(), "-P", "-l");
        TsharkCapture capture;
        try {
            capture = new TsharkCapture(ExternalProcess.start(log, ExternalProcess.outputDir(), cmd), pcap, probe);
        } catch (RuntimeException e) {
            probe.close();
            throw e;
        }
        try {
            capture.process.waitForLog(RUNNING, Duration.ofSeconds(20));
            // "Capturing on" can come before dumpcap's filter is in place: packets right after it get lost
            capture.awaitProbe();
        } catch (AssertionError | RuntimeException e) {
            capture.close();
            throw e;
        }
        return capture;
    }

    /**
     * Sends datagrams to the probe socket itself (captured by the filter, left out by {@link #decode})
     * until tshark shows one more of them than before: everything captured earlier is then in the file.
     */
    private void awaitProbe() {
        long before = probeLine.matcher(process.logText()).results().count();
        long deadline = System.nanoTime() + PROBE_TIMEOUT.toNanos();
        int sent = 0;
        while (probeLine.matcher(process.logText()).results().count() <= before) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("tshark did not capture its probe datagrams on lo within " + PROBE_TIMEOUT
                        + " (" + process + ")\nlog ends with:\n" + process.logTail());
            }
            // resend every 200 ms: the first ones may precede the filter
            if (sent++ % 4 == 0) {
                try {
                    probe.send(new DatagramPacket(PROBE, PROBE.length, probe.getLocalSocketAddress()));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot send the capture probe", e);
                }
            }
            ExternalProcess.sleep(50);
        }
    }

    /**
     * Captures SIP (UDP and TCP) on {@code sipPorts} and MSRP on {@code msrpPorts}, each decoded as such
     * whatever the port: the usual judge of an end-to-end test.
     */
    public static TsharkCapture sipAndMsrp(int[] sipPorts, int... msrpPorts) {
        return start(IntStream.concat(Arrays.stream(sipPorts), Arrays.stream(msrpPorts)).toArray())
                .decodeAsSip(sipPorts).decodeAsMsrp(msrpPorts);
    }

    /**
     * Decodes TCP traffic on these ports as MSRP ({@code -d tcp.port==<port>,msrp}); needed when the
     * capture lacks the SDP that announced them.
     */
    public TsharkCapture decodeAsMsrp(int... ports) {
        return decodeAs("msrp", ports);
    }

    /**
     * Decodes TCP and UDP traffic on these ports as SIP. tshark knows only 5060 by itself; elsewhere its
     * heuristic takes only what looks like SIP, so a frame that does not would pass unjudged.
     */
    public TsharkCapture decodeAsSip(int... ports) {
        Arrays.stream(ports).forEach(p -> decodeAs.addAll(List.of("-d", "udp.port==" + p + ",sip")));
        return decodeAs("sip", ports);
    }

    /** Decodes TCP traffic on these ports as Diameter; tshark knows only 3868 by itself. */
    public TsharkCapture decodeAsDiameter(int... ports) {
        return decodeAs("diameter", ports);
    }

    /** TLS on these TCP ports (what it carries stays unread). */
    public TsharkCapture decodeAsTls(int... ports) {
        return decodeAs("tls", ports);
    }

    private TsharkCapture decodeAs(String protocol, int... ports) {
        Arrays.stream(ports).forEach(p -> decodeAs.addAll(List.of("-d", "tcp.port==" + p + "," + protocol)));
        return this;
    }

    /** The capture file. */
    public Path pcap() {
        return pcap;
    }

    /** Waits until the packets captured so far are in the file, then ends the capture. Idempotent. */
    public void stop() {
        if (!process.isAlive()) {
            return;
        }
        awaitProbe();
        process.stop(Duration.ofSeconds(10));
        probe.close();
        if (!Files.exists(pcap)) {
            throw new AssertionError("tshark wrote no capture file " + pcap + "\nlog ends with:\n" + process.logTail());
        }
    }

    /**
     * The one-line summaries of the captured frames that match {@code displayFilter} ({@code -Y}),
     * stopping the capture first. The datagrams {@link #start(int...)} sends to check that the capture
     * runs are left out. {@code extraArgs} go to tshark as they are, e.g.
     * {@code "-T", "fields", "-e", "msrp.transaction_id"}.
     */
    public List<String> decode(String displayFilter, String... extraArgs) {
        stop();
        List<String> cmd = new ArrayList<>(List.of("tshark", "-r", pcap.toString(),
                "-Y", "(" + displayFilter + ") and not udp.port == " + probePort));
        cmd.addAll(decodeAs);
        cmd.addAll(List.of(extraArgs));
        return run(cmd);
    }

    /**
     * Fails, listing the offending frames and their expert messages, when any captured frame is
     * malformed or carries an error-severity expert item ({@value #MALFORMED_OR_ERRORS}), or is not
     * understood at all ({@link #NOT_UNDERSTOOD}).
     */
    public void assertNoMalformedOrErrors() {
        judge(MALFORMED_OR_ERRORS + " or " + NOT_UNDERSTOOD);
    }

    /**
     * {@link #assertNoMalformedOrErrors()} for the frames that do not match {@code unjudged}, a display
     * filter for the flows a test does not let tshark judge (and says why).
     */
    public void assertNoMalformedOrErrorsExcept(String unjudged) {
        judge("(" + MALFORMED_OR_ERRORS + " or " + NOT_UNDERSTOOD + ") and not (" + unjudged + ")");
    }

    // two passes: a TCP segment learns only from a later frame that it is part of a reassembled message
    private void judge(String badFrames) {
        List<String> bad = decode(badFrames, "-2", "-T", "fields", "-E", "separator=|",
                "-e", "frame.number", "-e", "_ws.col.Protocol", "-e", "_ws.col.Info", "-e", "_ws.expert.message");
        if (!bad.isEmpty()) {
            throw new AssertionError("tshark found " + bad.size() + " malformed, erroneous or unreadable frame(s) in "
                    + pcap + " (frame|protocol|info|expert messages):\n" + String.join("\n", bad));
        }
    }

    @Override
    public void close() {
        process.close();
        probe.close();
    }

    // stdout apart from stderr: tshark warns on stderr when run as root
    private static List<String> run(List<String> cmd) {
        cmd.set(0, ExternalProcess.requireOnPath(cmd.get(0)).toString());
        Path err = ExternalProcess.newOutputFile("tshark-read", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("tshark did not finish reading the capture: " + String.join(" ", cmd));
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("tshark failed (exit " + p.exitValue() + "): " + String.join(" ", cmd)
                        + "\n" + ExternalProcess.readIfExists(err));
            }
            return new String(out, StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", cmd), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running tshark", e);
        }
    }
}
