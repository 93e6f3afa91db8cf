package org.imdp.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A capture on {@code lo} for the load benchmark: dumpcap alone (no dissection while the load runs, unlike
 * {@code TsharkCapture}), writing to a pipe so that every packet is in the file at once; tshark reads it back
 * afterwards. Start and stop are synchronised with probe datagrams to a port of its own: a probe that has
 * grown the file shows that the filter is in place, and that everything sent before it is in the file.
 */
final class LoadCapture implements AutoCloseable {

    private static final byte[] PROBE = "imdp load benchmark capture probe".getBytes(StandardCharsets.US_ASCII);
    private static final long PROBE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(15);

    private final Process dumpcap;
    private final Path pcap;
    private final DatagramSocket probe;
    private final List<String> decodeAs = new ArrayList<>();

    private LoadCapture(Process dumpcap, Path pcap, DatagramSocket probe) {
        this.dumpcap = dumpcap;
        this.pcap = pcap;
        this.probe = probe;
    }

    /** Captures TCP and UDP to or from {@code ports} into {@code pcap}; returns once packets are captured. */
    static LoadCapture start(Path pcap, int... ports) throws IOException {
        DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        String filter = Arrays.stream(ports).mapToObj(p -> "port " + p).collect(Collectors.joining(" or "));
        Process dumpcap = new ProcessBuilder("dumpcap", "-q", "-i", "lo", "-B", "64",
                "-f", "((tcp or udp) and (" + filter + ")) or (udp port " + probe.getLocalPort() + ")", "-w", "-")
                .redirectOutput(pcap.toFile())
                .redirectError(Path.of(pcap + ".log").toFile())
                .start();
        LoadCapture capture = new LoadCapture(dumpcap, pcap, probe);
        try {
            capture.awaitProbe();
        } catch (RuntimeException e) {
            capture.close();
            throw e;
        }
        return capture;
    }

    LoadCapture decodeAs(String protocol, String transport, int... ports) {
        Arrays.stream(ports).forEach(p -> decodeAs.addAll(List.of("-d", transport + ".port==" + p + "," + protocol)));
        return this;
    }

    private void awaitProbe() {
        long before = size();
        long deadline = System.nanoTime() + PROBE_TIMEOUT_NANOS;
        int round = 0;
        while (size() <= before) {
            if (!dumpcap.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("dumpcap did not capture its probe on lo (log " + pcap + ".log)");
            }
            if (round++ % 4 == 0) {
                try {
                    probe.send(new DatagramPacket(PROBE, PROBE.length, probe.getLocalSocketAddress()));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot send the capture probe", e);
                }
            }
            pause(50);
        }
    }

    /** Waits until everything sent so far is in the file and ends dumpcap. */
    void stop() throws InterruptedException {
        if (!dumpcap.isAlive()) {
            return;
        }
        awaitProbe();
        dumpcap.destroy();
        if (!dumpcap.waitFor(10, TimeUnit.SECONDS)) {
            dumpcap.destroyForcibly().waitFor();
        }
    }

    /**
     * Reads the capture with tshark: the fields {@code fields} of each frame matching {@code filter}, separated
     * by {@code |} (several occurrences of a field in one frame by {@code ,}); the probes are left out.
     */
    List<String[]> read(String filter, String... fields) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-r", pcap.toString(), "-2",
                "-Y", "(" + filter + ") and not udp.port == " + probe.getLocalPort(),
                "-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,"));
        cmd.addAll(decodeAs);
        for (String field : fields) {
            cmd.addAll(List.of("-e", field));
        }
        Path err = Path.of(pcap + ".tshark.err");
        Process tshark = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        tshark.getOutputStream().close();
        String out = new String(tshark.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (tshark.waitFor() != 0) {
            throw new IllegalStateException("tshark failed: " + String.join(" ", cmd) + "\n" + Files.readString(err));
        }
        List<String[]> rows = new ArrayList<>();
        out.lines().filter(l -> !l.isBlank()).forEach(l -> rows.add(l.split("\\|", -1)));
        return rows;
    }

    private long size() {
        try {
            return Files.size(pcap);
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public void close() {
        dumpcap.destroyForcibly();
        probe.close();
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
