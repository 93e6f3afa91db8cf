package org.imdp.charging;

import java.time.Instant;
import java.util.List;

/** Charging events as the push route writes them: 3 messages sent by two senders, 2 acknowledged. */
public final class ChargingEvents {

    private ChargingEvents() {
    }

    public static ChargingEvent push(String eventId) {
        Instant invite = Instant.parse("2026-11-26T08:00:00Z");
        return new ChargingEvent(eventId, "sip:bob@example.com", List.of("sip:alice@example.com", "sip:carol@example.com"),
                "call-" + eventId + "@127.0.0.1", invite, invite.plusSeconds(1), invite.plusSeconds(3), 3, 2, List.of(
                        new ChargingEvent.Message("m1", "sip:alice@example.com", "text/plain", 12, true),
                        new ChargingEvent.Message("m2", "sip:carol@example.com", "text/plain", 20, true),
                        new ChargingEvent.Message("m3", "sip:alice@example.com", "text/plain", 7, false)));
    }
}
