package org.imdp.test.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Whether a local port is bound, read from Linux' {@code /proc/net} tables. Peers do not always log
 * when their sockets are ready, and probing a port by connecting to it would be seen by the peer
 * (SIPp counts the stray connection), so tests wait on the kernel's view instead.
 */
final class LocalPorts {

    /** TCP sockets in LISTEN state, or bound UDP sockets. */
    enum Protocol { TCP, UDP }

    private static final String TCP_LISTEN = "0A";

    private LocalPorts() {
    }

    /**
     * Waits until {@code port} is bound for {@code protocol}.
     *
     * @throws AssertionError when {@code owner} exits first or the port is not bound in time
     */
    static void awaitBound(ExternalProcess owner, Protocol protocol, int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!isBound(protocol, port)) {
            if (!owner.isAlive()) {
                throw new AssertionError(owner + " exited before binding " + protocol + " port " + port
                        + "\nlog ends with:\n" + owner.logTail());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(owner + " did not bind " + protocol + " port " + port + " within " + timeout
                        + " (is the port taken by another process?)\nlog ends with:\n" + owner.logTail());
            }
            ExternalProcess.sleep(50);
        }
    }

    static boolean isBound(Protocol protocol, int port) {
        String name = protocol.name().toLowerCase(Locale.ROOT);
        String hexPort = String.format(Locale.ROOT, ":%04X", port);
        for (String table : List.of(name, name + "6")) {
            for (String line : readTable(Path.of("/proc/net", table))) {
                // sl local_address rem_address st ...
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[1].endsWith(hexPort)
                        && (protocol == Protocol.UDP || TCP_LISTEN.equals(f[3]))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static List<String> readTable(Path table) {
        try {
            return Files.exists(table) ? Files.readAllLines(table) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + table, e);
        }
    }
}
