package org.imdp.broker;

import java.nio.file.Path;
import java.util.List;

import jakarta.jms.Connection;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.api.core.ActiveMQSecurityException;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.imdp.test.BrokerClient;
import org.imdp.test.TestPorts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The embedded broker's security, as a client on the network meets it: real Artemis JMS and core clients over its TCP
 * acceptor. Nobody gets in without credentials, the other IM Server parts' user may only send to the intake queues,
 * and only the service's user may touch the charging queue (a forged charging event would be sent to the Charging
 * Enabler as a real ACR).
 */
class EmbeddedBrokerSecurityTest {

    /** The defaults of imdp.queue.expired and imdp.queue.refused (config/application.properties). */
    private static final String EXPIRED = "im.deferred.expired";
    private static final String REFUSED = "im.deferred.refused";

    private static final String INTAKE = "im.deferred.intake";
    private static final String AVAILABILITY = "im.availability";
    private static final String CHARGING = "im.charging";
    private static final String INTAKE_USER = "intake";
    private static final String INTAKE_PASSWORD = "intake-secret";

    @TempDir
    static Path journal;

    private static EmbeddedBroker broker;
    private static String url;

    @BeforeAll
    static void startBroker() throws Exception {
        int port = TestPorts.next();
        url = "tcp://127.0.0.1:" + port;
        broker = new EmbeddedBroker(journal, "127.0.0.1", port,
                List.of(INTAKE, AVAILABILITY, CHARGING, EXPIRED, REFUSED),
                new EmbeddedBroker.ChargingRedelivery(CHARGING, 1000, 60000),
                BrokerSecurity.embedded("127.0.0.1", BrokerClient.SERVICE_USER, BrokerClient.SERVICE_PASSWORD,
                        INTAKE_USER, INTAKE_PASSWORD),
                List.of(INTAKE, AVAILABILITY, REFUSED));
        broker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.stop();
    }

    @Test
    void a_jms_client_without_credentials_or_with_a_wrong_password_is_refused() {
        try (ActiveMQConnectionFactory anonymous = new ActiveMQConnectionFactory(url);
             ActiveMQConnectionFactory wrong = new ActiveMQConnectionFactory(url, BrokerClient.SERVICE_USER, "guess")) {
            assertThatThrownBy(anonymous::createConnection).isInstanceOf(JMSSecurityException.class);
            assertThatThrownBy(wrong::createConnection).isInstanceOf(JMSSecurityException.class);
        }
    }

    @Test
    void a_core_client_without_credentials_gets_no_session_so_consumes_no_queue() throws Exception {
        try (ServerLocator locator = ActiveMQClient.createServerLocator(url);
             ClientSessionFactory factory = locator.createSessionFactory()) {
            assertThatThrownBy(() -> factory.createSession().createConsumer(EXPIRED))
                    .isInstanceOf(ActiveMQSecurityException.class);
        }
    }

    @Test
    void the_intake_user_cannot_forge_a_charging_event() throws Exception {
        try (BrokerClient intake = new BrokerClient(url, INTAKE_USER, INTAKE_PASSWORD);
             BrokerClient service = new BrokerClient(url)) {
            assertThatThrownBy(() -> intake.send(CHARGING, "{\"eventId\":\"forged\"}"))
                    .isInstanceOf(JMSSecurityException.class);
            assertThat(service.messages(CHARGING)).isZero();
        }
    }

    @Test
    void the_intake_user_sends_to_the_intake_queues_and_consumes_none() throws Exception {
        try (BrokerClient intake = new BrokerClient(url, INTAKE_USER, INTAKE_PASSWORD);
             BrokerClient service = new BrokerClient(url)) {
            intake.send(AVAILABILITY, "announced");
            for (String queue : List.of(AVAILABILITY, INTAKE, CHARGING, EXPIRED,
                    REFUSED)) {
                assertThatThrownBy(() -> consumeOne(intake, queue)).as(queue).isInstanceOf(JMSSecurityException.class);
            }
            assertThat(((TextMessage) service.receive(AVAILABILITY)).getText()).isEqualTo("announced");
        }
    }

    @Test
    void the_service_user_sends_and_consumes_charging_events() throws Exception {
        try (BrokerClient service = new BrokerClient(url)) {
            service.send(CHARGING, "{\"eventId\":\"real\"}");
            assertThat(((TextMessage) service.receive(CHARGING)).getText()).isEqualTo("{\"eventId\":\"real\"}");
        }
    }

    @Test
    void an_acceptor_off_loopback_without_a_password_stops_the_start_naming_the_key() {
        assertThatThrownBy(() -> BrokerSecurity.embedded("0.0.0.0", "imdp", "", "intake", ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("imdp.broker.password")
                .hasMessageContaining("imdp.broker.embedded.host = 0.0.0.0");
        assertThat(BrokerSecurity.embedded("0.0.0.0", "imdp", "secret", "intake", "").service().password())
                .isEqualTo("secret");
        // on loopback an empty password is drawn at random: only the service itself (in-VM) can log in
        assertThat(BrokerSecurity.embedded("127.0.0.1", "imdp", "", "intake", "").service().password()).hasSizeGreaterThan(20);
    }

    private static Message consumeOne(BrokerClient client, String queue) throws Exception {
        try (Connection connection = client.connectionFactory().createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            try (MessageConsumer consumer = session.createConsumer(session.createQueue(queue))) {
                connection.start();
                return consumer.receive(100);
            }
        }
    }
}
