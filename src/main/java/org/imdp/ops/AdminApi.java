package org.imdp.ops;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.imdp.registration.Registrations;
import org.imdp.store.DeferredStore;
import org.imdp.store.PushRequests;
import org.imdp.store.Recipients;

/**
 * The admin API's answers (routes/admin.xml), as JSON. Message content never leaves the store or the broker this way:
 * only metadata. Bad input is an {@link IllegalArgumentException} (400), something that does not exist a
 * {@link NotFoundException} (404), a request the resource's state does not allow a {@link ConflictException} (409).
 */
public final class AdminApi {

    /** The thing asked for does not exist (HTTP 404). */
    public static final class NotFoundException extends RuntimeException {
        public NotFoundException(String message) {
            super(message);
        }
    }

    /** The request does not fit the resource's state (HTTP 409). */
    public static final class ConflictException extends RuntimeException {
        public ConflictException(String message) {
            super(message);
        }
    }

    /** The largest {@code limit} a listing takes. */
    static final int MAX_LIMIT = 1000;

    private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();
    private static final int LARGEST = 10;

    private final DeferredStore store;
    private final Registrations registrations;
    private final ServiceMetrics metrics;
    private final ChargingBacklog backlog;
    private final int maxPerRecipient;
    private final PushRequests pushRequests;
    private final DeadLetters deadLetters;
    private final LogLevels logLevels = new LogLevels();

    AdminApi(DeferredStore store, Registrations registrations, ServiceMetrics metrics, ChargingBacklog backlog,
             int maxPerRecipient, PushRequests pushRequests, DeadLetters deadLetters) {
        this.store = store;
        this.registrations = registrations;
        this.metrics = metrics;
        this.backlog = backlog;
        this.maxPerRecipient = maxPerRecipient;
        this.pushRequests = pushRequests;
        this.deadLetters = deadLetters;
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

    /** The path of a recipient's push request, the answer's {@code Location}. */
    public String pushRequestPath(String recipient) {
        return ManagementAccess.ADMIN_PATH + "/push-requests/" + recipient;
    }

    /** The answer to a push request: it is recorded, the push itself runs on its own (see its Location). */
    public String pushRequested(String recipient, String contact) throws JsonProcessingException {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("recipient", recipient);
        answer.put("contact", contact);
        answer.put("pushRequest", pushRequestPath(recipient));
        return json(answer);
    }

    /**
     * The state of a recipient's push request: {@code waiting} (due now or at {@code dueAt}, after {@code retries}
     * timed retries) or {@code running} (a session on {@code runningOn}).
     *
     * @throws NotFoundException when none waits or runs: the last push ended (what it left is in the store)
     */
    public String pushRequest(String recipient) throws Exception {
        String canonical = recipient(recipient);
        PushRequests.State state = pushRequests.find(canonical);
        if (state == null) {
            throw new NotFoundException("no push request of " + canonical + " waits or runs: its last push ended, "
                    + store.count(canonical) + " message(s) stay stored");
        }
        return json(pushRequestJson(state));
    }

    /** The push requests that wait or run, the longest waiting first. */
    public String pushRequests(String limit) throws Exception {
        List<Map<String, Object>> requests = new ArrayList<>();
        for (PushRequests.State state : pushRequests.list(limit(limit))) {
            requests.add(pushRequestJson(state));
        }
        return json(listing("pushRequests", requests));
    }

    private static Map<String, Object> pushRequestJson(PushRequests.State state) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("recipient", state.recipient());
        answer.put("contact", state.contact());
        answer.put("state", state.runningOn() == null ? "waiting" : "running");
        answer.put("dueAt", Instant.ofEpochMilli(state.dueAt()));
        answer.put("retries", state.retries());
        answer.put("runningOn", state.runningOn());
        return answer;
    }

    /** The registrations in force, by recipient. */
    public String registrations(String limit) throws Exception {
        List<Registrations.Registration> list = registrations.list(limit(limit));
        return json(listing("registrations", list));
    }

    /** The queues that can be browsed, with where a replay puts their messages back. */
    public String queues() throws Exception {
        List<Map<String, Object>> queues = new ArrayList<>();
        for (Map.Entry<String, String> q : deadLetters.queues().entrySet()) {
            Map<String, Object> queue = new LinkedHashMap<>();
            queue.put("queue", q.getKey());
            queue.put("replayTo", q.getValue());
            queues.add(queue);
        }
        return json(Map.of("queues", queues));
    }

    /** The metadata of a queue's first messages, oldest first; never their content. */
    public String browse(String queue, String limit) throws Exception {
        List<DeadLetters.Parked> messages = deadLetters.browse(queue, limit(limit));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("queue", queue);
        answer.put("count", messages.size());
        answer.put("messages", messages);
        return json(answer);
    }

    /** Puts one parked message back on the queue it came from. */
    public String replay(String queue, String messageId) throws Exception {
        String origin = deadLetters.replay(queue, messageId);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("queue", queue);
        answer.put("messageId", messageId);
        answer.put("replayedTo", origin);
        return json(answer);
    }

    /** The loggers that have a level configured, the root first. */
    public String loggers() throws JsonProcessingException {
        return json(Map.of("loggers", logLevels.configured()));
    }

    /** One logger's configured and effective level. */
    public String logger(String name) throws JsonProcessingException {
        return json(logLevels.get(name));
    }

    /** Sets a logger's level from a body {@code {"level": "DEBUG"}}. */
    public String setLogger(String name, String body) throws JsonProcessingException {
        JsonNode request;
        try {
            request = JSON.readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("body: {\"level\": \"DEBUG\"} expected, not valid JSON");
        }
        if (request == null || !request.path("level").isTextual()) {
            throw new IllegalArgumentException("body: {\"level\": \"DEBUG\"} expected");
        }
        return json(logLevels.set(name, request.path("level").asText()));
    }

    private static Map<String, Object> listing(String name, List<?> items) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("count", items.size());
        answer.put(name, items);
        return answer;
    }

    /** A listing's size: {@code limit} when given (1 to {@value #MAX_LIMIT}), else 100. */
    static int limit(String limit) {
        if (limit == null || limit.isBlank()) {
            return 100;
        }
        try {
            int n = Integer.parseInt(limit.trim());
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new IllegalArgumentException("limit: a number from 1 to " + MAX_LIMIT + ", got " + limit);
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

    /**
     * The answer to a request refused for what it asks (400, 404, 409): {@code {"error": "..."}} with the reason the
     * admin API gave, not the wrapper a route step put around it.
     */
    public String error(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IllegalArgumentException || t instanceof NotFoundException || t instanceof ConflictException) {
                return errorJson(t.getMessage());
            }
        }
        return errorJson(failure == null ? null : failure.getMessage());
    }

    /** An error answer of the admin API and of the management server: {@code {"error": "..."}}. */
    static String errorJson(String message) {
        try {
            return json(Map.of("error", message == null ? "unknown error" : message));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The answer to a failure not foreseen: its reason is in the ERROR log, never in the answer. */
    public String internalError(String method, String path) {
        return errorJson("internal error on " + method + " " + path + ": the reason is in the service's log");
    }

    private static String json(Object value) throws JsonProcessingException {
        return JSON.writeValueAsString(value);
    }
}
