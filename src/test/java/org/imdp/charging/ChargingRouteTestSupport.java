package org.imdp.charging;

import org.imdp.test.TestPorts;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import org.apache.camel.CamelContext;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.imdp.broker.BrokerSecurity;
import org.imdp.broker.EmbeddedBroker;
import org.imdp.store.DeferredStore;
import org.imdp.store.PushBatches;
import org.imdp.store.StoreDatabase;
import org.imdp.test.BrokerClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * routes/charging.xml as the service runs it: config/application.properties, the service's embedded Artemis
 * broker (persistent journal, its address settings), im.charging in JSON, and the deferred store on its embedded
 * SQLite database, where pushes write their charging records. Subclasses point imdp.ch1.* at their Charging Enabler.
 */
abstract class ChargingRouteTestSupport extends CamelTestSupport {

    private static final String CHARGING = "im.charging";
    /**
     * How long a push's record is left to the push before the relay takes it: longer than the push's own ACR can
     * take on a loaded machine, so that the relay's copy never overtakes it.
     */
    static final Duration CHARGING_GRACE = Duration.ofSeconds(2);

    @TempDir
    static Path journal;

    final ObjectMapper json = ChargingEvent.jsonMapper();
    private final BrokerClient client = new BrokerClient(EmbeddedBroker.IN_VM_URL);
    private EmbeddedBroker broker;
    private StoreDatabase database;
    DeferredStore store;
    ChargingRecords records;

    /** Override properties for the route, at least {@code imdp.ch1.peers}. */
    abstract Properties ch1Properties();

    @Override
    protected CamelContext createCamelContext() throws Exception {
        Properties overrides = ch1Properties();
        Properties settings = new Properties();
        try (Reader config = Files.newBufferedReader(Path.of("config", "application.properties"))) {
            settings.load(config);
        }
        settings.putAll(overrides);
        // the service pre-creates its queues, im.charging among them, with its redelivery; the DLQ is created when first used
        broker = new EmbeddedBroker(Files.createTempDirectory(journal, "artemis"), "127.0.0.1",
                TestPorts.next(), List.of(CHARGING), new EmbeddedBroker.ChargingRedelivery(CHARGING,
                        Long.parseLong(settings.getProperty("imdp.ch1.redelivery-delay").trim()),
                        Long.parseLong(settings.getProperty("imdp.ch1.max-redelivery-delay").trim())),
                BrokerSecurity.embedded("127.0.0.1", BrokerClient.SERVICE_USER, BrokerClient.SERVICE_PASSWORD, "intake", ""),
                List.of());
        broker.start();
        database = new StoreDatabase("", "", "", Files.createTempDirectory(journal, "store"), 2);
        database.start();
        store = new DeferredStore(database, Duration.ofHours(72), 100, 1000, 3, Clock.systemUTC());
        store.start();
        CamelContext context = super.createCamelContext();
        records = new ChargingRecords(store, CHARGING_GRACE, Clock.systemUTC());
        context.getRegistry().bind("deferredStore", store);
        context.getRegistry().bind("chargingRecords", records);
        context.addComponent("jms", JmsComponent.jmsComponent(client.connectionFactory()));
        ChargingEvent.register(context, new ChargingDeliveries(java.time.Clock.systemUTC(), java.time.Duration.ofMinutes(10)));
        context.getPropertiesComponent().setLocation("file:config/application.properties");
        // the relay looks for records whose grace is over this often
        overrides.putIfAbsent("imdp.store.scan-period", "100ms");
        context.getPropertiesComponent().setOverrideProperties(overrides);
        return context;
    }

    @Override
    protected void doPostSetup() throws Exception {
        // the shared error handling first: the CH-1 step is a sub-route that leaves failures to its caller
        PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.resolveMandatoryResource(context, "file:routes/errors.xml"),
                ResourceHelper.resolveMandatoryResource(context, "file:routes/charging.xml"));
    }

    @AfterEach
    void stopRouteAndBroker() {
        context.stop();
        client.close();
        broker.stop();
        store.stop();
        database.stop();
    }

    /** A push's charging record, as its settle writes it: the relay takes it {@link #CHARGING_GRACE} later. */
    void record(ChargingEvent event) throws Exception {
        store.settle(PushBatches.none(event.recipient()), List.of(), java.util.Map.of(), null,
                records.outbox(event.eventId(), json.writeValueAsString(event)));
    }

    void publish(ChargingEvent event) throws Exception {
        publish(json.writeValueAsString(event));
    }

    void publish(String text) throws JMSException {
        client.send(CHARGING, text);
    }

    long messages(String queue) throws Exception {
        return client.messages(queue);
    }

    Message receive(String queue) throws JMSException {
        return client.receive(queue);
    }
}
