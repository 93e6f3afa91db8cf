package org.imdp.ch1;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.imdp.ch1.support.AccountingEvents;
import org.imdp.ch1.support.FreeDiameterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The ch1 producer against freeDiameter with test_acct and the 3GPP dictionaries as the Charging Enabler. */
class Ch1FreeDiameterIT extends CamelTestSupport {

    @RegisterExtension
    static final FreeDiameterExtension CDF = new FreeDiameterExtension("ch1-it", "ocs.localdomain");

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:charge").routeId("charge")
                        .to("ch1:charging?peers=127.0.0.1:" + CDF.server().port()
                                + "&originHost=im-deferred.localdomain&originRealm=localdomain&destinationRealm=localdomain"
                                + "&requestTimeout=3s&reconnectDelayMin=200ms&reconnectDelayMax=1s");
                // events wait for the Charging Enabler: retried with backoff until answered
                from("direct:charge-retrying").routeId("charge-retrying")
                        .errorHandler(defaultErrorHandler().maximumRedeliveries(-1).redeliveryDelay(300)
                                .useExponentialBackOff().maximumRedeliveryDelay(2000))
                        .to("ch1:charging?peers=127.0.0.1:" + CDF.server().port()
                                + "&originHost=im-deferred.localdomain&originRealm=localdomain&destinationRealm=localdomain"
                                + "&requestTimeout=3s&reconnectDelayMin=200ms&reconnectDelayMax=1s");
            }
        };
    }

    @Test
    void one_push_gives_one_acr_answered_2001_with_every_avp_understood() {
        Exchange result = template.request("direct:charge", e -> e.getIn().setBody(AccountingEvents.push("one-push")));

        assertThat(result.getException()).isNull();
        assertThat(result.getMessage().getHeader(Ch1Constants.RESULT_CODE)).isEqualTo(2001L);
        String sessionId = result.getMessage().getHeader(Ch1Constants.SESSION_ID, String.class);
        assertThat(sessionId).startsWith("im-deferred.localdomain;").endsWith(";one-push");
        String log = CDF.server().log();
        // dbg_msg_dumps prints each AVP as freeDiameter's dictionary parsed it: name, vendor, flags, value
        assertThat(log).contains("'Accounting-Request'")
                .contains("'Session-Id'(263) l=" + (8 + sessionId.length()) + " f=-M val=\"" + sessionId + "\"")
                .contains("'Accounting-Record-Type'(480) l=12 f=-M val='EVENT_RECORD'")
                .contains("'Accounting-Record-Number'(485) l=12 f=-M val=0 ")
                .contains("'Acct-Application-Id'(259) l=12 f=-M val=3 ")
                .contains("'Event-Timestamp'(55) l=12 f=-M val=20261126T080003+00")
                .contains("'Service-Context-Id'(461) l=22 f=-M val=\"32260@3gpp.org\"")
                .contains("'Subscription-Id-Data'(444) l=27 f=-M val=\"sip:bob@example.com\"")
                .contains("'Node-Functionality'(862) vend='3GPP'(10415) l=16 f=VM val=6 ")
                .contains("'Role-Of-Node'(829) vend='3GPP'(10415) l=16 f=VM val=1 ")
                .contains("'User-Session-Id'(830) vend='3GPP'(10415) l=35 f=VM val=\"call-one-push@127.0.0.1\"")
                .contains("'Calling-Party-Address'(831) vend='3GPP'(10415) l=33 f=VM val=\"sip:carol@example.com\"")
                .contains("'Called-Party-Address'(832) vend='3GPP'(10415) l=31 f=VM val=\"sip:bob@example.com\"")
                .contains("'SIP-Request-Timestamp'(834) vend='3GPP'(10415) l=16 f=VM val=20261126T080000+00")
                .contains("'SIP-Response-Timestamp'(835) vend='3GPP'(10415) l=16 f=VM val=20261126T080001+00")
                .contains("'Total-Number-Of-Messages-Sent'(2114) vend='3GPP'(10415) l=16 f=VM val=3 ")
                .contains("'Number-Of-Messages-Successfully-Sent'(2112) vend='3GPP'(10415) l=16 f=VM val=2 ")
                .contains("'Result-Code'(268) l=12 f=-M val='DIAMETER_SUCCESS' (2001")
                .doesNotContain("DIAMETER_AVP_UNSUPPORTED")
                .doesNotContain("(5001");
    }

    @Test
    void events_sent_while_the_charging_enabler_is_down_arrive_once_each_when_it_is_back() throws Exception {
        CDF.server().stop();
        List<CompletableFuture<Exchange>> pending = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                String id = "outage-" + i;
                pending.add(template.asyncSend("direct:charge-retrying", e -> e.getIn().setBody(AccountingEvents.push(id))));
            }
            // nothing can be answered while the Charging Enabler is down
            await().during(2, TimeUnit.SECONDS).atMost(4, TimeUnit.SECONDS)
                    .until(() -> pending.stream().noneMatch(CompletableFuture::isDone));
        } finally {
            CDF.server().start();
        }
        for (CompletableFuture<Exchange> future : pending) {
            Exchange done = future.get(60, TimeUnit.SECONDS);
            assertThat(done.getException()).isNull();
            assertThat(done.getMessage().getHeader(Ch1Constants.RESULT_CODE)).isEqualTo(2001L);
            String sessionId = done.getMessage().getHeader(Ch1Constants.SESSION_ID, String.class);
            // one ACR received and one ACA sent, each dumped once with the Session-Id
            assertThat(CDF.server().count("\"" + sessionId + "\"")).as(sessionId).isEqualTo(2);
        }
    }
}
