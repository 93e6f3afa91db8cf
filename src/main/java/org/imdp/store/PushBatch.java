package org.imdp.store;

import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.client.ClientConsumer;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.api.core.client.ClientProducer;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A recipient's messages checked out for one push session. They are held (delivered, not
 * acknowledged) by a transacted core session until {@link #settle} or {@link #close}.
 */
public final class PushBatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PushBatch.class);

    private final String recipient;
    private final List<DeferredMessage> messages;
    private final boolean hasMore;
    private final ClientSession session;
    private final ClientConsumer consumer;
    private final Map<String, ClientMessage> held;
    private final String chargingQueue;
    private boolean closed;

    PushBatch(String recipient, List<DeferredMessage> messages, boolean hasMore, ClientSession session, ClientConsumer consumer,
              Map<String, ClientMessage> held, String chargingQueue) {
        this.recipient = recipient;
        this.messages = List.copyOf(messages);
        this.hasMore = hasMore;
        this.session = session;
        this.consumer = consumer;
        this.held = held;
        this.chargingQueue = chargingQueue;
    }

    static PushBatch empty(String recipient) {
        return new PushBatch(recipient, List.of(), false, null, null, Map.of(), null);
    }

    /** The messages to push, oldest first. */
    public List<DeferredMessage> getMessages() {
        return messages;
    }

    public boolean isEmpty() {
        return messages.isEmpty();
    }

    /**
     * Whether the checkout left messages in the store (over the session's byte budget or message count): once this
     * push has delivered all of its own, the next one follows at once.
     */
    public boolean hasMore() {
        return hasMore;
    }

    /**
     * Acknowledges the given messages, sends {@code chargingEvent} (JSON text, may be {@code null}) to the charging
     * queue, acknowledges the {@code refused} messages (id to reason) and sends a copy of each, with the reason, to
     * {@link DeferredStore#REFUSED_QUEUE}; then commits all at once and closes the batch.
     */
    synchronized void settle(Collection<String> acknowledged, Map<String, String> refused, String chargingEvent)
            throws ActiveMQException {
        if (closed) {
            throw new IllegalStateException("push batch of " + recipient + " is already closed");
        }
        if (session == null) {
            return;
        }
        try {
            for (String id : acknowledged) {
                heldMessage(id).individualAcknowledge();
            }
            if (!refused.isEmpty()) {
                try (ClientProducer producer = session.createProducer(DeferredStore.REFUSED_QUEUE)) {
                    for (Map.Entry<String, String> refusal : refused.entrySet()) {
                        heldMessage(refusal.getKey()).individualAcknowledge();
                        DeferredMessage m = messages.stream().filter(c -> c.messageId().equals(refusal.getKey()))
                                .findFirst().orElseThrow();
                        ClientMessage copy = session.createMessage(Message.BYTES_TYPE, true);
                        DeferredStore.writeStored(copy, m);
                        copy.putStringProperty(DeferredStore.PROP_REFUSAL, refusal.getValue());
                        producer.send(copy);
                    }
                }
            }
            if (chargingEvent != null) {
                ClientMessage event = session.createMessage(Message.TEXT_TYPE, true);
                event.getBodyBuffer().writeNullableSimpleString(SimpleString.of(chargingEvent));
                try (ClientProducer producer = session.createProducer(chargingQueue)) {
                    producer.send(event);
                }
            }
            session.commit();
            LOG.debug("Settled push of {}: {} of {} messages delivered, {} refused", recipient, acknowledged.size(),
                    messages.size(), refused.size());
        } finally {
            close();
        }
    }

    private ClientMessage heldMessage(String id) {
        ClientMessage cm = held.get(id);
        if (cm == null) {
            throw new IllegalArgumentException("message " + id + " is not part of the push batch of " + recipient);
        }
        return cm;
    }

    /** Returns every message not settled to the head of the recipient's queue, in order. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (session == null) {
            return;
        }
        try {
            consumer.close();
            session.close();
        } catch (ActiveMQException e) {
            // the broker returns the messages of a dead session to the queue by itself
            LOG.warn("Closing the push batch of {} failed: {}", recipient, e.getMessage());
        }
    }
}
