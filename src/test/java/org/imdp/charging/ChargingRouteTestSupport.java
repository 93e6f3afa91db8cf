package org.imdp.charging;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import org.apache.camel.CamelContext;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.imdp.broker.EmbeddedBroker;
import org.imdp.test.BrokerClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * routes/charging.xml as the service runs it: config/application.properties, the service's embedded Artemis
 * broker (persistent journal, its address settings) and im.charging in JSON. Subclasses point imdp.ch1.* at
 * their Charging Enabler.
 */
abstract class ChargingRouteTestSupport extends CamelTestSupport {

    private static final String CHARGING = "im.charging";

    @TempDir
    static Path journal;

    final ObjectMapper json = ChargingEvent.jsonMapper();
    private final BrokerClient client = new BrokerClient();
    private EmbeddedBroker broker;

    /** Override properties for the route, at least {@code imdp.ch1.peers}. */
    abstract Properties ch1Properties();

    @Override
    protected CamelContext createCamelContext() throws Exception {
        // the service pre-creates its queues, im.charging among them; the DLQ is created when first used
        broker = new EmbeddedBroker(Files.createTempDirectory(journal, "artemis"), "127.0.0.1",
                AvailablePortFinder.getNextAvailable(), List.of(CHARGING));
        broker.start();
        CamelContext context = super.createCamelContext();
        context.addComponent("jms", JmsComponent.jmsComponent(client.connectionFactory()));
        context.getRegistry().bind("chargingJson", ChargingEvent.jsonFormat());
        context.getPropertiesComponent().setLocation("file:config/application.properties");
        context.getPropertiesComponent().setOverrideProperties(ch1Properties());
        return context;
    }

    @Override
    protected void doPostSetup() throws Exception {
        PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.resolveMandatoryResource(context, "file:routes/charging.xml"));
    }

    @AfterEach
    void stopRouteAndBroker() {
        context.stop();
        client.close();
        broker.stop();
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
