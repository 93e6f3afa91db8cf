package org.imdp.test;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Free ports for the tests' servers, below Linux's ephemeral range (32768-60999 by default).
 * <p>
 * A port the kernel handed out as free (bind to port 0) comes from the ephemeral range, and so does the local port of
 * every outgoing connection: between the pick and the bind, a JDBC, JMS or HTTP client of the same run can take it,
 * and the server then fails to start (seen in CI: the SIP stack's TCP listener on a port a client connection had
 * taken). Below that range no client port is ever allocated. Each port is handed out once per JVM, and is free for
 * TCP and UDP alike when handed out (SIP listens on both).
 */
public final class TestPorts {

    private static final int FIRST = 20_000;
    private static final int LAST = 32_000;
    /** Where this JVM starts: JVMs that run at the same time (a test and the jar it starts) start apart. */
    private static final AtomicInteger NEXT = new AtomicInteger(
            FIRST + (int) (ProcessHandle.current().pid() * 97 % (LAST - FIRST)));

    private TestPorts() {
    }

    /** A port free for TCP and UDP on every address right now, never handed out before by this JVM. */
    public static int next() {
        for (int tries = 0; tries < LAST - FIRST; tries++) {
            int port = NEXT.getAndUpdate(p -> p + 1 >= LAST ? FIRST : p + 1);
            if (free(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port between " + FIRST + " and " + LAST);
    }

    private static boolean free(int port) {
        try (ServerSocket tcp = new ServerSocket()) {
            tcp.setReuseAddress(false);
            tcp.bind(new InetSocketAddress(port));
            try (DatagramSocket udp = new DatagramSocket(null)) {
                udp.setReuseAddress(false);
                udp.bind(new InetSocketAddress(port));
                return true;
            }
        } catch (IOException taken) {
            return false;
        }
    }
}
