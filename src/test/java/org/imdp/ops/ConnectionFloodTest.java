package org.imdp.ops;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import javax.management.MBeanServer;

import org.imdp.sipmsrp.SipMsrpEndpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 11, bounded connections: floods of connections on loopback against the service in-process on its real
 * configuration, with small limits. Idle SIP/TCP connections and ones that announce a large Content-Length and send
 * nothing; unbound MSRP connections each sending part of a large frame. The service keeps its connections and threads
 * within the limits (counted in its JMX attributes and the JVM's thread count, never timed), refuses what is over them
 * (the client reads the end of the stream), and meanwhile answers a good client and delivers its push.
 */
class ConnectionFloodTest extends OpsTestSupport {

    private static final int SIP_LIMIT = 12;
    private static final int MSRP_LIMIT = 6;
    private static final int MSRP_UNBOUND_BYTES = 4096;
    private static final int FLOOD = 150;
    /** Threads the JVM may gain during a flood: the service's own pools warming up, none per connection. */
    private static final int THREAD_ALLOWANCE = 24;
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<Socket> sockets = new ArrayList<>();

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        Properties p = super.useOverridePropertiesWithPropertiesComponent();
        p.put("imdp.sip.max-connections", String.valueOf(SIP_LIMIT));
        p.put("imdp.msrp.max-unbound-connections", String.valueOf(MSRP_LIMIT));
        p.put("imdp.msrp.unbound-max-bytes", String.valueOf(MSRP_UNBOUND_BYTES));
        return p;
    }

    @AfterEach
    void closeSockets() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
    }

    private SipMsrpEndpoint sip() {
        return context.getEndpoint("sipmsrp:message", SipMsrpEndpoint.class);
    }

    private static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    private Socket open(int port, String send) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout((int) WAIT.toMillis());
        sockets.add(socket);
        if (!send.isEmpty()) {
            socket.getOutputStream().write(send.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
        }
        return socket;
    }

    /** Reads until the service closed the connection; fails when it sends anything or keeps it open. */
    private static void assertClosedByService(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        try {
            assertThat(in.read()).as("the service closed the connection without a word").isEqualTo(-1);
        } catch (SocketException reset) {
            assertThat(reset.getMessage()).contains("reset");
        }
    }

    private static String sipHeadersAnnouncing(int contentLength, int n) {
        return "MESSAGE sip:bob@127.0.0.1 SIP/2.0\r\n"
               + "Via: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKflood" + n + "\r\n"
               + "From: <sip:mallory@127.0.0.1>;tag=" + n + "\r\nTo: <sip:bob@127.0.0.1>\r\n"
               + "Call-ID: flood-" + n + "@127.0.0.1\r\nCSeq: 1 MESSAGE\r\nMax-Forwards: 70\r\n"
               + "Content-Type: text/plain\r\nContent-Length: " + contentLength + "\r\n\r\n";
    }

    /**
     * Before: the RI kept two threads per SIP/TCP connection with no limit and sized each body from its Content-Length
     * before it arrived. Now: the connections that announce 1,000,000 octets and send nothing hold the limit's places
     * (and no body buffer); the next ones, idle, are closed at once; ones that announce 2,000,000,000 are closed at the
     * end of their headers; the threads do not grow with the connections; a MESSAGE over UDP and a REGISTER are
     * answered, the push is delivered, and once places are free a MESSAGE over TCP is answered too.
     */
    @Test
    void a_sip_tcp_flood_stays_within_its_limit_and_threads_while_a_good_client_is_served() throws Exception {
        startClient();
        int before = threads();

        List<Socket> announcing = new ArrayList<>();
        for (int i = 0; i < SIP_LIMIT; i++) {
            announcing.add(open(sipPort, sipHeadersAnnouncing(1_000_000, i)));
        }
        await().atMost(WAIT).until(() -> sip().getTcpConnectionsOpen() == SIP_LIMIT);
        List<Socket> idle = new ArrayList<>();
        for (int i = 0; i < FLOOD; i++) {
            idle.add(open(sipPort, ""));
        }
        await().atMost(WAIT).until(() -> sip().getTcpConnectionsRefused() == FLOOD);
        for (Socket socket : idle) {
            assertClosedByService(socket);
        }
        assertThat(sip().getTcpConnectionsOpen()).isEqualTo(SIP_LIMIT);
        assertThat(threads() - before).as("threads gained with %d connections", SIP_LIMIT + FLOOD)
                .isLessThan(THREAD_ALLOWANCE);

        // the good client, over UDP while TCP is full: a MESSAGE stored, a REGISTER answered, the push delivered
        String ann = "sip:ann@127.0.0.1";
        store(ann, "during the flood");
        assertThat(client.register(ann, 600).getStatusCode()).isEqualTo(200);
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        await().atMost(WAIT).untilAsserted(
                () -> assertThat(jmx.getAttribute(mbean("push"), "MessagesDelivered")).isEqualTo(1L));

        // places freed: a Content-Length over the limit closes its connection, nothing of its body is awaited
        for (Socket socket : announcing.subList(0, 4)) {
            socket.close();
        }
        await().atMost(WAIT).until(() -> sip().getTcpConnectionsOpen() == SIP_LIMIT - 4);
        List<Socket> huge = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            huge.add(open(sipPort, sipHeadersAnnouncing(2_000_000_000, 1000 + i)));
        }
        for (Socket socket : huge) {
            assertClosedByService(socket);
        }
        assertThat(sip().getTcpConnectionsClosedOverLimit()).isEqualTo(3);

        // a MESSAGE over 1300 octets goes over TCP (RFC 3261 §18.1.1): answered through a free place
        assertThat(client.sendMessage(ALICE, "sip:ben@127.0.0.1", "text/plain",
                "x".repeat(2000).getBytes(StandardCharsets.UTF_8))).isEqualTo(202);
        assertThat(sip().getTcpConnectionsOpen()).isLessThanOrEqualTo(SIP_LIMIT);
    }

    private String partialMsrpSend(int bodyOctets, int n) {
        int msrpPort = Integer.parseInt(context.resolvePropertyPlaceholders("{{imdp.msrp.port}}"));
        return "MSRP flood" + n + " SEND\r\nTo-Path: msrp://127.0.0.1:" + msrpPort + "/unknown" + n + ";tcp\r\n"
               + "From-Path: msrp://127.0.0.1:9/mallory" + n + ";tcp\r\nMessage-ID: m" + n + "\r\n"
               + "Byte-Range: 1-*/*\r\nContent-Type: text/plain\r\n\r\n" + "x".repeat(bodyOctets);
    }

    /**
     * Before: each accepted MSRP connection that had not bound could buffer a frame of up to 4 MiB for 30 s, and there
     * was no limit on their number. Now: connections sending part of a large SEND hold the places of unbound
     * connections and at most their octets each; the next ones are closed at once, one that sends more than its
     * octets is closed; the threads do not grow with them; the push (the service connects to the client) is
     * delivered meanwhile.
     */
    @Test
    void an_msrp_flood_of_unbound_connections_stays_within_its_limits_while_a_push_is_delivered() throws Exception {
        startClient();
        int msrpPort = Integer.parseInt(context.resolvePropertyPlaceholders("{{imdp.msrp.port}}"));
        int before = threads();

        List<Socket> partial = new ArrayList<>();
        for (int i = 0; i < MSRP_LIMIT; i++) {
            partial.add(open(msrpPort, partialMsrpSend(MSRP_UNBOUND_BYTES / 2, i)));
        }
        await().atMost(WAIT).until(() -> sip().getMsrpUnboundConnections() == MSRP_LIMIT);
        List<Socket> refused = new ArrayList<>();
        for (int i = 0; i < FLOOD; i++) {
            refused.add(open(msrpPort, ""));
        }
        await().atMost(WAIT).until(() -> sip().getMsrpUnboundConnectionsRefused() == FLOOD);
        for (Socket socket : refused) {
            assertClosedByService(socket);
        }
        assertThat(sip().getMsrpUnboundConnections()).isEqualTo(MSRP_LIMIT);
        assertThat(threads() - before).as("threads gained with %d connections", MSRP_LIMIT + FLOOD)
                .isLessThan(THREAD_ALLOWANCE);

        String ann = "sip:ann@127.0.0.1";
        store(ann, "one", "two");
        assertThat(client.register(ann, 600).getStatusCode()).isEqualTo(200);
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        await().atMost(WAIT).untilAsserted(
                () -> assertThat(jmx.getAttribute(mbean("push"), "MessagesDelivered")).isEqualTo(2L));

        // a place freed; a connection that sends more than its octets before binding is closed
        partial.get(0).close();
        await().atMost(WAIT).until(() -> sip().getMsrpUnboundConnections() == MSRP_LIMIT - 1);
        Socket over = open(msrpPort, partialMsrpSend(2 * MSRP_UNBOUND_BYTES, 999));
        assertClosedByService(over);
        assertThat(sip().getMsrpUnboundConnectionsOverBytes()).isEqualTo(1);
        assertThat(sip().getMsrpUnboundConnections()).isEqualTo(MSRP_LIMIT - 1);
    }
}
