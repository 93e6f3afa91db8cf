package org.imdp;

import java.time.Clock;
import java.util.List;

import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.support.service.ServiceSupport;
import org.imdp.broker.EmbeddedBroker;
import org.imdp.charging.ChargingEvent;
import org.imdp.imdn.DeliveryNotifications;
import org.imdp.intake.IntakeMessages;
import org.imdp.push.PushRetryPolicy;
import org.imdp.ops.Operations;
import org.imdp.registration.Registrations;
import org.imdp.store.DeferredStore;
import org.messaginghub.pooled.jms.JmsPoolConnectionFactory;

/**
 * Wires the service's beans from the {@code imdp.*} keys: the broker (embedded unless
 * {@code imdp.broker.url} is set), the JMS connection factory the routes use, the deferred store, the
 * registration table and the intake. Services are stopped in reverse order, after the routes.
 */
@Configuration
public class ImdpConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        ImdpSettings settings = new ImdpSettings(context.getPropertiesComponent());
        Clock clock = Clock.systemUTC();

        String brokerUrl = settings.brokerUrl();
        if (brokerUrl.isEmpty()) {
            EmbeddedBroker broker = new EmbeddedBroker(settings.dataDir().resolve("artemis"),
                    settings.string("imdp.sip.host"), settings.positiveInt("imdp.broker.embedded.port", 65535),
                    List.of(settings.string("imdp.queue.intake"), settings.string("imdp.queue.availability"),
                            settings.string("imdp.queue.push"), settings.string("imdp.queue.charging"),
                            settings.string("imdp.queue.imdn-dlq")),
                    settings.duration("imdp.broker.expiry-scan-period"));
            context.addService(broker, true, true);
            brokerUrl = EmbeddedBroker.IN_VM_URL;
        }

        JmsPoolConnectionFactory jms = new JmsPoolConnectionFactory();
        jms.setConnectionFactory(new ActiveMQConnectionFactory(brokerUrl));
        jms.setMaxConnections(4);
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                jms.stop();
            }
        }, true, true);
        // camel-jms autowires the single ConnectionFactory of the registry
        context.getRegistry().bind("jmsConnectionFactory", jms);

        DeferredStore store = new DeferredStore(brokerUrl, settings.duration("imdp.store.expiry"),
                settings.positiveInt("imdp.store.max-per-recipient", 1_000_000),
                settings.positiveInt("imdp.store.max-message-size", 64 * 1024 * 1024),
                settings.string("imdp.queue.charging"), clock);
        context.addService(store, true, true);
        context.getRegistry().bind("deferredStore", store);
        // read by routes/push.xml: checked here so that a bad value stops the start
        settings.positiveInt("imdp.push.max-session-bytes", Integer.MAX_VALUE);
        Registrations registrations = new Registrations(clock, settings.bool("imdp.sip.require-im-feature-tag"));
        context.getRegistry().bind("registrations", registrations);
        context.getRegistry().bind("pushRetryPolicy", new PushRetryPolicy(settings.duration("imdp.push.retry-delay"),
                settings.positiveInt("imdp.push.max-retries", 100), clock));
        context.getRegistry().bind("intake", new IntakeMessages(clock));
        context.getRegistry().bind("deliveryNotifications",
                new DeliveryNotifications(settings.string("imdp.sip.server-uri"), clock));
        context.getRegistry().bind("chargingJson", ChargingEvent.jsonFormat());
        Operations.install(context, settings, store, registrations);
    }
}
