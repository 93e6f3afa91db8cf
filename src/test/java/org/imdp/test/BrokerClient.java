package org.imdp.test;

import java.util.List;
import java.util.Map;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.QueueConnection;
import jakarta.jms.QueueRequestor;
import jakarta.jms.QueueSession;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.api.config.ActiveMQDefaultConfiguration;
import org.apache.activemq.artemis.api.core.management.ResourceNames;
import org.apache.activemq.artemis.api.jms.ActiveMQJMSClient;
import org.apache.activemq.artemis.api.jms.management.JMSManagementHelper;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.imdp.broker.EmbeddedBroker;

/**
 * What tests do with the running {@link EmbeddedBroker}, over {@link EmbeddedBroker#IN_VM_URL} (or a broker URL
 * given, e.g. the TCP acceptor of the service's jar), logged in as a user of the broker: put a message on a queue,
 * count a queue's messages, take one off.
 */
public final class BrokerClient implements AutoCloseable {

    /** The service's broker user in tests ({@code imdp.broker.user}, its default). */
    public static final String SERVICE_USER = "imdp";
    /** The password tests give the service's broker user ({@code imdp.broker.password}). */
    public static final String SERVICE_PASSWORD = "test-broker-secret";

    private final ActiveMQConnectionFactory connectionFactory;

    /** A client of the broker at {@code url}, e.g. {@code tcp://127.0.0.1:61616}, as the service's user. */
    public BrokerClient(String url) {
        this(url, SERVICE_USER, SERVICE_PASSWORD);
    }

    /** A client of the broker at {@code url} as {@code user} ({@code null}: without credentials). */
    public BrokerClient(String url, String user, String password) {
        connectionFactory = new ActiveMQConnectionFactory(url, user, password);
    }

    public ConnectionFactory connectionFactory() {
        return connectionFactory;
    }

    public void send(String queue, String text) throws JMSException {
        try (Connection connection = connectionFactory.createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            session.createProducer(session.createQueue(queue)).send(session.createTextMessage(text));
        }
    }

    /** Puts a bytes message with string properties on a queue (e.g. the JMS intake). */
    public void send(String queue, byte[] body, Map<String, String> properties) throws JMSException {
        try (Connection connection = connectionFactory.createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            BytesMessage message = session.createBytesMessage();
            message.writeBytes(body);
            for (Map.Entry<String, String> p : properties.entrySet()) {
                message.setStringProperty(p.getKey(), p.getValue());
            }
            session.createProducer(session.createQueue(queue)).send(message);
        }
    }

    /**
     * Messages on the queue, including those delivered and not yet acknowledged and those waiting for a
     * redelivery delay; 0 when the queue does not exist (yet).
     */
    public long messages(String queue) throws Exception {
        // asked of the broker's management address, so that messages held by a consumer are counted too
        try (QueueConnection connection = connectionFactory.createQueueConnection()) {
            QueueSession session = connection.createQueueSession(false, Session.AUTO_ACKNOWLEDGE);
            QueueRequestor management = new QueueRequestor(session, ActiveMQJMSClient.createQueue(
                    ActiveMQDefaultConfiguration.getDefaultManagementAddress().toString()));
            connection.start();
            List<Object> queues = List.of((Object[]) attribute(session, management, ResourceNames.BROKER, "queueNames"));
            if (!queues.contains(queue)) {
                return 0;
            }
            return ((Number) attribute(session, management, ResourceNames.QUEUE + queue, "messageCount")).longValue();
        }
    }

    /** The next message on the queue, waiting at most 5 s; null when none came. */
    public Message receive(String queue) throws JMSException {
        try (Connection connection = connectionFactory.createConnection()) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            try (MessageConsumer consumer = session.createConsumer(session.createQueue(queue))) {
                Message message = consumer.receive(5000);
                if (message instanceof TextMessage text) {
                    text.getText(); // read before the session closes
                } else if (message instanceof BytesMessage bytes) {
                    bytes.getBodyLength();
                }
                return message;
            }
        }
    }

    private static Object attribute(QueueSession session, QueueRequestor management, String resource, String name)
            throws Exception {
        Message request = session.createMessage();
        JMSManagementHelper.putAttribute(request, resource, name);
        Message reply = management.request(request);
        Object result = JMSManagementHelper.getResult(reply);
        if (!JMSManagementHelper.hasOperationSucceeded(reply)) {
            throw new IllegalStateException("broker management " + resource + " " + name + " failed: " + result);
        }
        return result;
    }

    @Override
    public void close() {
        connectionFactory.close();
    }
}
