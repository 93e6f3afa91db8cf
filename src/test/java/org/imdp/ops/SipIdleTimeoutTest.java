package org.imdp.ops;

import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.imdp.sipmsrp.SipMsrpEndpoint;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 11, bounded connections: a SIP/TCP connection that sends nothing, or stops in the middle of a message, is
 * closed after {@code imdp.sip.idle-timeout} (before, the RI kept it for ever: no read timeout before the first
 * octet of a message), and its place is free for a good client.
 */
class SipIdleTimeoutTest extends OpsTestSupport {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        Properties p = super.useOverridePropertiesWithPropertiesComponent();
        p.put("imdp.sip.idle-timeout", "1s");
        p.put("imdp.sip.max-connections", "4");
        return p;
    }

    @Test
    void idle_and_stalled_sip_tcp_connections_are_closed_and_their_places_serve_a_good_client() throws Exception {
        SipMsrpEndpoint sip = context.getEndpoint("sipmsrp:message", SipMsrpEndpoint.class);
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                sockets.add(new Socket("127.0.0.1", sipPort));
            }
            Socket stalled = new Socket("127.0.0.1", sipPort);
            sockets.add(stalled);
            stalled.getOutputStream().write(("MESSAGE sip:bob@127.0.0.1 SIP/2.0\r\nCall-ID: stalled@127.0.0.1\r\n"
                                             + "Content-Length: 10\r\n\r\nabc").getBytes(StandardCharsets.US_ASCII));
            await().atMost(WAIT).until(() -> sip.getTcpConnectionsOpen() == 4);

            for (Socket socket : sockets) {
                socket.setSoTimeout((int) WAIT.toMillis());
                InputStream in = socket.getInputStream();
                try {
                    assertThat(in.read()).as("closed by the service").isEqualTo(-1);
                } catch (SocketException reset) {
                    assertThat(reset.getMessage()).contains("reset");
                }
            }
            await().atMost(WAIT).until(() -> sip.getTcpConnectionsOpen() == 0);
            assertThat(sip.getTcpConnectionsRefused()).isZero();

            startClient();
            // over 1300 octets: over TCP (RFC 3261 §18.1.1)
            assertThat(client.sendMessage(ALICE, "sip:bob@127.0.0.1", "text/plain",
                    "y".repeat(2000).getBytes(StandardCharsets.UTF_8))).isEqualTo(202);
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }
}
