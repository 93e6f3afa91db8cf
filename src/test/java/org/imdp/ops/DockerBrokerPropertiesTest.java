package org.imdp.ops;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.imdp.broker.EmbeddedBroker;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker/artemis/broker.properties, parsed by Artemis' own broker-properties parser, gives the external broker of
 * docker/compose.yaml the same address settings as the embedded broker has built in.
 */
class DockerBrokerPropertiesTest {

    @Test
    void the_compose_broker_gets_the_embedded_brokers_address_settings() throws Exception {
        // the embedded broker as the service configures it from its defaults
        Properties defaults = new Properties();
        try (Reader config = Files.newBufferedReader(Path.of("config", "application.properties"))) {
            defaults.load(config);
        }
        ConfigurationImpl embedded = new ConfigurationImpl();
        EmbeddedBroker.addAddressSettings(embedded, new EmbeddedBroker.ChargingRedelivery(
                defaults.getProperty("imdp.queue.charging").trim(),
                Long.parseLong(defaults.getProperty("imdp.ch1.redelivery-delay").trim()),
                Long.parseLong(defaults.getProperty("imdp.ch1.max-redelivery-delay").trim())));
        ConfigurationImpl docker = new ConfigurationImpl();
        docker.parseProperties(Path.of("docker", "artemis", "broker.properties").toString());

        assertThat(new ObjectMapper().readTree(docker.getStatus()).path("properties").path("broker.properties")
                .path("errors").isEmpty()).as(docker.getStatus()).isTrue();
        for (String match : List.of("im.charging")) {
            AddressSettings expected = embedded.getAddressSettings().get(match);
            AddressSettings actual = docker.getAddressSettings().get(match);
            assertThat(actual).as(match).isNotNull();
            assertThat(actual.toJSON()).as(match).isEqualTo(expected.toJSON());
        }
        assertThat(docker.getAddressConfigurations()).extracting(c -> c.getName())
                .contains(defaults.getProperty("imdp.queue.expired").trim(), defaults.getProperty("imdp.queue.refused").trim());
    }
}
