package org.imdp.sipmsrp;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.imdp.sipmsrp.PushSessionResult.MessageOutcome;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "complete" (which lets the next session of a backlog follow at once) and what leaves the store agree: a session is
 * complete only when every message it lists is acknowledged or refused for good (issue 10: a complete session that
 * removed nothing was followed by the same session again, in a loop).
 */
class PushSessionResultTest {

    private static final Instant T = Instant.parse("2026-11-26T08:00:00Z");

    private static PushSessionResult result(List<MessageOutcome> messages, String failureReason,
            Map<String, String> refusals) {
        return new PushSessionResult("sip:bob@example.com", "sip:bob@127.0.0.1", "call-1", T, T, T, messages,
                failureReason, T, T, refusals);
    }

    private static MessageOutcome outcome(String id, int status) {
        return new MessageOutcome(id, status);
    }

    @Test
    void a_session_whose_messages_all_leave_the_store_is_complete() {
        PushSessionResult result = result(List.of(outcome("m1", 200), outcome("m2", 202), outcome("m3", 415)), null,
                Map.of("m3", "MSRP 415 Unsupported media type"));
        assertThat(result.acknowledgedMessageIds()).containsExactly("m1", "m2");
        assertThat(result.complete()).isTrue();
        assertThat(result.outcome()).isEqualTo("complete");
    }

    @Test
    void a_listed_message_that_stays_stored_makes_it_incomplete_whatever_the_reason_says() {
        PushSessionResult result = result(List.of(outcome("m1", 200), outcome("m2", 408)), null, Map.of());
        assertThat(result.acknowledgedMessageIds()).containsExactly("m1");
        assertThat(result.complete()).isFalse();
        assertThat(result.outcome()).isEqualTo("incomplete: neither acknowledged nor refused: [m2]");
    }

    @Test
    void a_session_that_stopped_early_is_incomplete() {
        PushSessionResult result = result(List.of(outcome("m1", 200)), "push stopped at message m2", Map.of());
        assertThat(result.complete()).isFalse();
        assertThat(result.outcome()).isEqualTo("incomplete: push stopped at message m2");
    }
}
