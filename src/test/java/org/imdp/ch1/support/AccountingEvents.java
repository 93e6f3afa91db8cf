package org.imdp.ch1.support;

import java.time.Instant;
import java.util.List;

import org.imdp.ch1.AccountingEvent;

/** Accounting events as a push session's charging produces them: 3 messages sent by two senders, 2 acknowledged. */
public final class AccountingEvents {

    private AccountingEvents() {
    }

    public static AccountingEvent push(String eventId) {
        Instant invite = Instant.parse("2026-11-26T08:00:00Z");
        return new AccountingEvent(eventId, "sip:bob@example.com", List.of("sip:alice@example.com", "sip:carol@example.com"),
                "call-" + eventId + "@127.0.0.1", invite, invite.plusSeconds(1), invite.plusSeconds(3), 3, 2);
    }
}
