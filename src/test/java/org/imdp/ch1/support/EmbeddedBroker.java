package org.imdp.ch1.support;

import java.nio.file.Path;

import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/** A persistent in-VM Artemis broker with its journal in a temporary directory. */
public final class EmbeddedBroker implements AutoCloseable {

    private final EmbeddedActiveMQ broker;
    private final ActiveMQConnectionFactory connectionFactory;

    public EmbeddedBroker(Path dir) throws Exception {
        broker = new EmbeddedActiveMQ().setConfiguration(new ConfigurationImpl()
                .setPersistenceEnabled(true).setSecurityEnabled(false)
                .setJournalDirectory(dir.resolve("journal").toString())
                .setBindingsDirectory(dir.resolve("bindings").toString())
                .setPagingDirectory(dir.resolve("paging").toString())
                .setLargeMessagesDirectory(dir.resolve("large").toString())
                .addAcceptorConfiguration("in-vm", "vm://0"));
        broker.start();
        connectionFactory = new ActiveMQConnectionFactory("vm://0");
    }

    public ActiveMQConnectionFactory connectionFactory() {
        return connectionFactory;
    }

    public void send(String queue, String text) throws Exception {
        try (Connection connection = connectionFactory.createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            session.createProducer(session.createQueue(queue)).send(session.createTextMessage(text));
        }
    }

    /** Messages on the queue, including those delivered and not yet acknowledged. */
    public long messages(String queue) {
        Queue q = broker.getActiveMQServer().locateQueue(SimpleString.of(queue));
        return q == null ? 0 : q.getMessageCount();
    }

    public Message receive(String queue) throws Exception {
        try (Connection connection = connectionFactory.createConnection()) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            try (MessageConsumer consumer = session.createConsumer(session.createQueue(queue))) {
                Message message = consumer.receive(5000);
                if (message instanceof TextMessage text) {
                    text.getText(); // read before the session closes
                }
                return message;
            }
        }
    }

    @Override
    public void close() throws Exception {
        connectionFactory.close();
        broker.stop();
    }
}
