package org.imdp.e2e;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.jms.JMSSecurityException;
import org.apache.activemq.artemis.api.core.ActiveMQSecurityException;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.imdp.store.DeferredStore;
import org.imdp.test.BrokerClient;
import org.imdp.test.StoreFile;
import org.imdp.test.TestPorts;
import org.imdp.test.peers.ServiceProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Issue 11, the broker as an attacker on the same host meets it: the jar on its default broker settings (acceptor on
 * loopback, no service password configured, so the service's own is drawn at random) with a user for the other IM
 * Server parts. Real Artemis core and JMS clients on the acceptor: without credentials, or guessing the service's
 * user, nothing; the other parts' user deposits a message, which is stored, but cannot put a charging event on
 * {@code im.charging} (the service would send it to the Charging Enabler as a real ACR) nor consume a queue.
 */
class BrokerAttackIT {

    /** The defaults of imdp.queue.expired and imdp.queue.refused (config/application.properties). */
    private static final String EXPIRED = "im.deferred.expired";
    private static final String REFUSED = "im.deferred.refused";

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String INTAKE_PASSWORD = "intake-secret";

    @TempDir
    Path dataDir;

    @Test
    void strangers_get_nothing_from_the_broker_and_the_intake_user_cannot_forge_a_charging_event() throws Exception {
        int brokerPort = TestPorts.next();
        String url = "tcp://127.0.0.1:" + brokerPort;
        try (ServiceProcess service = Services.onFreePorts(TestPorts.next(), dataDir)
                     .property("imdp.broker.embedded.port", String.valueOf(brokerPort))
                     .property("imdp.broker.password", "") // the default: nobody but the service itself logs in as it
                     .property("imdp.broker.intake-password", INTAKE_PASSWORD).start();
             ActiveMQConnectionFactory anonymous = new ActiveMQConnectionFactory(url);
             ActiveMQConnectionFactory guessing = new ActiveMQConnectionFactory(url, "imdp", "");
             ServerLocator locator = ActiveMQClient.createServerLocator(url);
             ClientSessionFactory core = locator.createSessionFactory();
             BrokerClient intake = new BrokerClient(url, "intake", INTAKE_PASSWORD)) {
            assertThatThrownBy(anonymous::createConnection).isInstanceOf(JMSSecurityException.class);
            assertThatThrownBy(guessing::createConnection).isInstanceOf(JMSSecurityException.class);
            for (String queue : List.of(REFUSED, EXPIRED, "im.charging",
                    "im.deferred.intake")) {
                assertThatThrownBy(() -> core.createSession().createConsumer(queue)).as(queue)
                        .isInstanceOf(ActiveMQSecurityException.class);
                assertThatThrownBy(() -> intake.receive(queue)).as(queue).isInstanceOf(JMSSecurityException.class);
            }

            assertThatThrownBy(() -> intake.send("im.charging", "{\"eventId\":\"forged\",\"recipient\":\"sip:x@127.0.0.1\"}"))
                    .isInstanceOf(JMSSecurityException.class);
            assertThatThrownBy(() -> intake.send("im.charging.dlq", "{}")).isInstanceOf(JMSSecurityException.class);

            // what the other IM Server parts are for still works
            String nina = "sip:nina@127.0.0.1";
            intake.send("im.deferred.intake", "deposited".getBytes(StandardCharsets.UTF_8), Map.of(
                    DeferredStore.PROP_RECIPIENT, nina, DeferredStore.PROP_SENDER, "sip:alice@127.0.0.1",
                    DeferredStore.PROP_CONTENT_TYPE, "text/plain"));
            await().atMost(WAIT).until(() -> StoreFile.storedFor(dataDir, nina) == 1);
            // the charging route never saw an event: none failed for now (no Charging Enabler listens), none was parked
            assertThat(service.logText()).doesNotContain("Charging record").doesNotContain(" ERROR ");
        }
    }
}
