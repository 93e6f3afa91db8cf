package org.imdp.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.activemq.artemis.api.config.ActiveMQDefaultConfiguration;
import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.ActiveMQQueueExistsException;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientConsumer;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.api.core.client.ClientProducer;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientRequestor;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.apache.activemq.artemis.api.core.management.ManagementHelper;
import org.apache.activemq.artemis.api.core.management.ResourceNames;
import org.apache.camel.Exchange;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.camel.support.SynchronizationAdapter;
import org.imdp.cpim.CpimHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deferred-message store: one durable Artemis queue per recipient, reached with the Artemis core
 * client (so it works on the embedded broker and on an external or clustered one alike).
 * <p>
 * Why the core client and not JMS: a push acknowledges exactly the messages the client answered
 * 200 OK, and in the same broker transaction records the charging event. Core sessions allow
 * individual acknowledgements inside a transaction; what was not acknowledged goes back to the head
 * of the recipient's queue, in order, when the batch closes.
 */
public final class DeferredStore extends ServiceSupport {

    /** Message properties of a stored message (also the JMS intake's property names). */
    public static final String PROP_RECIPIENT = "imdpRecipient";
    public static final String PROP_SENDER = "imdpSender";
    public static final String PROP_CONTENT_TYPE = "imdpContentType";
    public static final String PROP_MESSAGE_ID = "imdpMessageId";
    public static final String PROP_DATE_TIME = "imdpDateTime";
    public static final String PROP_DISPOSITION = "imdpDisposition";
    /** The other headers of the sender's own CPIM document, {@link CpimHeaders#serialize} form. */
    public static final String PROP_CPIM_HEADERS = "imdpCpimHeaders";
    /** On a copy in {@link #REFUSED_QUEUE}: why the client refused the message, e.g. "MSRP 415 Unsupported media type". */
    public static final String PROP_REFUSAL = "imdpRefusal";
    /**
     * Where a message the recipient's client refused for good goes (with every store property, its body and
     * {@link #PROP_REFUSAL}), in the transaction that removes it from the store: for the IMDN "failed" to its sender.
     */
    public static final String REFUSED_QUEUE = "im.deferred.refused";

    private static final Logger LOG = LoggerFactory.getLogger(DeferredStore.class);
    private static final int SESSION_POOL_SIZE = 4;

    private final String brokerUrl;
    private final Duration expiry;
    private final int maxPerRecipient;
    private final int maxMessageSize;
    private final String chargingQueue;
    private final Clock clock;

    private ServerLocator locator;
    private ClientSessionFactory factory;
    private BlockingQueue<PooledSession> sessions;

    public DeferredStore(String brokerUrl, Duration expiry, int maxPerRecipient, int maxMessageSize,
                         String chargingQueue, Clock clock) {
        this.brokerUrl = brokerUrl;
        this.expiry = expiry;
        this.maxPerRecipient = maxPerRecipient;
        this.maxMessageSize = maxMessageSize;
        this.chargingQueue = chargingQueue;
        this.clock = clock;
    }

    @Override
    protected void doStart() throws Exception {
        locator = ActiveMQClient.createServerLocator(brokerUrl)
                .setReconnectAttempts(-1)
                .setBlockOnDurableSend(true)
                .setBlockOnAcknowledge(true);
        factory = locator.createSessionFactory();
        sessions = new ArrayBlockingQueue<>(SESSION_POOL_SIZE);
        for (int i = 0; i < SESSION_POOL_SIZE; i++) {
            ClientSession s = factory.createSession(true, true);
            sessions.add(new PooledSession(s, s.createProducer()));
        }
        ensureQueue(chargingQueue, false);
        ensureQueue(REFUSED_QUEUE, false);
        LOG.info("Deferred store on {}: expiry {}, at most {} messages per recipient, {} octets per message",
                brokerUrl, expiry, maxPerRecipient, maxMessageSize);
    }

    @Override
    protected void doStop() throws Exception {
        if (sessions != null) {
            for (PooledSession s : sessions) {
                s.session.close();
            }
            sessions = null;
        }
        if (factory != null) {
            factory.close();
        }
        if (locator != null) {
            locator.close();
        }
    }

    /**
     * Stores one message durably (the broker has it on disk when this returns).
     *
     * @throws RejectedMessageException when it is too large or the recipient's quota is used up
     */
    public void store(DeferredMessage m) throws ActiveMQException, InterruptedException {
        if (m.size() > maxMessageSize) {
            throw new RejectedMessageException(RejectedMessageException.Reason.TOO_LARGE,
                    "message of " + m.size() + " octets exceeds imdp.store.max-message-size " + maxMessageSize);
        }
        String queue = Recipients.storeQueue(m.recipient());
        PooledSession ps = sessions.take();
        try {
            ClientSession.QueueQuery q = ps.session.queueQuery(SimpleString.of(queue));
            if (!q.isExists()) {
                createStoreQueue(ps.session, queue);
            } else if (q.getMessageCount() >= maxPerRecipient) {
                throw new RejectedMessageException(RejectedMessageException.Reason.OVER_QUOTA,
                        "recipient " + m.recipient() + " already has " + q.getMessageCount()
                        + " deferred messages (imdp.store.max-per-recipient " + maxPerRecipient + ")");
            }
            Instant now = clock.instant();
            ClientMessage msg = ps.session.createMessage(Message.BYTES_TYPE, true,
                    now.plus(expiry).toEpochMilli(), now.toEpochMilli(), (byte) 4);
            writeStored(msg, m);
            // the broker drops a second copy of the same message (a retransmitted or redelivered intake)
            msg.putStringProperty(Message.HDR_DUPLICATE_DETECTION_ID, m.recipient() + "|" + m.messageId());
            ps.producer.send(queue, msg);
            LOG.debug("Stored {}", m);
        } finally {
            sessions.add(ps);
        }
    }

    /** Puts a message's properties and body on a broker message, as stored (also for the refused copy). */
    static void writeStored(ClientMessage msg, DeferredMessage m) {
        msg.putStringProperty(PROP_RECIPIENT, m.recipient());
        msg.putStringProperty(PROP_SENDER, m.sender());
        msg.putStringProperty(PROP_CONTENT_TYPE, m.contentType());
        msg.putStringProperty(PROP_MESSAGE_ID, m.messageId());
        msg.putStringProperty(PROP_DATE_TIME, m.dateTime().toString());
        if (m.dispositionNotification() != null) {
            msg.putStringProperty(PROP_DISPOSITION, m.dispositionNotification());
        }
        if (!m.cpimHeaders().isEmpty()) {
            msg.putStringProperty(PROP_CPIM_HEADERS, m.cpimHeaders().serialize());
        }
        msg.getBodyBuffer().writeBytes(m.body());
    }

    /** Number of messages stored for a recipient (canonical form), 0 when none. */
    public long count(String recipient) throws ActiveMQException, InterruptedException {
        PooledSession ps = sessions.take();
        try {
            ClientSession.QueueQuery q = ps.session.queueQuery(SimpleString.of(Recipients.storeQueue(recipient)));
            return q.isExists() ? q.getMessageCount() : 0;
        } finally {
            sessions.add(ps);
        }
    }

    /**
     * Takes out up to {@code max} of the recipient's messages, oldest first, for one push, and no more than
     * {@code maxBytes} octets of bodies between them (always at least one message, however large): every message
     * of a push is held in memory until it settles, so the budget bounds a push's heap. They stay in the store
     * until {@link PushBatch#settle} acknowledges them; the batch is closed when the exchange completes, which
     * returns every unacknowledged message, the one received but left behind included, to the head of the queue,
     * in order.
     */
    public PushBatch checkout(String recipient, int max, int maxBytes, Exchange exchange) throws ActiveMQException {
        String queue = Recipients.storeQueue(recipient);
        ClientSession session = factory.createSession(false, false);
        try {
            if (!session.queueQuery(SimpleString.of(queue)).isExists()) {
                session.close();
                return PushBatch.empty(recipient);
            }
            ClientConsumer consumer = session.createConsumer(queue);
            session.start();
            Map<String, ClientMessage> held = new LinkedHashMap<>();
            List<DeferredMessage> messages = new ArrayList<>();
            long bytes = 0;
            boolean leftBehind = false;
            ClientMessage cm;
            while ((cm = consumer.receiveImmediate()) != null) {
                int size = cm.getBodyBuffer().readableBytes();
                if (held.size() >= max || !held.isEmpty() && bytes + size > maxBytes) {
                    leftBehind = true;
                    break;
                }
                DeferredMessage m = toDeferredMessage(cm);
                if (m == null || held.containsKey(m.messageId())) {
                    // unreadable or duplicate: leave it stored for an operator, do not push it
                    continue;
                }
                held.put(m.messageId(), cm);
                messages.add(m);
                bytes += size;
            }
            PushBatch batch = new PushBatch(recipient, messages, leftBehind, session, consumer, held, chargingQueue);
            if (exchange != null) {
                exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                    @Override
                    public void onDone(Exchange e) {
                        batch.close();
                    }
                });
            }
            return batch;
        } catch (ActiveMQException | RuntimeException e) {
            session.close();
            throw e;
        }
    }

    /**
     * Removes the acknowledged messages of a push and records its charging event, and moves the messages the client
     * refused for good ({@code refusals}: id to reason) to {@link #REFUSED_QUEUE}, all in one broker transaction: a
     * crash can neither charge a push twice, nor lose its record, nor lose or duplicate a refused message.
     */
    public void settle(PushBatch batch, java.util.Collection<String> acknowledged, Map<String, String> refusals,
            String chargingEvent) throws ActiveMQException {
        batch.settle(acknowledged, refusals, chargingEvent);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Operations (org.imdp.ops: JMX, admin API, health): views that never take a message out for a push,
    // and the operator's purge.
    // ---------------------------------------------------------------------------------------------------------

    /** What an operator may see of a stored message: its metadata, never its content. */
    public record PendingMessage(String messageId, String sender, String contentType, Instant dateTime,
            Instant expiresAt, int size) {
    }

    /**
     * The whole store at a glance, from the broker's own counters.
     *
     * @param recipients     recipients with a store queue (queues of recipients emptied in the last minutes included)
     * @param storedMessages messages in all store queues
     * @param largest        the recipients with most messages stored, most first, at most the number asked for
     */
    public record Totals(long recipients, long storedMessages, Map<String, Long> largest) {
    }

    /** Messages on any queue of the broker (e.g. {@code im.charging}), 0 when the queue does not exist. */
    public long queueMessageCount(String queue) throws ActiveMQException, InterruptedException {
        PooledSession ps = sessions.take();
        try {
            ClientSession.QueueQuery q = ps.session.queueQuery(SimpleString.of(queue));
            return q.isExists() ? q.getMessageCount() : 0;
        } finally {
            sessions.add(ps);
        }
    }

    /**
     * The metadata of up to {@code max} of a recipient's stored messages, oldest first, read with a browse-only
     * consumer: nothing is taken out, a push running at the same time is not disturbed (messages it holds are
     * not listed).
     */
    public List<PendingMessage> pending(String recipient, int max) throws ActiveMQException {
        String queue = Recipients.storeQueue(recipient);
        List<PendingMessage> result = new ArrayList<>();
        try (ClientSession session = factory.createSession(false, true, true)) {
            if (!session.queueQuery(SimpleString.of(queue)).isExists()) {
                return result;
            }
            try (ClientConsumer browser = session.createConsumer(SimpleString.of(queue), true)) {
                session.start();
                ClientMessage cm;
                while (result.size() < max && (cm = browser.receiveImmediate()) != null) {
                    String dateTime = cm.getStringProperty(PROP_DATE_TIME);
                    result.add(new PendingMessage(cm.getStringProperty(PROP_MESSAGE_ID), cm.getStringProperty(PROP_SENDER),
                            cm.getStringProperty(PROP_CONTENT_TYPE), dateTime == null ? null : Instant.parse(dateTime),
                            cm.getExpiration() == 0 ? null : Instant.ofEpochMilli(cm.getExpiration()),
                            cm.getBodyBuffer().readableBytes()));
                }
            }
        }
        return result;
    }

    /**
     * Deletes every message stored for a recipient, in one broker transaction. Messages that a push holds right
     * now are not touched (they are delivered or returned by that push).
     *
     * @return the number of messages deleted
     */
    public int purge(String recipient) throws ActiveMQException {
        String queue = Recipients.storeQueue(recipient);
        try (ClientSession session = factory.createSession(false, false)) {
            if (!session.queueQuery(SimpleString.of(queue)).isExists()) {
                return 0;
            }
            int purged = 0;
            try (ClientConsumer consumer = session.createConsumer(queue)) {
                session.start();
                ClientMessage cm;
                while ((cm = consumer.receiveImmediate()) != null) {
                    cm.individualAcknowledge();
                    purged++;
                }
            }
            session.commit();
            LOG.info("Purged {} stored message(s) of {}", purged, recipient);
            return purged;
        }
    }

    /**
     * Recipients and messages in the store, from three broker management requests whatever the number of
     * recipients: the broker's total message count less the messages on the service's other queues, and the
     * number of store queues. {@code largest} lists the top {@code top} recipients.
     */
    public Totals totals(int top) throws Exception {
        // pre-acknowledging: a management reply leaves the reply queue as it arrives, uncounted by the next request
        try (ClientSession session = factory.createSession(false, true, true, true)) {
            session.start();
            ClientRequestor requestor = new ClientRequestor(session, ActiveMQDefaultConfiguration.getDefaultManagementAddress());
            try {
                long total = ((Number) manage(requestor, session, m ->
                        ManagementHelper.putAttribute(m, ResourceNames.BROKER, "totalMessageCount"))).longValue();
                for (JsonNode q : listQueues(requestor, session, "NOT_CONTAINS", Integer.MAX_VALUE).path("data")) {
                    total -= q.path("messageCount").asLong();
                }
                JsonNode store = listQueues(requestor, session, "CONTAINS", Math.max(top, 1));
                Map<String, Long> largest = new LinkedHashMap<>();
                for (JsonNode q : store.path("data")) {
                    if (largest.size() < top && q.path("messageCount").asLong() > 0) {
                        largest.put(recipientOfStoreQueue(q.path("name").asText()), q.path("messageCount").asLong());
                    }
                }
                return new Totals(store.path("count").asLong(), Math.max(total, 0), largest);
            } finally {
                requestor.close();
            }
        }
    }

    /** The recipient whose store queue this is: {@link Recipients#storeQueue} read backwards. */
    private static String recipientOfStoreQueue(String queue) {
        String encoded = queue.substring(Recipients.STORE_PREFIX.length());
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '_' && i + 2 < encoded.length()) {
                bytes.write(Integer.parseInt(encoded.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static JsonNode listQueues(ClientRequestor requestor, ClientSession session, String operation, int pageSize)
            throws Exception {
        String options = "{\"field\":\"name\",\"operation\":\"" + operation + "\",\"value\":\"" + Recipients.STORE_PREFIX
                         + "\",\"sortField\":\"messageCount\",\"sortOrder\":\"desc\"}";
        Object json = manage(requestor, session,
                m -> ManagementHelper.putOperationInvocation(m, ResourceNames.BROKER, "listQueues", options, 1, pageSize));
        return new ObjectMapper().readTree(json.toString());
    }

    private interface ManagementRequest {
        void fill(ClientMessage m) throws Exception;
    }

    private static Object manage(ClientRequestor requestor, ClientSession session, ManagementRequest request) throws Exception {
        ClientMessage m = session.createMessage(false);
        request.fill(m);
        ClientMessage reply = requestor.request(m, 10_000);
        if (reply == null) {
            throw new IllegalStateException("the broker did not answer a management request within 10 s");
        }
        if (!ManagementHelper.hasOperationSucceeded(reply)) {
            throw new IllegalStateException("broker management request refused: " + ManagementHelper.getResult(reply)
                                            + " (an external broker must allow this user to manage)");
        }
        return ManagementHelper.getResult(reply);
    }

    private DeferredMessage toDeferredMessage(ClientMessage cm) {
        try {
            byte[] body = new byte[cm.getBodyBuffer().readableBytes()];
            cm.getBodyBuffer().readBytes(body);
            return new DeferredMessage(
                    cm.getStringProperty(PROP_MESSAGE_ID),
                    cm.getStringProperty(PROP_SENDER),
                    cm.getStringProperty(PROP_RECIPIENT),
                    cm.getStringProperty(PROP_CONTENT_TYPE),
                    Instant.parse(cm.getStringProperty(PROP_DATE_TIME)),
                    cm.getStringProperty(PROP_DISPOSITION),
                    body,
                    CpimHeaders.parse(cm.getStringProperty(PROP_CPIM_HEADERS)));
        } catch (RuntimeException e) {
            LOG.warn("Stored message {} on {} is unreadable and is left in the store: {}",
                    cm.getMessageID(), cm.getAddress(), e.toString());
            return null;
        }
    }

    private void ensureQueue(String name, boolean autoCreated) throws ActiveMQException, InterruptedException {
        PooledSession ps = sessions.take();
        try {
            if (!ps.session.queueQuery(SimpleString.of(name)).isExists()) {
                try {
                    ps.session.createQueue(QueueConfiguration.of(name).setRoutingType(RoutingType.ANYCAST)
                            .setDurable(true).setAutoCreated(autoCreated));
                } catch (ActiveMQQueueExistsException raced) {
                    // another instance created it first
                }
            }
        } finally {
            sessions.add(ps);
        }
    }

    private static void createStoreQueue(ClientSession session, String queue) throws ActiveMQException {
        try {
            // auto-created: the broker deletes it again once it has been empty for a while (100k recipients)
            session.createQueue(QueueConfiguration.of(queue).setRoutingType(RoutingType.ANYCAST)
                    .setDurable(true).setAutoCreated(true));
        } catch (ActiveMQQueueExistsException raced) {
            // created by a concurrent intake
        }
    }

    private record PooledSession(ClientSession session, ClientProducer producer) {
    }
}
