package org.imdp.sipmsrp.sip;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import org.imdp.test.TestPorts;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SipAgentTest {

    @Test
    void a_sip_port_taken_for_tcp_fails_the_start_with_the_bind_error_not_the_cleanups() throws Exception {
        int port = TestPorts.next();
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", port));
            SipAgent agent = new SipAgent("sip-agent-test", "127.0.0.1", port, List.of("udp", "tcp"),
                    new SipTcpLimits(8, Duration.ofSeconds(60), 65535));

            // JAIN-SIP's cleanup of the unbound TCP listener throws a NullPointerException: it must not hide why
            assertThatThrownBy(agent::start).isNotInstanceOf(NullPointerException.class)
                    .hasStackTraceContaining("Address already in use");
            agent.stop();
        }
    }
}
