package org.imdp.ch1.peer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.imdp.ch1.peer.PeerOutage.Report.QUIET;
import static org.imdp.ch1.peer.PeerOutage.Report.REMIND;
import static org.imdp.ch1.peer.PeerOutage.Report.WARN;

/**
 * An outage of a CH-1 peer on a clock the test moves: one WARN at its first failure, then at most one reminder per
 * reminder interval however often the connection is tried, and its end with its length and failures.
 */
class PeerOutageTest {

    private static final Duration REMINDER = Duration.ofMinutes(5);

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final PeerOutage outage = new PeerOutage(now::get, REMINDER);

    private void advance(Duration by) {
        now.addAndGet(by.toNanos());
    }

    @Test
    void an_hour_down_with_a_reconnect_every_30_s_is_one_warn_and_eleven_reminders() {
        List<PeerOutage.Report> reports = new ArrayList<>();
        for (int attempt = 0; attempt < 120; attempt++) {
            reports.add(outage.failed());
            advance(Duration.ofSeconds(30));
        }
        assertThat(reports.get(0)).isEqualTo(WARN);
        assertThat(reports).filteredOn(r -> r == WARN).hasSize(1);
        // at 5, 10, ... 55 minutes
        assertThat(reports).filteredOn(r -> r == REMIND).hasSize(11);
        assertThat(reports.subList(1, 10)).containsOnly(QUIET);
        assertThat(reports.get(10)).isEqualTo(REMIND);
        assertThat(outage.failures()).isEqualTo(120);
        assertThat(outage.downFor()).isEqualTo(Duration.ofMinutes(60));

        PeerOutage.Ended ended = outage.opened();
        assertThat(ended).isEqualTo(new PeerOutage.Ended(Duration.ofMinutes(60), 120));
        assertThat(outage.downFor()).isZero();
        assertThat(outage.failures()).isZero();
    }

    @Test
    void a_peer_that_never_failed_ends_no_outage_and_each_outage_starts_with_its_own_warn() {
        assertThat(outage.opened()).isNull();
        assertThat(outage.downFor()).isZero();

        assertThat(outage.failed()).isEqualTo(WARN);
        advance(Duration.ofSeconds(1));
        assertThat(outage.opened()).isEqualTo(new PeerOutage.Ended(Duration.ofSeconds(1), 1));
        assertThat(outage.opened()).isNull();

        // the next loss, a second later, is another outage: a WARN of its own, and its reminder counted from it
        advance(Duration.ofSeconds(1));
        assertThat(outage.failed()).isEqualTo(WARN);
        advance(REMINDER.minusNanos(1));
        assertThat(outage.failed()).isEqualTo(QUIET);
        advance(Duration.ofNanos(1));
        assertThat(outage.failed()).isEqualTo(REMIND);
        assertThat(outage.failed()).isEqualTo(QUIET);
        assertThat(outage.failures()).isEqualTo(4);
    }
}
