package org.imdp.charging;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.imdp.ch1.AccountingRequestFactory;
import org.imdp.ch1.Ch1Configuration;
import org.imdp.ch1.support.FreeDiameterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** routes/charging.xml end to end: embedded Artemis, the ch1 component and freeDiameter as the Charging Enabler. */
class Ch1ChargingRouteIT extends ChargingRouteTestSupport {

    @RegisterExtension
    static final FreeDiameterExtension CDF = new FreeDiameterExtension("ch1-route-it", "ocs.localdomain");

    private final AccountingRequestFactory acr = new AccountingRequestFactory(new Ch1Configuration());

    @Override
    Properties ch1Properties() {
        Properties props = new Properties();
        props.put("imdp.ch1.peers", "127.0.0.1:" + CDF.server().port());
        props.put("imdp.ch1.request-timeout", "2s");
        props.put("imdp.ch1.redelivery-delay", "200");
        props.put("imdp.ch1.max-redelivery-delay", "1000");
        props.put("imdp.ch1.reconnect-delay-min", "200ms");
        props.put("imdp.ch1.reconnect-delay-max", "1s");
        return props;
    }

    @Test
    void one_push_one_acr_answered_2001_then_the_event_is_gone() throws Exception {
        ChargingEvent event = ChargingEvents.push("route-one");
        publish(event);

        await().atMost(20, TimeUnit.SECONDS).until(() -> messages("im.charging") == 0);
        assertThat(CDF.server().count("\"" + acr.sessionId(event.toAccountingEvent()) + "\"")).isEqualTo(2);
        assertThat(messages("im.charging.dlq")).isZero();
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
                publish(event);
            }
            // they wait durably while nobody answers
            await().during(3, TimeUnit.SECONDS).atMost(5, TimeUnit.SECONDS).until(() -> messages("im.charging") == 5);
        } finally {
            CDF.server().start();
        }

        await().atMost(60, TimeUnit.SECONDS).until(() -> messages("im.charging") == 0);
        for (ChargingEvent event : events) {
            // one ACR received and one ACA sent per record, nothing twice
            assertThat(CDF.server().count("\"" + acr.sessionId(event.toAccountingEvent()) + "\"")).as(event.eventId()).isEqualTo(2);
        }
        assertThat(messages("im.charging.dlq")).isZero();
    }
}
