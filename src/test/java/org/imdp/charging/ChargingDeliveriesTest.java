package org.imdp.charging;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

import org.imdp.ch1.Ch1NotSentException;
import org.imdp.ch1.Ch1TransientException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How long the charging events on the queue are waiting, from their failed deliveries, on a clock the test moves; and
 * the T flag's bookkeeping next to it.
 */
class ChargingDeliveriesTest {

    private static final Duration FORGET_AFTER = Duration.ofMinutes(2);
    private static final Instant START = Instant.parse("2026-12-08T04:00:00Z");

    private final MovingClock clock = new MovingClock();
    private final ChargingDeliveries deliveries = new ChargingDeliveries(clock, FORGET_AFTER);

    private static ChargingEvent endedAt(Instant ended) {
        return new ChargingEvent("e", "sip:bob@example.org", List.of("sip:alice@example.org"), "c", ended, ended, ended, 1,
                1, List.of());
    }

    @Test
    void the_oldest_waiting_event_is_the_earliest_push_end_among_failed_deliveries_until_it_is_done() {
        assertThat(deliveries.oldestWaiting()).isEmpty();
        Instant first = START.minusSeconds(40);
        deliveries.failed("ID:1", new Ch1NotSentException("no open peer"), endedAt(first), START.toEpochMilli());
        clock.advance(Duration.ofSeconds(1));
        deliveries.failed("ID:2", new Ch1TransientException("no answer"), endedAt(START), START.toEpochMilli());
        assertThat(deliveries.oldestWaiting()).contains(first);

        // a delivery that failed before the body was an event: when it was put on the queue
        deliveries.failed("ID:3", new Ch1TransientException("x"), "{not json", START.minusSeconds(90).toEpochMilli());
        assertThat(deliveries.oldestWaiting()).contains(START.minusSeconds(90));

        deliveries.done("ID:3");
        deliveries.done("ID:1");
        assertThat(deliveries.oldestWaiting()).contains(START);
        deliveries.done("ID:2");
        assertThat(deliveries.oldestWaiting()).isEmpty();
    }

    @Test
    void an_event_not_redelivered_here_for_longer_than_forget_after_no_longer_counts() {
        deliveries.failed("ID:1", new Ch1NotSentException("no open peer"), endedAt(START), null);
        deliveries.failed("ID:2", new Ch1NotSentException("no open peer"), endedAt(START.plusSeconds(5)), null);
        clock.advance(Duration.ofSeconds(100));
        // ID:2 fails again here (its redelivery), ID:1 went to another instance and was charged there
        deliveries.failed("ID:2", new Ch1NotSentException("no open peer"), endedAt(START.plusSeconds(5)), null);
        clock.advance(Duration.ofSeconds(30));
        assertThat(deliveries.oldestWaiting()).contains(START.plusSeconds(5));
        clock.advance(FORGET_AFTER);
        assertThat(deliveries.oldestWaiting()).isEmpty();
    }

    @Test
    void deliveries_that_never_sent_their_acr_are_counted_for_the_t_flag() {
        deliveries.failed("ID:1", new Ch1NotSentException("no open peer"), endedAt(START), null);
        assertThat(deliveries.earlierDeliveryMayHaveSent("ID:1", 2, true)).isFalse();
        deliveries.failed("ID:1", new Ch1TransientException("no answer"), endedAt(START), null);
        assertThat(deliveries.earlierDeliveryMayHaveSent("ID:1", 3, true)).isTrue();
    }

    private static final class MovingClock extends Clock {
        private Instant now = START;

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
