package org.imdp.test.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Whether a process has bound a local port, read from Linux' {@code /proc}. Peers do not always log
 * when their sockets are ready, and probing a port by connecting to it would be seen by the peer
 * (SIPp counts the stray connection), so tests wait on the kernel's view instead. The socket must
 * belong to the process or one of its children: a port taken by someone else does not count.
 */
final class LocalPorts {

    /** TCP sockets in LISTEN state, or bound UDP sockets. */
    enum Protocol { TCP, UDP }

    private static final String TCP_LISTEN = "0A";

    private LocalPorts() {
    }

    /**
     * Waits until {@code owner} has bound {@code port} for {@code protocol}.
     *
     * @throws AssertionError when {@code owner} exits first or the port is not bound in time
     */
    static void awaitBound(ExternalProcess owner, Protocol protocol, int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!isBoundBy(owner.pid(), protocol, port)) {
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

    static boolean isBoundBy(long pid, Protocol protocol, int port) {
        Set<String> inodes = socketInodes(protocol, port);
        if (inodes.isEmpty()) {
            return false;
        }
        return Stream.concat(Stream.of(pid), ProcessHandle.of(pid).stream().flatMap(ProcessHandle::descendants)
                        .map(ProcessHandle::pid))
                .anyMatch(p -> ownsAny(p, inodes));
    }

    private static Set<String> socketInodes(Protocol protocol, int port) {
        String name = protocol.name().toLowerCase(Locale.ROOT);
        String hexPort = String.format(Locale.ROOT, ":%04X", port);
        Set<String> inodes = new HashSet<>();
        for (String table : List.of(name, name + "6")) {
            for (String line : readLines(Path.of("/proc/net", table))) {
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && f[1].endsWith(hexPort) && (protocol == Protocol.UDP || TCP_LISTEN.equals(f[3]))) {
                    inodes.add("socket:[" + f[9] + "]");
                }
            }
        }
        return inodes;
    }

    private static boolean ownsAny(long pid, Set<String> socketLinks) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", String.valueOf(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    if (socketLinks.contains(Files.readSymbolicLink(fd).toString())) {
                        return true;
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor went away while we looked
                }
            }
            return false;
        } catch (IOException processGone) {
            return false;
        }
    }

    private static List<String> readLines(Path table) {
        try {
            return Files.exists(table) ? Files.readAllLines(table) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + table, e);
        }
    }
}
