package org.imdp.test.peers;

import org.imdp.test.TestPorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The load benchmark's incumbent, Kamailio msilo, driven by the benchmark's own SIPp scenarios: MESSAGEs for
 * an offline user are stored and answered 202; the user's REGISTER dumps them, through msilo's outbound proxy
 * back into Kamailio, to the registered contact; the table is empty once the contact answered 200.
 */
class KamailioMsiloTest {

    @Test
    void storesWhileOfflineAndDumpsToTheContactOnRegister(@TempDir Path dir) throws IOException {
        Path messages = Files.writeString(dir.resolve("messages.csv"), "SEQUENTIAL\ncarol;bench u7 m0\ncarol;bench u7 m1\n");
        Path users = Files.writeString(dir.resolve("users.csv"), "SEQUENTIAL\ncarol\n");
        try (KamailioMsilo msilo = KamailioMsilo.start(TestPorts.next())) {
            Sipp.scenario("bench/uac-message-load.xml").remotePort(msilo.port()).calls(2)
                    .options("-inf", messages.toString(), "-l", "1").runClient().assertSucceeded();
            assertThat(msilo.storedMessages()).isEqualTo(2);

            int clientPort = TestPorts.next();
            try (Sipp client = Sipp.scenario("bench/uas-message-load.xml").localPort(clientPort).calls(2).startServer()) {
                Sipp.scenario("bench/uac-register-load.xml").remotePort(msilo.port()).calls(1)
                        .key("contact", "sip:127.0.0.1:" + clientPort).options("-inf", users.toString())
                        .runClient().assertSucceeded();

                await().atMost(Duration.ofSeconds(20)).until(() -> client.scenarioLog().lines()
                        .filter(l -> l.contains("bench u7")).count() == 2);
                assertThat(client.scenarioLog().lines().filter(l -> l.contains("bench u7")).map(l -> l.substring(l.indexOf(' ') + 1)))
                        .containsExactlyInAnyOrder("sip:carol@127.0.0.1 bench u7 m0", "sip:carol@127.0.0.1 bench u7 m1");
                await().atMost(Duration.ofSeconds(20)).until(() -> msilo.storedMessages() == 0);
            }
        }
    }
}
