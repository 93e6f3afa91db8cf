package org.imdp.push;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.imdp.sipmsrp.SipMsrpPushException;
import org.imdp.sipmsrp.msrp.MsrpException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PushRetryPolicyTest {

    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    private final PushRetryPolicy policy = new PushRetryPolicy(Duration.ofSeconds(30), 3, Clock.fixed(NOW, ZoneOffset.UTC));

    private static SipMsrpPushException status(int code) {
        return new SipMsrpPushException("sip:bob@example.com", code, "reason");
    }

    @Test
    void what_the_client_decided_waits_for_its_next_registration() {
        for (int code : new int[] {400, 403, 404, 410, 415, 480, 481, 486, 487, 488, 603, 302, 401}) {
            assertThat(policy.nextAttemptAt(status(code), null)).as("status %d", code).isEqualTo(PushRetryPolicy.NEXT_REGISTRATION);
        }
    }

    @Test
    void a_4xx_that_reports_a_fault_of_the_path_gets_a_timed_retry() {
        // 408 Request Timeout, 430 Flow Failed, 482 Loop Detected, 483 Too Many Hops, 491 Request Pending
        for (int code : new int[] {408, 430, 482, 483, 491}) {
            assertThat(policy.nextAttemptAt(status(code), null)).as("status %d", code).isEqualTo(NOW.toEpochMilli() + 30_000);
        }
    }

    @Test
    void retry_after_is_honoured_whoever_decided() {
        long now = NOW.toEpochMilli();
        assertThat(policy.nextAttemptAt(new SipMsrpPushException("sip:bob@example.com", 486, "Busy Here", Duration.ofSeconds(90)), null))
                .isEqualTo(now + 90_000);
        assertThat(policy.nextAttemptAt(new SipMsrpPushException("sip:bob@example.com", 503, "Service Unavailable", Duration.ofSeconds(5)), 1))
                .isEqualTo(now + 5_000);
        assertThat(policy.nextAttemptAt(new SipMsrpPushException("sip:bob@example.com", 503, "Service Unavailable", Duration.ofSeconds(5)), 3))
                .isEqualTo(PushRetryPolicy.NEXT_REGISTRATION);
    }

    @Test
    void network_and_session_failures_are_retried_with_doubling_delays_then_left_to_the_next_registration() {
        long now = NOW.toEpochMilli();
        assertThat(policy.nextAttemptAt(status(503), null)).isEqualTo(now + 30_000);
        assertThat(policy.nextAttemptAt(status(408), 1)).isEqualTo(now + 60_000);
        assertThat(policy.nextAttemptAt(new MsrpException("peer closed the connection"), 2)).isEqualTo(now + 120_000);
        assertThat(policy.nextAttemptAt(status(500), 3)).isEqualTo(PushRetryPolicy.NEXT_REGISTRATION);
        assertThat(policy.retriesAfter(null)).isEqualTo(1);
        assertThat(policy.retriesAfter(2)).isEqualTo(3);
    }
}
