package org.imdp;

import java.time.Duration;

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
