package org.imdp.ops;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.imdp.registration.Registrations;
import org.imdp.store.DeferredStore;
import org.imdp.store.Recipients;

/**
 * The admin API's answers (routes/admin.xml), as JSON. Message content never leaves the store this way: only
 * metadata. Bad input is an {@link IllegalArgumentException} (400), an unknown registration a
 * {@link NotFoundException} (404).
 */
public final class AdminApi {

    /** The thing asked for does not exist (HTTP 404). */
    public static final class NotFoundException extends RuntimeException {
        public NotFoundException(String message) {
            super(message);
        }
    }

    private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();
    private static final int LARGEST = 10;

    private final DeferredStore store;
    private final Registrations registrations;
    private final ServiceMetrics metrics;
    private final ChargingBacklog backlog;
    private final int maxPerRecipient;

    AdminApi(DeferredStore store, Registrations registrations, ServiceMetrics metrics, ChargingBacklog backlog,
             int maxPerRecipient) {
        this.store = store;
        this.registrations = registrations;
        this.metrics = metrics;
        this.backlog = backlog;
        this.maxPerRecipient = maxPerRecipient;
    }

    /** The recipient of a request, in canonical form; 400 when it is not a sip:, sips: or tel: URI. */
    public String recipient(String uri) {
        return Recipients.canonical(uri);
    }

    /** The metadata of the recipient's stored messages, oldest first. */
    public String pending(String recipient) throws Exception {
        String canonical = recipient(recipient);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("recipient", canonical);
        var messages = store.pending(canonical, maxPerRecipient);
        answer.put("count", messages.size());
        answer.put("messages", messages);
        return json(answer);
    }

    /** Deletes the recipient's stored messages (a push running now still delivers what it took out). */
    public String purge(String recipient) throws Exception {
        String canonical = recipient(recipient);
        return json(Map.of("recipient", canonical, "purged", store.purge(canonical)));
    }

    /**
     * Where to push: the contact given, else the recipient's registered contact.
     *
     * @throws NotFoundException when none is given and the recipient is not registered at this instance
     */
    public String contact(String recipient, String contact) throws java.sql.SQLException {
        if (contact != null && !contact.isBlank()) {
            try {
                Recipients.canonical(contact);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("contact: " + e.getMessage());
            }
            return contact.trim();
        }
        String registered = registrations.contactOf(recipient);
        if (registered == null) {
            throw new NotFoundException(recipient + " is not registered: give its contact, ?contact=sip:...");
        }
        return registered;
    }

    /** The answer to a push request: it is queued, the push itself runs asynchronously. */
    public String pushRequested(String recipient, String contact) throws JsonProcessingException {
        return json(Map.of("recipient", recipient, "contact", contact));
    }

    /** The store, the charging queues and the registrations at a glance. */
    public String statistics() throws Exception {
        DeferredStore.Totals totals = store.totals(LARGEST);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("recipients", totals.recipients());
        answer.put("storedMessages", totals.storedMessages());
        answer.put("expiredMessages", store.expiredCount());
        answer.put("messagesDelivered", metrics.messagesDelivered());
        answer.put("messagesRefused", metrics.refused());
        answer.put("chargingPending", backlog.pending());
        answer.put("chargingDeadLettered", backlog.deadLettered());
        answer.put("registrations", registrations.size());
        answer.put("largestRecipients", totals.largest());
        return json(answer);
    }

    /** An error answer: {@code {"error": "..."}}. */
    public String error(String message) throws JsonProcessingException {
        return json(Map.of("error", message == null ? "unknown error" : message));
    }

    private static String json(Object value) throws JsonProcessingException {
        return JSON.writeValueAsString(value);
    }
}
