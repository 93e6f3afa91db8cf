package org.imdp.charging;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.apache.camel.CamelContext;
import org.apache.camel.Converter;
import org.apache.camel.component.jackson.JacksonDataFormat;
import org.imdp.ch1.AccountingEvent;
import org.imdp.sipmsrp.PushSessionResult;
import org.imdp.store.DeferredMessage;

/**
 * The charging event of one push session: everything a CH-1 EventRequest (Diameter Rf ACR,
 * EVENT_RECORD) needs. It is kept as JSON, as the push's charging record in the store (written in the
 * transaction that removes the acknowledged messages) and on the durable queue {@code im.charging} when it
 * is retried from there. Both use {@link #jsonFormat()} (registry bean {@code chargingJson}, {@link #register}).
 *
 * @param eventId              unique id of this charging event (idempotency key, basis of the Diameter Session-Id)
 * @param recipient            the IM Client's public identity (Subscription-Id, Called-Party-Address)
 * @param senders              distinct original senders of the pushed messages, in push order
 * @param callId               SIP Call-ID of the push session (User-Session-Id)
 * @param inviteSentAt         when the INVITE was sent (SIP-Request-Timestamp)
 * @param answeredAt           when its 200 OK arrived (SIP-Response-Timestamp)
 * @param endedAt              when the push session ended and its BYE became due (Event-Timestamp); read from
 *                             {@code byeSentAt} in records written before it was named so
 * @param messagesSent         MSRP SENDs attempted (Total-Number-Of-Messages-Sent)
 * @param messagesAcknowledged SENDs answered 200 OK (Number-Of-Messages-Successfully-Sent)
 * @param messages             per message: id, sender, content type, size, acknowledged
 */
public record ChargingEvent(String eventId, String recipient, List<String> senders, String callId,
        Instant inviteSentAt, Instant answeredAt, @JsonAlias("byeSentAt") Instant endedAt, int messagesSent, int messagesAcknowledged,
        List<Message> messages) {

    /**
     * The JSON form of the charging record and on {@code im.charging}: ISO-8601 instants, unknown fields ignored (so an event written
     * by a newer version is still charged).
     */
    public static JacksonDataFormat jsonFormat() {
        return new JacksonDataFormat(jsonMapper(), ChargingEvent.class);
    }

    /**
     * Makes charging events usable in {@code context}'s routes: their JSON form as bean {@code chargingJson}, what the
     * deliveries of {@code im.charging} sent as bean {@code chargingDeliveries} ({@link ChargingDeliveries}), and the
     * type converter to the {@code ch1} component's {@link AccountingEvent}.
     */
    public static void register(CamelContext context, ChargingDeliveries deliveries) {
        context.getRegistry().bind("chargingJson", jsonFormat());
        context.getRegistry().bind("chargingDeliveries", deliveries);
        context.getTypeConverterRegistry().addTypeConverters(new Converters());
    }

    /** The Jackson mapper behind {@link #jsonFormat()}. */
    public static ObjectMapper jsonMapper() {
        return JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
    }

    /**
     * The charging event of a push session of the stored messages {@code pushed}, with a fresh event id: each message
     * the session attempted, with its sender, content type and size as stored.
     */
    public static ChargingEvent fromPush(PushSessionResult push, List<DeferredMessage> pushed) {
        Map<String, DeferredMessage> stored = pushed.stream()
                .collect(Collectors.toMap(DeferredMessage::messageId, Function.identity()));
        List<Message> messages = push.messages().stream().map(m -> {
            DeferredMessage d = stored.get(m.messageId());
            if (d == null) {
                throw new IllegalArgumentException("message " + m.messageId() + " was not among those pushed");
            }
            return new Message(m.messageId(), d.sender(), d.contentType(), d.size(), m.acknowledged());
        }).toList();
        return new ChargingEvent(UUID.randomUUID().toString(), push.recipient(),
                messages.stream().map(Message::sender).distinct().toList(), push.callId(),
                push.inviteSentAt(), push.answeredAt(), push.endedAt(), messages.size(),
                push.acknowledgedCount(), messages);
    }

    /**
     * What the {@code ch1} component reports of this push in the ACR. Registered as a Camel type converter
     * ({@link Converters}), so the charging route hands the event itself to {@code ch1:}.
     */
    public AccountingEvent toAccountingEvent() {
        return new AccountingEvent(eventId, recipient, senders == null ? List.of() : senders, callId, inviteSentAt,
                answeredAt, endedAt, messagesSent, messagesAcknowledged);
    }

    /** The type converter from a charging event to the {@code ch1} component's body. */
    @Converter
    public static final class Converters {

        @Converter
        public static AccountingEvent toAccountingEvent(ChargingEvent event) {
            return event.toAccountingEvent();
        }
    }

    /** What was pushed in one MSRP SEND. */
    public record Message(String messageId, String sender, String contentType, long size, boolean acknowledged) {
    }
}
