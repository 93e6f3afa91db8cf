package org.imdp.charging;

import java.util.Properties;
import java.util.concurrent.TimeUnit;

import jakarta.jms.TextMessage;
import org.imdp.ch1.codec.Diameter;
import org.imdp.ch1.support.TestDiameterServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** routes/charging.xml with {@code imdp.ch1.max-redeliveries} set: an event that keeps failing for now is parked, with the reason. */
class Ch1ChargingMaxRedeliveriesTest extends ChargingRouteTestSupport {

    private final TestDiameterServer cdf = new TestDiameterServer("cdf.localdomain");

    Ch1ChargingMaxRedeliveriesTest() throws InterruptedException {
    }

    @Override
    Properties ch1Properties() {
        Properties props = new Properties();
        props.put("imdp.ch1.peers", cdf.peer());
        props.put("imdp.ch1.redelivery-delay", "100");
        props.put("imdp.ch1.max-redelivery-delay", "200");
        props.put("imdp.ch1.max-redeliveries", "2");
        return props;
    }

    @AfterEach
    void stopCdf() {
        context.stop();
        cdf.close();
    }

    @Test
    void the_delivery_after_the_last_redelivery_moves_the_original_event_to_the_dead_letter_queue_with_the_reason() throws Exception {
        cdf.onAcr(cdf.answering(4002));
        String event = json.writeValueAsString(ChargingEvents.push("given-up"));

        publish(event);

        await().atMost(15, TimeUnit.SECONDS).until(() -> messages("im.charging.dlq") == 1);
        assertThat(messages("im.charging")).isZero();
        // the first delivery and two redeliveries
        assertThat(cdf.requests(Diameter.CMD_ACCOUNTING)).hasSize(3);
        TextMessage dead = (TextMessage) receive("im.charging.dlq");
        assertThat(dead.getText()).isEqualTo(event);
        assertThat(dead.getStringProperty("imdpChargingFailureReason"))
                .contains("not charged in 3 deliveries (imdp.ch1.max-redeliveries = 2)").contains("Result-Code 4002");
    }
}
