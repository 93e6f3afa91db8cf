package org.imdp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

import org.apache.camel.impl.DefaultCamelContext;

import org.imdp.test.TestSettings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImdpSettingsTest {

    @Test
    void reads_durations_numbers_and_strings() {
        ImdpSettings s = TestSettings.of("imdp.store.expiry", "72h", "imdp.store.max-per-recipient", "1000",
                "imdp.broker.url", "");
        assertThat(s.duration("imdp.store.expiry")).isEqualTo(Duration.ofHours(72));
        assertThat(s.positiveInt("imdp.store.max-per-recipient", 10_000)).isEqualTo(1000);
        assertThat(s.brokerUrl()).isEmpty();
    }

    @Test
    void a_misspelt_key_stops_the_start_and_is_named() {
        assertThatThrownBy(() -> TestSettings.of("imdp.store.expiry", "72h", "imdp.store.max-per-recipeint", "5"))
                .hasMessageContaining("imdp.store.max-per-recipeint").hasMessageContaining("docs/configuration.md");
    }

    @Test
    void an_unknown_key_given_with_minus_d_or_in_the_environment_stops_the_start_and_is_named() {
        DefaultCamelContext context = new DefaultCamelContext();
        Properties system = new Properties();
        system.setProperty("imdp.sip.prot", "5060");
        system.setProperty("imdp.sip.port", "5060");
        system.setProperty("java.version", "17");
        assertThatThrownBy(() -> new ImdpSettings(context.getPropertiesComponent(), system,
                Map.of("IMDP_STORE_EXPIRY", "1h", "IMDP_STORE_EXPIRE", "1h", "PATH", "/bin")))
                .hasMessageContaining("-Dimdp.sip.prot").hasMessageContaining("environment variable IMDP_STORE_EXPIRE")
                .hasMessageNotContaining("imdp.sip.port").hasMessageNotContaining("IMDP_STORE_EXPIRY");
    }

    @Test
    void every_key_has_its_own_environment_variable_and_the_environment_sets_it() throws Exception {
        // the service's keys and those of its configuration file (Camel's included): one name each, none shared
        Properties file = new Properties();
        try (var reader = Files.newBufferedReader(Path.of("config", "application.properties"))) {
            file.load(reader);
        }
        Set<String> keys = new TreeSet<>(ImdpSettings.KEYS);
        keys.addAll(file.stringPropertyNames());
        Map<String, String> byName = new HashMap<>();
        for (String key : keys) {
            assertThat(byName.put(ImdpSettings.environmentName(key), key)).as("environment name of " + key).isNull();
        }
        assertThat(keys).contains("camel.management.port", "imdp.sip.port");
        assertThat(ImdpSettings.environmentName("camel.management.port")).isEqualTo("CAMEL_MANAGEMENT_PORT");
        assertThat(ImdpSettings.environmentName("imdp.store.max-per-recipient")).isEqualTo("IMDP_STORE_MAX_PER_RECIPIENT");

        Map<String, String> environment = new HashMap<>();
        byName.keySet().forEach(name -> environment.put(name, "value of " + name));
        environment.put("HOME", "/root");
        Map<String, String> set = ImdpSettings.fromEnvironment(keys, environment);
        assertThat(set.keySet()).isEqualTo(keys);
        keys.forEach(k -> assertThat(set.get(k)).isEqualTo("value of " + ImdpSettings.environmentName(k)));
    }

    @Test
    void malformed_or_missing_values_are_named() {
        assertThatThrownBy(() -> TestSettings.of("imdp.store.expiry", "three days").duration("imdp.store.expiry"))
                .hasMessageContaining("imdp.store.expiry = three days is not a duration");
        assertThatThrownBy(() -> TestSettings.of("imdp.sip.port", "50x60").positiveInt("imdp.sip.port", 65535))
                .hasMessageContaining("imdp.sip.port = 50x60 is not a number");
        assertThatThrownBy(() -> TestSettings.of("imdp.sip.port", "70000").positiveInt("imdp.sip.port", 65535))
                .hasMessageContaining("between 1 and 65535");
        assertThatThrownBy(() -> TestSettings.of("imdp.push.max-session-bytes", "0")
                .positiveInt("imdp.push.max-session-bytes", Integer.MAX_VALUE))
                .hasMessageContaining("imdp.push.max-session-bytes = 0 must be between 1");
        assertThatThrownBy(() -> TestSettings.of().string("imdp.data-dir"))
                .hasMessageContaining("imdp.data-dir is not set");
        assertThatThrownBy(() -> TestSettings.of("imdp.ch1.max-redeliveries", "-2").integer("imdp.ch1.max-redeliveries", -1, 10))
                .hasMessageContaining("imdp.ch1.max-redeliveries = -2 must be between -1 and 10");
    }

    @Test
    void a_count_of_octets_may_pass_2_to_the_31() {
        assertThat(TestSettings.of("imdp.store.max-bytes", "4294967296").positiveLong("imdp.store.max-bytes", Long.MAX_VALUE))
                .isEqualTo(4_294_967_296L);
        assertThatThrownBy(() -> TestSettings.of("imdp.store.max-bytes", "0").positiveLong("imdp.store.max-bytes", Long.MAX_VALUE))
                .hasMessageContaining("imdp.store.max-bytes = 0 must be between 1");
        assertThatThrownBy(() -> TestSettings.of("imdp.store.max-bytes", "4G").positiveLong("imdp.store.max-bytes", Long.MAX_VALUE))
                .hasMessageContaining("imdp.store.max-bytes = 4G is not a number");
    }

    @Test
    void an_integer_may_have_a_lower_bound_below_1() {
        assertThat(TestSettings.of("imdp.ch1.max-redeliveries", "-1").integer("imdp.ch1.max-redeliveries", -1, 10)).isEqualTo(-1);
        assertThat(TestSettings.of("imdp.msrp.port", "0").integer("imdp.msrp.port", 0, 65535)).isZero();
    }
}
