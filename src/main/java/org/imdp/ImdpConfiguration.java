package org.imdp;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.support.service.ServiceSupport;
import org.imdp.broker.BrokerConnectionLog;
import org.imdp.broker.BrokerSecurity;
import org.imdp.broker.EmbeddedBroker;
import org.imdp.charging.ChargingDeliveries;
import org.imdp.charging.ChargingEvent;
import org.imdp.charging.ChargingRecords;
import org.imdp.imdn.DeliveryNotifications;
import org.imdp.intake.IntakeMessages;
import org.imdp.push.PushRetryPolicy;
import org.imdp.ops.BrokerQueues;
import org.imdp.ops.Operations;
import org.imdp.registration.Registrations;
import org.imdp.sipmsrp.sip.SipTcpLimits;
import org.imdp.store.DeferredStore;
import org.imdp.store.PushRequests;
import org.imdp.store.StoreCapacity;
import org.imdp.store.StoreDatabase;
import org.imdp.trust.SipTrust;
import org.imdp.tls.TlsKeys;
import org.messaginghub.pooled.jms.JmsPoolConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the service's beans from the {@code imdp.*} keys: the broker (embedded unless
 * {@code imdp.broker.url} is set), the JMS connection factory the routes use, the deferred store and its database
 * (embedded SQLite unless {@code imdp.store.url} is set) with its push requests and registrations, and the intake. Services are stopped in reverse order, after the routes.
 */
@Configuration
public class ImdpConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(ImdpConfiguration.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        ImdpSettings settings = new ImdpSettings(context.getPropertiesComponent());
        Clock clock = Clock.systemUTC();
        // read by the sipmsrp component (config/application.properties): checked here so that a bad value stops the
        // start naming the key, before anything listens
        settings.positiveInt("imdp.sip.port", 65535);
        settings.integer("imdp.msrp.port", 0, 65535);
        settings.positiveInt("imdp.sip.workers", 1000);
        settings.integer("imdp.sip.worker-queue", 0, 1_000_000);
        settings.duration("imdp.sip.overload-retry-after");
        SipTrust.install(context, settings);
        settings.integer("imdp.sip.tls-port", 0, 65535);
        settings.bool("imdp.ch1.tls");
        settings.bool("imdp.msrp.tls");
        // the keys every TLS connection uses (ch1 with tls=true, ...): Camel's global TLS parameters
        TlsKeys tls = TlsKeys.from(settings);
        if (tls.configured()) {
            context.setSSLContextParameters(tls.parameters());
        }
        settings.positiveInt("imdp.sip.max-connections", 1_000_000);
        settings.duration("imdp.sip.idle-timeout");
        int sipMaxMessageSize = settings.integer("imdp.sip.max-message-size", SipTcpLimits.MIN_MESSAGE_SIZE,
                Integer.MAX_VALUE);
        int maxBody = settings.positiveInt("imdp.store.max-message-size", 64 * 1024 * 1024);
        if (sipMaxMessageSize <= maxBody) {
            // a store limit raised for large messages from the JMS intake is fine: only SIP's 413 is lost
            LOG.warn("imdp.sip.max-message-size = {} is not larger than imdp.store.max-message-size = {}: a SIP MESSAGE "
                     + "between the two closes its TCP connection instead of getting 413", sipMaxMessageSize, maxBody);
        }
        settings.positiveInt("imdp.msrp.max-unbound-connections", 1_000_000);
        settings.positiveInt("imdp.msrp.unbound-max-bytes", Integer.MAX_VALUE);

        String brokerUrl = settings.brokerUrl();
        BrokerSecurity.Credentials brokerLogin;
        if (brokerUrl.isEmpty()) {
            BrokerSecurity security = BrokerSecurity.embedded(settings.string("imdp.broker.embedded.host"),
                    settings.string("imdp.broker.user"), settings.string("imdp.broker.password"),
                    settings.string("imdp.broker.intake-user"), settings.string("imdp.broker.intake-password"));
            EmbeddedBroker broker = new EmbeddedBroker(settings.dataDir().resolve("artemis"),
                    settings.string("imdp.broker.embedded.host"), settings.positiveInt("imdp.broker.embedded.port", 65535),
                    List.of(settings.string("imdp.queue.intake"), settings.string("imdp.queue.availability"),
                            settings.string("imdp.queue.charging"),
                            settings.string("imdp.queue.imdn-dlq"), settings.string("imdp.queue.expired"),
                            settings.string("imdp.queue.refused")),
                    new EmbeddedBroker.ChargingRedelivery(settings.string("imdp.queue.charging"),
                            settings.positiveInt("imdp.ch1.redelivery-delay", Integer.MAX_VALUE),
                            settings.positiveInt("imdp.ch1.max-redelivery-delay", Integer.MAX_VALUE)),
                    security, List.of(settings.string("imdp.queue.intake"), settings.string("imdp.queue.availability"),
                            settings.string("imdp.queue.refused")));
            context.addService(broker, true, true);
            brokerUrl = EmbeddedBroker.IN_VM_URL;
            brokerLogin = security.service();
        } else {
            // an external broker: the service's user there, or no credentials while the password is empty
            String password = settings.string("imdp.broker.password");
            brokerLogin = password.isEmpty() ? new BrokerSecurity.Credentials(null, null)
                    : new BrokerSecurity.Credentials(settings.string("imdp.broker.user"), password);
        }

        JmsPoolConnectionFactory jms = new JmsPoolConnectionFactory();
        jms.setConnectionFactory(new ActiveMQConnectionFactory(brokerUrl, brokerLogin.user(), brokerLogin.password()));
        jms.setMaxConnections(4);
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                jms.stop();
            }
        }, true, true);
        // camel-jms autowires the single ConnectionFactory of the registry
        context.getRegistry().bind("jmsConnectionFactory", jms);
        // one WARN when the broker goes away and one INFO when it is back, instead of an ERROR per consumer and retry
        JmsComponent jmsComponent = context.getComponent("jms", JmsComponent.class);
        BrokerConnectionLog brokerConnectionLog = new BrokerConnectionLog(
                new ActiveMQConnectionFactory(brokerUrl, brokerLogin.user(), brokerLogin.password()),
                Duration.ofMillis(jmsComponent.getConfiguration().getRecoveryInterval()),
                context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "BrokerConnectionLog"), clock);
        context.addService(brokerConnectionLog, true, true);
        jmsComponent.setExceptionListener(brokerConnectionLog);

        BrokerQueues queues = new BrokerQueues(brokerUrl, brokerLogin);
        context.addService(queues, true, true);

        StoreDatabase database = new StoreDatabase(settings.string("imdp.store.url"), settings.string("imdp.store.user"),
                settings.string("imdp.store.password"), settings.dataDir(), settings.positiveInt("imdp.store.pool-size", 1000));
        context.addService(database, true, true);
        StoreCapacity capacity = new StoreCapacity(database, settings.positiveLong("imdp.store.max-messages", Long.MAX_VALUE),
                settings.positiveLong("imdp.store.max-bytes", Long.MAX_VALUE),
                settings.positiveLong("imdp.store.max-recipients", Long.MAX_VALUE));
        DeferredStore store = new DeferredStore(database, settings.duration("imdp.store.expiry"),
                settings.positiveInt("imdp.store.max-per-recipient", 1_000_000),
                settings.positiveInt("imdp.store.max-message-size", 64 * 1024 * 1024),
                settings.positiveInt("imdp.push.max-message-failures", 1000), clock, capacity);
        context.addService(store, true, true);
        context.getRegistry().bind("deferredStore", store);
        ChargingRecords chargingRecords = new ChargingRecords(store, chargingGrace(settings), clock);
        context.getRegistry().bind("chargingRecords", chargingRecords);
        PushRequests pushRequests = new PushRequests(store, clock);
        context.getRegistry().bind("pushRequests", pushRequests);
        // read by routes: checked here so that a bad value stops the start
        settings.positiveInt("imdp.push.max-session-bytes", Integer.MAX_VALUE);
        settings.duration("imdp.store.scan-period");
        settings.integer("imdp.ch1.max-redeliveries", -1, Integer.MAX_VALUE);
        Registrations registrations = new Registrations(store, clock, settings.bool("imdp.sip.require-im-feature-tag"),
                settings.positiveInt("imdp.registration.max-entries", Integer.MAX_VALUE),
                settings.duration("imdp.store.scan-period"));
        context.getRegistry().bind("registrations", registrations);
        context.getRegistry().bind("pushRetryPolicy", new PushRetryPolicy(settings.duration("imdp.push.retry-delay"),
                settings.positiveInt("imdp.push.max-retries", 100), clock));
        context.getRegistry().bind("intake", new IntakeMessages(clock));
        context.getRegistry().bind("deliveryNotifications",
                new DeliveryNotifications(settings.string("imdp.sip.server-uri"), clock));
        // chargingJson, and ch1 taking the ChargingEvent as its own AccountingEvent
        // an event that failed here is known to wait until no redelivery of it came for twice the longest delay
        ChargingDeliveries chargingDeliveries = new ChargingDeliveries(clock,
                Duration.ofMillis(settings.positiveInt("imdp.ch1.max-redelivery-delay", Integer.MAX_VALUE))
                        .plus(chargingGrace(settings)).multipliedBy(2));
        ChargingEvent.register(context, chargingDeliveries);
        Operations.install(context, settings, store, chargingRecords, chargingDeliveries, queues, registrations, capacity,
                pushRequests);
    }

    /**
     * How long a push's charging record is left to the push itself, which sends the ACR right after the settle: longer
     * than that ACR can take (one request timeout per peer it may fail over to), so the relay never sends it a second
     * time while the first is still waiting for its answer.
     */
    private static Duration chargingGrace(ImdpSettings settings) {
        int peers = settings.string("imdp.ch1.peers").split(",").length;
        return settings.duration("imdp.ch1.request-timeout").multipliedBy(peers + 1L);
    }
}
