package org.imdp.ch1;

import org.imdp.test.TestPorts;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.imdp.ch1.support.AccountingEvents;
import org.imdp.ch1.support.FreeDiameterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Primary/secondary failover between two real freeDiameter Charging Enablers. */
class Ch1FailoverIT extends CamelTestSupport {

    @RegisterExtension
    static final FreeDiameterExtension PRIMARY = new FreeDiameterExtension("ch1-primary", "ocs1.localdomain");
    @RegisterExtension
    static final FreeDiameterExtension SECONDARY = new FreeDiameterExtension("ch1-secondary", "ocs2.localdomain");

    private static String uri(String name, String peers) {
        return "ch1:" + name + "?peers=" + peers + "&originHost=im-deferred.localdomain&requestTimeout=3s"
                + "&reconnectDelayMin=200ms&reconnectDelayMax=1s&watchdogInterval=2s";
    }

    private Exchange charge(String uri, String eventId) {
        return template.request(uri, e -> e.getIn().setBody(AccountingEvents.push(eventId)));
    }

    @Test
    void a_dead_primary_fails_over_to_the_secondary() {
        String uri = uri("dead-primary", "127.0.0.1:" + TestPorts.next() + ",127.0.0.1:" + SECONDARY.server().port());

        Exchange result = charge(uri, "dead-primary");

        assertThat(result.getException()).isNull();
        assertThat(result.getMessage().getHeader(Ch1Constants.RESULT_CODE)).isEqualTo(2001L);
        assertThat(result.getMessage().getHeader(Ch1Constants.ANSWER_ORIGIN_HOST)).isEqualTo("ocs2.localdomain");
        assertThat(SECONDARY.server().count("\"" + result.getMessage().getHeader(Ch1Constants.SESSION_ID) + "\"")).isEqualTo(2);
    }

    @Test
    void a_primary_that_crashes_is_replaced_by_the_secondary_and_preferred_again_when_back() throws Exception {
        String uri = uri("crash", "127.0.0.1:" + PRIMARY.server().port() + ",127.0.0.1:" + SECONDARY.server().port());
        Ch1Endpoint endpoint = context.getEndpoint(uri, Ch1Endpoint.class);
        assertThat(charge(uri, "before-crash").getMessage().getHeader(Ch1Constants.ANSWER_ORIGIN_HOST)).isNotNull();
        await().atMost(10, TimeUnit.SECONDS).until(() -> endpoint.getOpenPeers().size() == 2);
        assertThat(charge(uri, "on-primary").getMessage().getHeader(Ch1Constants.ANSWER_ORIGIN_HOST)).isEqualTo("ocs1.localdomain");

        PRIMARY.server().kill();
        try {
            Exchange during = charge(uri, "during-crash");
            assertThat(during.getException()).isNull();
            assertThat(during.getMessage().getHeader(Ch1Constants.RESULT_CODE)).isEqualTo(2001L);
            assertThat(during.getMessage().getHeader(Ch1Constants.ANSWER_ORIGIN_HOST)).isEqualTo("ocs2.localdomain");
        } finally {
            PRIMARY.server().start();
        }

        await().atMost(20, TimeUnit.SECONDS).until(() -> endpoint.getOpenPeers().size() == 2);
        assertThat(charge(uri, "after-crash").getMessage().getHeader(Ch1Constants.ANSWER_ORIGIN_HOST)).isEqualTo("ocs1.localdomain");
    }

    @Test
    void stopping_disconnects_with_dpr() {
        String uri = uri("dpr", "127.0.0.1:" + SECONDARY.server().port());
        assertThat(charge(uri, "before-dpr").getException()).isNull();
        int before = SECONDARY.server().count("'Disconnect-Peer-Request'");

        context.stop();

        assertThat(SECONDARY.server().count("'Disconnect-Peer-Request'")).isEqualTo(before + 1);
        assertThat(SECONDARY.server().count("'Disconnect-Peer-Answer'")).isEqualTo(before + 1);
    }
}
