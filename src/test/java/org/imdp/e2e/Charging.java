package org.imdp.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.imdp.ch1.support.FreeDiameter;

import static org.assertj.core.api.Assertions.assertThat;

/** How the fault campaign's tests judge what reached the Charging Enabler. */
final class Charging {

    private Charging() {
    }

    /** The ACRs of each push session (User-Session-Id = the push's Call-ID), in order. */
    static Map<String, List<FreeDiameter.Acr>> byCallId(List<FreeDiameter.Acr> acrs) {
        Map<String, List<FreeDiameter.Acr>> byCallId = new TreeMap<>();
        acrs.forEach(a -> byCallId.computeIfAbsent(a.callId(), k -> new ArrayList<>()).add(a));
        return byCallId;
    }

    /**
     * One charging record per session: all its ACRs carry one Session-Id, and at most one of them is without the T
     * flag (the Charging Enabler drops a T-flagged repeat of a Session-Id it has). The first one may carry it too: an
     * ACR that was written when the connection went down may have reached the server.
     *
     * @return how many repeats there were (ACRs beyond the first per session)
     */
    static long assertRepeatsMarked(Map<String, List<FreeDiameter.Acr>> byCallId) {
        long repeats = 0;
        for (Map.Entry<String, List<FreeDiameter.Acr>> session : byCallId.entrySet()) {
            List<FreeDiameter.Acr> records = session.getValue();
            assertThat(records).as("Session-Ids of push %s", session.getKey())
                    .extracting(FreeDiameter.Acr::sessionId).containsOnly(records.get(0).sessionId());
            assertThat(records.stream().filter(a -> !a.retransmitted()).count())
                    .as("ACRs of push %s without the T flag", session.getKey()).isLessThanOrEqualTo(1);
            repeats += records.size() - 1;
        }
        return repeats;
    }
}
