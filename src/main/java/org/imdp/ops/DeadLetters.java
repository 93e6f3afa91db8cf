package org.imdp.ops;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.imdp.store.DeferredStore;

/**
 * Browse and replay of the queues where messages wait for an operator: the dead-letter queues of the intake, of the
 * charging and of the IMDN notifications, and the queue of the messages refused for good (on their way to the IMDN
 * route). Over JMS with the service's own connection factory, as the routes use the broker.
 * <ul>
 * <li>A browse shows metadata only: the JMS message id and timestamp, the body's size and the {@code imdp*}
 * properties that describe a message (who, when, why it was parked); never the body, nor the CPIM headers.</li>
 * <li>A replay moves one message back to the queue it was parked from, in one JMS transaction: it leaves the
 * dead-letter queue exactly when it is on its queue again. A second replay of it finds nothing (404).</li>
 * </ul>
 */
final class DeadLetters {

    /** A JMS message id as Artemis writes it: the only form a replay takes (it becomes a selector). */
    private static final Pattern MESSAGE_ID = Pattern.compile("ID:[0-9A-Fa-f-]{1,64}");
    /** Properties that carry a message's content (or part of it) never leave. */
    private static final Set<String> CONTENT_PROPERTIES = Set.of(DeferredStore.PROP_CPIM_HEADERS);
    /** Set by routes/imdn.xml on what it parks in the IMDN dead-letter queue: the queue the message came from. */
    static final String IMDN_SOURCE = "imdpImdnSource";

    private final ConnectionFactory connections;
    /** Each queue an operator may browse, and where its messages go back to ({@code null}: no replay). */
    private final Map<String, String> origins;
    private final String imdnDlq;
    private final String expiredQueue;
    private final String refusedQueue;

    /** The queues of the service, by the keys that name them. */
    DeadLetters(ConnectionFactory connections, String intakeQueue, String chargingQueue, String chargingDlq,
                String imdnDlq, String expiredQueue, String refusedQueue) {
        this.connections = connections;
        this.imdnDlq = imdnDlq;
        this.expiredQueue = expiredQueue;
        this.refusedQueue = refusedQueue;
        Map<String, String> o = new LinkedHashMap<>();
        o.put(intakeQueue + ".dlq", intakeQueue);
        o.put(chargingDlq, chargingQueue);
        // an IMDN notification came from the expired or the refused queue: the message says which (imdpImdnSource)
        o.put(imdnDlq, null);
        // browsed, never replayed: nothing parks there, the IMDN route takes its messages
        o.put(refusedQueue, null);
        this.origins = Collections.unmodifiableMap(o);
    }

    /** The queues that can be browsed, with where a replay puts their messages back. */
    Map<String, String> queues() {
        Map<String, String> answer = new LinkedHashMap<>();
        origins.forEach((queue, origin) -> answer.put(queue, queue.equals(imdnDlq)
                ? expiredQueue + " or " + refusedQueue : origin));
        return answer;
    }

    /** What a browse shows of one message. */
    record Parked(String messageId, Instant timestamp, Integer size, Map<String, Object> properties) {
    }

    /** The metadata of the first {@code max} messages of {@code queue}, oldest first. */
    List<Parked> browse(String queue, int max) throws JMSException {
        known(queue);
        List<Parked> answer = new ArrayList<>();
        try (Connection connection = connections.createConnection();
             Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
             QueueBrowser browser = session.createBrowser(session.createQueue(queue))) {
            connection.start();
            Enumeration<?> messages = browser.getEnumeration();
            while (answer.size() < max && messages.hasMoreElements()) {
                answer.add(parked((Message) messages.nextElement()));
            }
        }
        return answer;
    }

    /**
     * Puts one message of a dead-letter queue back where it was parked from, in one transaction.
     *
     * @return the queue it went back to
     * @throws AdminApi.NotFoundException when no such message is on the queue (already replayed, or never there)
     * @throws AdminApi.ConflictException when the queue is not a dead-letter queue, or the message does not say where
     *                                    it came from
     */
    String replay(String queue, String messageId) throws JMSException {
        known(queue);
        if (queue.equals(refusedQueue)) {
            throw new AdminApi.ConflictException(queue + " is not a dead-letter queue: the IMDN route takes its messages");
        }
        if (messageId == null || !MESSAGE_ID.matcher(messageId).matches()) {
            throw new IllegalArgumentException("messageId: a JMS message id (ID:...) as a browse shows it, got "
                                               + messageId);
        }
        try (Connection connection = connections.createConnection();
             Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
             MessageConsumer consumer = session.createConsumer(session.createQueue(queue),
                     "JMSMessageID = '" + messageId + "'");
             MessageProducer producer = session.createProducer(null)) {
            connection.start();
            Message parked = consumer.receiveNoWait();
            if (parked == null) {
                session.rollback();
                throw new AdminApi.NotFoundException("no message " + messageId + " on " + queue);
            }
            String origin = origin(queue, parked);
            if (origin == null) {
                session.rollback();
                throw new AdminApi.ConflictException("message " + messageId + " on " + queue
                        + " does not say which queue it came from (parked by an earlier version): move it by hand");
            }
            // a copy sent again is a new message for the broker's duplicate detection, once per stay in the queue
            Map<String, Object> properties = new TreeMap<>();
            for (Enumeration<?> names = parked.getPropertyNames(); names.hasMoreElements(); ) {
                String name = (String) names.nextElement();
                properties.put(name, parked.getObjectProperty(name));
            }
            parked.clearProperties();
            properties.remove(DeferredStore.DUPLICATE_ID);
            for (Map.Entry<String, Object> p : properties.entrySet()) {
                parked.setObjectProperty(p.getKey(), p.getValue());
            }
            parked.setStringProperty(DeferredStore.DUPLICATE_ID, "replay|" + queue + "|" + messageId + "|"
                                                                  + parked.getJMSTimestamp());
            producer.send(session.createQueue(origin), parked);
            session.commit();
            return origin;
        }
    }

    private String origin(String queue, Message parked) throws JMSException {
        if (!queue.equals(imdnDlq)) {
            return origins.get(queue);
        }
        String source = parked.getStringProperty(IMDN_SOURCE);
        return expiredQueue.equals(source) || refusedQueue.equals(source) ? source : null;
    }

    private void known(String queue) {
        if (!origins.containsKey(queue)) {
            throw new AdminApi.NotFoundException("no queue " + queue + " to browse; there are " + origins.keySet());
        }
    }

    private static Parked parked(Message m) throws JMSException {
        Map<String, Object> properties = new TreeMap<>();
        for (Enumeration<?> names = m.getPropertyNames(); names.hasMoreElements(); ) {
            String name = (String) names.nextElement();
            if (name.startsWith("imdp") && !CONTENT_PROPERTIES.contains(name)) {
                properties.put(name, m.getObjectProperty(name));
            }
        }
        // only the body's size leaves, in bytes (UTF-8 for a text)
        Integer size = m instanceof TextMessage text && text.getText() != null
                ? text.getText().getBytes(StandardCharsets.UTF_8).length
                : m instanceof BytesMessage bytes ? (int) bytes.getBodyLength() : null;
        return new Parked(m.getJMSMessageID(), Instant.ofEpochMilli(m.getJMSTimestamp()), size, properties);
    }
}
