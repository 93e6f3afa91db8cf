package org.imdp.sipmsrp.sip;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TallyTest {

    @Test
    void a_watcher_learns_each_key_once_those_counted_before_it_and_those_after() {
        Tally<String> tally = new Tally<>();
        tally.increment("REGISTER");
        tally.increment("REGISTER");
        List<String> keys = new ArrayList<>();

        tally.watch(keys::add);
        tally.increment("MESSAGE");
        tally.increment("MESSAGE");
        tally.increment("REGISTER");

        assertThat(keys).containsExactly("REGISTER", "MESSAGE");
        assertThat(tally.count("REGISTER")).isEqualTo(3);
        assertThat(tally.count("MESSAGE")).isEqualTo(2);
        assertThat(tally.count("OPTIONS")).isZero();
        assertThat(tally.counts()).isEqualTo(Map.of("MESSAGE", 2L, "REGISTER", 3L));
        assertThat(tally.counts()).hasToString("{MESSAGE=2, REGISTER=3}");
    }

    @Test
    void responses_are_listed_by_method_then_code() {
        Tally<SipTraffic.Response> tally = new SipTraffic().responsesSent();
        tally.increment(new SipTraffic.Response("REGISTER", 403));
        tally.increment(new SipTraffic.Response("MESSAGE", 202));
        tally.increment(new SipTraffic.Response("REGISTER", 200));

        assertThat(tally.counts()).hasToString("{MESSAGE 202=1, REGISTER 200=1, REGISTER 403=1}");
    }
}
