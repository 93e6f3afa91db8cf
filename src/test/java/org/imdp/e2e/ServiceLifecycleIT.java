package org.imdp.e2e;

import org.imdp.test.TestPorts;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.imdp.test.peers.ServiceProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged service's lifecycle as a supervisor (Docker, systemd) sees it: a start that fails ends the JVM with a
 * non-zero exit code and a last line naming the key behind it, even after the SIP stack's threads started; SIGTERM
 * ends it with 0 and a log that keeps its last lines.
 */
class ServiceLifecycleIT {

    /** Far more than a failed start takes (a few seconds): the bound of a wait that the service ends, not a delay. */
    private static final Duration EXIT_WITHIN = Duration.ofSeconds(60);

    @TempDir
    Path dataDir;

    /** A listening TCP socket and a UDP socket on one loopback port, as another process holding it would. */
    private static final class TakenPort implements AutoCloseable {
        final int port;
        private final ServerSocket tcp;
        private final DatagramSocket udp;

        private TakenPort(ServerSocket tcp, DatagramSocket udp) {
            this.tcp = tcp;
            this.udp = udp;
            this.port = tcp.getLocalPort();
        }

        static TakenPort take() throws IOException {
            while (true) {
                ServerSocket tcp = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                try {
                    return new TakenPort(tcp, new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                            tcp.getLocalPort())));
                } catch (BindException heldForUdp) {
                    // the port the system gave for TCP is held for UDP: take another
                    tcp.close();
                }
            }
        }

        @Override
        public void close() throws IOException {
            tcp.close();
            udp.close();
        }
    }

    private void assertFailedStart(ServiceProcess.Builder builder, String... reason) {
        try (ServiceProcess service = builder.launch()) {
            assertThat(service.waitForExit(EXIT_WITHIN)).isEqualTo(1);
            List<String> lines = service.logText().lines().filter(l -> l.contains(" ERROR ")).toList();
            assertThat(lines).anySatisfy(line -> assertThat(line).contains("im-deferred-push did not start").contains(reason));
        }
    }

    @Test
    void a_taken_sip_port_ends_the_start_with_exit_code_1_naming_the_key() throws Exception {
        try (TakenPort taken = TakenPort.take()) {
            assertFailedStart(Services.onFreePorts(taken.port, dataDir),
                    "Cannot listen for SIP on 127.0.0.1:" + taken.port, "configuration key imdp.sip.port = " + taken.port);
        }
    }

    @Test
    void a_taken_msrp_port_ends_the_start_with_exit_code_1_naming_the_key() throws Exception {
        try (TakenPort taken = TakenPort.take()) {
            assertFailedStart(Services.onFreePorts(TestPorts.next(), dataDir)
                            .property("imdp.msrp.port", String.valueOf(taken.port)),
                    "Cannot listen for MSRP on 127.0.0.1:" + taken.port, "configuration key imdp.msrp.port = " + taken.port);
        }
    }

    @Test
    void a_sip_port_that_is_not_a_number_ends_the_start_with_exit_code_1_naming_the_key() {
        assertFailedStart(ServiceProcess.builder().property("imdp.sip.port", "abc").property("imdp.data-dir", dataDir.toString()),
                "Configuration key imdp.sip.port = abc is not a number");
    }

    @Test
    void a_broker_acceptor_off_loopback_without_a_password_ends_the_start_with_exit_code_1_naming_the_key() {
        assertFailedStart(Services.onFreePorts(TestPorts.next(), dataDir).property("imdp.broker.embedded.host", "0.0.0.0")
                        .property("imdp.broker.password", ""),
                "Configuration key imdp.broker.password is empty", "imdp.broker.embedded.host = 0.0.0.0");
    }

    @Test
    void a_taken_management_port_ends_the_start_with_exit_code_1_naming_the_key() throws Exception {
        try (TakenPort taken = TakenPort.take()) {
            assertFailedStart(Services.onFreePorts(TestPorts.next(), dataDir)
                            .property("camel.management.port", String.valueOf(taken.port)),
                    "Configuration key camel.management.port = " + taken.port, "cannot listen on 127.0.0.1:" + taken.port);
        }
    }

    @Test
    void an_unknown_imdp_key_from_the_environment_or_minus_d_ends_the_start_with_exit_code_1_naming_it() {
        assertFailedStart(Services.onFreePorts(TestPorts.next(), dataDir).environment("IMDP_SIP_PROT", "5060"),
                "Unknown configuration key(s)", "environment variable IMDP_SIP_PROT");
        assertFailedStart(Services.onFreePorts(TestPorts.next(), dataDir).property("imdp.store.expiry-time", "1h"),
                "Unknown configuration key(s)", "-Dimdp.store.expiry-time");
    }

    @Test
    void camel_management_port_is_set_from_the_environment_as_every_key_is() throws Exception {
        int port = TestPorts.next();
        // over the test's -Dcamel.management.port=0: the environment overrides -D and the configuration file
        try (ServiceProcess ignored = Services.onFreePorts(TestPorts.next(), dataDir)
                .environment("CAMEL_MANAGEMENT_PORT", String.valueOf(port)).start();
             Socket management = new Socket(InetAddress.getLoopbackAddress(), port)) {
            assertThat(management.isConnected()).as("the management server listens on the port the environment gave").isTrue();
        }
    }

    @Test
    void sigterm_stops_with_exit_code_0_and_the_log_keeps_its_last_lines() {
        try (ServiceProcess service = Services.onFreePorts(TestPorts.next(), dataDir).start()) {
            assertThat(service.stop(Duration.ofSeconds(30))).isEqualTo(ServiceProcess.EXIT_ON_SIGTERM);

            // up to Camel Main's own last line on the main thread, after the context and every service stopped
            assertThat(service.logText()).contains("is shutting down").contains("Embedded Artemis broker stopped")
                    .containsPattern("\\[main] MainSupport - Apache Camel \\(Main\\) \\S+ shutdown");
        }
    }
}
