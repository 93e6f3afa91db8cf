package org.imdp.charging;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.imdp.ch1.AccountingRequestFactory;
import org.imdp.ch1.Ch1Configuration;
import org.imdp.ch1.support.ChargingEvents;
import org.imdp.ch1.support.EmbeddedBroker;
import org.imdp.ch1.support.FreeDiameterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** routes/charging.xml end to end: embedded Artemis, the ch1 component and freeDiameter as the Charging Enabler. */
class Ch1ChargingRouteIT extends CamelTestSupport {

    @RegisterExtension
    static final FreeDiameterExtension CDF = new FreeDiameterExtension("ch1-route-it", "ocs.localdomain");
    @TempDir
    static Path journal;

    private final ObjectMapper json = ChargingEvent.jsonMapper();
    private final AccountingRequestFactory acr = new AccountingRequestFactory(new Ch1Configuration());
    private EmbeddedBroker broker;

    @Override
    protected CamelContext createCamelContext() throws Exception {
        broker = new EmbeddedBroker(Files.createTempDirectory(journal, "artemis"));
        CamelContext context = super.createCamelContext();
        context.addComponent("jms", JmsComponent.jmsComponent(broker.connectionFactory()));
        context.getRegistry().bind("chargingJson", ChargingEvent.jsonFormat());
        context.getPropertiesComponent().setLocation("file:config/application.properties");
        Properties props = new Properties();
        props.put("imdp.ch1.peers", "127.0.0.1:" + CDF.server().port());
        props.put("imdp.ch1.request-timeout", "2s");
        props.put("imdp.ch1.redelivery-delay", "200");
        props.put("imdp.ch1.max-redelivery-delay", "1000");
        props.put("imdp.ch1.reconnect-delay-min", "200ms");
        props.put("imdp.ch1.reconnect-delay-max", "1s");
        context.getPropertiesComponent().setOverrideProperties(props);
        return context;
    }

    @Override
    protected void doPostSetup() throws Exception {
        PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.resolveMandatoryResource(context, "file:routes/charging.xml"));
    }

    @AfterEach
    void stopBroker() throws Exception {
        context.stop();
        broker.close();
    }

    @Test
    void one_push_one_acr_answered_2001_then_the_event_is_gone() throws Exception {
        ChargingEvent event = ChargingEvents.push("route-one");
        broker.send("im.charging", json.writeValueAsString(event));

        await().atMost(20, TimeUnit.SECONDS).until(() -> broker.messages("im.charging") == 0);
        assertThat(CDF.server().count("\"" + acr.sessionId(event) + "\"")).isEqualTo(2);
        assertThat(broker.messages("im.charging.dlq")).isZero();
        assertThat(CDF.server().log()).doesNotContain("DIAMETER_AVP_UNSUPPORTED");
    }

    @Test
    void with_the_charging_enabler_stopped_during_pushes_every_record_arrives_once_when_it_is_started() throws Exception {
        List<ChargingEvent> events = new ArrayList<>();
        CDF.server().stop();
        try {
            for (int i = 0; i < 5; i++) {
                ChargingEvent event = ChargingEvents.push("outage-route-" + i);
                events.add(event);
                broker.send("im.charging", json.writeValueAsString(event));
            }
            // they wait durably while nobody answers
            await().during(3, TimeUnit.SECONDS).atMost(5, TimeUnit.SECONDS).until(() -> broker.messages("im.charging") == 5);
        } finally {
            CDF.server().start();
        }

        await().atMost(60, TimeUnit.SECONDS).until(() -> broker.messages("im.charging") == 0);
        for (ChargingEvent event : events) {
            // one ACR received and one ACA sent per record, nothing twice
            assertThat(CDF.server().count("\"" + acr.sessionId(event) + "\"")).as(event.eventId()).isEqualTo(2);
        }
        assertThat(broker.messages("im.charging.dlq")).isZero();
    }
}
