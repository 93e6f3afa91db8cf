package org.imdp.ops;

import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.apache.camel.support.service.ServiceSupport;
import org.imdp.broker.BrokerSecurity;

/**
 * The message counts of the service's queues (charging, dead letters, expired), read from the broker with the Artemis
 * core client: one round trip per queue, on the embedded broker and an external one alike.
 */
public final class BrokerQueues extends ServiceSupport {

    private final String brokerUrl;
    private final BrokerSecurity.Credentials login;
    private ServerLocator locator;
    private ClientSessionFactory factory;
    private ClientSession session;

    /** @param login the service's user on the broker ({@code null}s: without credentials) */
    public BrokerQueues(String brokerUrl, BrokerSecurity.Credentials login) {
        this.brokerUrl = brokerUrl;
        this.login = login;
    }

    /** Messages on a queue, 0 when the queue does not exist. */
    public synchronized long messageCount(String queue) throws Exception {
        if (session == null) {
            throw new IllegalStateException("not started");
        }
        ClientSession.QueueQuery q = session.queueQuery(SimpleString.of(queue));
        return q.isExists() ? q.getMessageCount() : 0;
    }

    @Override
    protected void doStart() throws Exception {
        locator = ActiveMQClient.createServerLocator(brokerUrl).setReconnectAttempts(-1);
        factory = locator.createSessionFactory();
        session = factory.createSession(login.user(), login.password(), false, true, true, false,
                ActiveMQClient.DEFAULT_ACK_BATCH_SIZE);
    }

    @Override
    protected synchronized void doStop() throws Exception {
        if (session != null) {
            session.close();
            session = null;
        }
        if (factory != null) {
            factory.close();
        }
        if (locator != null) {
            locator.close();
        }
    }
}
