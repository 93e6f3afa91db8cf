package org.imdp.broker;

import java.nio.file.Path;
import java.util.List;

import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded ActiveMQ Artemis broker used when {@code imdp.broker.url} is empty: persistent journal
 * in {@code imdp.data-dir}, an in-VM acceptor for this service and a TCP acceptor for the other parts
 * of the IM Server (on {@code imdp.broker.embedded.host}, loopback by default). Security is on: every client logs in,
 * and what it may do depends on its role ({@link BrokerSecurity}). An external broker needs the same address settings
 * and permissions (see docs/operations.md, "External broker").
 */
public final class EmbeddedBroker extends ServiceSupport {

    /** How this process reaches the embedded broker. */
    public static final String IN_VM_URL = "vm://0";

    private static final String DLQ = "DLQ";
    private static final String EXPIRY_QUEUE = "ExpiryQueue";
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

    private final Path dataDir;
    private final String host;
    private final int port;
    private final List<String> queues;
    private final ChargingRedelivery charging;
    private final BrokerSecurity security;
    private final List<String> intakeAddresses;
    private EmbeddedActiveMQ server;

    /**
     * How the broker delivers a charging event again after the charging route rolled it back (a failure for now):
     * after {@code delayMillis}, doubling on each delivery up to {@code maxDelayMillis}, for ever (the route itself
     * parks an event after {@code imdp.ch1.max-redeliveries}, with the reason). The event waits on the queue meanwhile
     * and the consumer takes the events behind it, so one event that keeps failing never holds back the others.
     *
     * @param queue {@code imdp.queue.charging}
     * @param delayMillis {@code imdp.ch1.redelivery-delay}
     * @param maxDelayMillis {@code imdp.ch1.max-redelivery-delay}
     */
    public record ChargingRedelivery(String queue, long delayMillis, long maxDelayMillis) {
    }

    /**
     * @param queues   the service's durable anycast queues, created at start so that nothing sent to them before their
     *                 consumer exists is dropped
     * @param charging the redelivery of charging events
     * @param security who may log in, and their roles
     * @param intakeAddresses where the other IM Server parts may send ({@link BrokerSecurity#INTAKE_ROLE})
     */
    public EmbeddedBroker(Path dataDir, String host, int port, List<String> queues, ChargingRedelivery charging,
                          BrokerSecurity security, List<String> intakeAddresses) {
        this.dataDir = dataDir;
        this.host = host;
        this.port = port;
        this.queues = List.copyOf(queues);
        this.charging = charging;
        this.security = security;
        this.intakeAddresses = List.copyOf(intakeAddresses);
    }

    /** The address settings the service relies on, for the embedded broker and as documentation. */
    public static void addAddressSettings(Configuration config, ChargingRedelivery charging) {
        // as a stock Artemis broker.xml: every queue has somewhere to put dead and expired messages
        config.addAddressSetting("#", new AddressSettings()
                .setDeadLetterAddress(SimpleString.of(DLQ))
                .setExpiryAddress(SimpleString.of(EXPIRY_QUEUE)));
        config.addAddressSetting(charging.queue(), new AddressSettings()
                .setDeadLetterAddress(SimpleString.of(DLQ))
                .setExpiryAddress(SimpleString.of(EXPIRY_QUEUE))
                .setMaxDeliveryAttempts(-1)
                .setRedeliveryDelay(charging.delayMillis())
                .setRedeliveryMultiplier(2)
                .setMaxRedeliveryDelay(charging.maxDelayMillis()));
    }

    @Override
    protected void doStart() throws Exception {
        Configuration config = new ConfigurationImpl()
                .setName("imdp-embedded")
                .setPersistenceEnabled(true)
                .setJournalType(JournalType.NIO)
                .setJournalDirectory(dataDir.resolve("journal").toString())
                .setBindingsDirectory(dataDir.resolve("bindings").toString())
                .setLargeMessagesDirectory(dataDir.resolve("large-messages").toString())
                .setPagingDirectory(dataDir.resolve("paging").toString())
                .setNodeManagerLockDirectory(dataDir.toString())
                .setSecurityEnabled(true)
                .setJMXManagementEnabled(true)
                .addAcceptorConfiguration("in-vm", IN_VM_URL)
                .addAcceptorConfiguration("tcp", "tcp://" + host + ":" + port);
        addAddressSettings(config, charging);
        BrokerSecurity.addSecuritySettings(config, intakeAddresses);
        for (String dead : List.of(DLQ, EXPIRY_QUEUE)) {
            config.addQueueConfiguration(QueueConfiguration.of(dead).setRoutingType(RoutingType.ANYCAST));
        }
        for (String q : queues) {
            config.addQueueConfiguration(QueueConfiguration.of(q).setRoutingType(RoutingType.ANYCAST));
        }
        server = new EmbeddedActiveMQ().setConfiguration(config).setSecurityManager(security.securityManager());
        server.start();
        LOG.info("Embedded Artemis broker started: journal in {}, acceptor tcp://{}:{}{}", dataDir.toAbsolutePath(), host,
                port, security.remoteClientsCanLogIn() ? ""
                        : " (no client can log in there while imdp.broker.password is empty)");
    }

    @Override
    protected void doStop() throws Exception {
        if (server != null) {
            server.stop();
            server = null;
            LOG.info("Embedded Artemis broker stopped");
        }
    }
}
