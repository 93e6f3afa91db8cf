package org.imdp.push;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.imdp.charging.ChargingEvent;
import org.imdp.cpim.CpimMessage;
import org.imdp.sipmsrp.PushMessage;
import org.imdp.sipmsrp.PushSessionResult;
import org.imdp.store.DeferredMessage;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The stored messages as the push's body, and the push's outcome back onto them for charging. */
class PushMessagesTest {

    private static final String ALICE = "sip:alice@example.com";
    private static final String BOB = "sip:bob@example.com";

    private static DeferredMessage stored(String id, String contentType, String text) {
        return new DeferredMessage(id, ALICE, BOB, contentType, Instant.parse("2026-11-26T08:00:00Z"), null,
                text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void each_stored_message_is_pushed_as_its_cpim_wrapper_in_order() {
        List<DeferredMessage> stored = List.of(stored("pm-0001", "text/plain", "one"), stored("pm-0002", "text/html", "<b>two</b>"));

        List<PushMessage> pushed = PushMessages.of(stored);

        assertThat(pushed).extracting(PushMessage::messageId).containsExactly("pm-0001", "pm-0002");
        assertThat(pushed).extracting(PushMessage::sender).containsOnly(ALICE);
        assertThat(pushed).extracting(PushMessage::contentType).containsOnly(CpimMessage.MIME_TYPE);
        assertThat(pushed.get(1).payload().get()).isEqualTo(CpimMessage.wrap(stored.get(1)));
    }

    /** The poison message of issue 10: mapping it succeeds; its wrap fails when the session comes to send it. */
    @Test
    void a_message_that_cannot_be_wrapped_fails_only_when_its_payload_is_made() {
        List<PushMessage> pushed = PushMessages.of(List.of(stored("pm-0003", "text/plain\u0085", "three")));

        assertThatThrownBy(() -> pushed.get(0).payload().get()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("U+0085");
    }

    @Test
    void the_charging_event_describes_each_attempted_message_as_stored() {
        List<DeferredMessage> stored = List.of(stored("pm-0001", "text/plain", "one"), stored("pm-0002", "text/html", "<b>two</b>"),
                stored("pm-0003", "text/plain", "never sent"));
        Instant now = Instant.parse("2026-11-26T09:00:00Z");
        PushSessionResult push = new PushSessionResult(BOB, "sip:bob@192.0.2.1", "call-1", now, now, now,
                List.of(new PushSessionResult.MessageOutcome("pm-0001", 200), new PushSessionResult.MessageOutcome("pm-0002", 408)),
                "no answer", now, now, Map.of());

        ChargingEvent event = ChargingEvent.fromPush(push, stored);

        assertThat(event.messages()).containsExactly(new ChargingEvent.Message("pm-0001", ALICE, "text/plain", 3, true),
                new ChargingEvent.Message("pm-0002", ALICE, "text/html", 10, false));
        assertThat(event.messagesSent()).isEqualTo(2);
        assertThat(event.messagesAcknowledged()).isEqualTo(1);
        assertThat(event.senders()).containsExactly(ALICE);
    }
}
