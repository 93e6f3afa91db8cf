package org.imdp.ops;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.api.management.ManagedCamelContext;
import org.apache.camel.spi.RestRegistry;
import org.apache.logging.log4j.LogManager;
import org.imdp.store.StoreDatabase;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The admin API (routes/admin.xml) over HTTP, against the running service (its real routes and management server), a
 * real IM Client and the embedded broker: every operation of the OpenAPI document has a test here.
 */
class AdminApiTest extends OpsTestSupport {

    static final String BOB = "sip:bob@127.0.0.1";

    HttpResponse<String> delete(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).DELETE(), USER, PASSWORD);
    }

    HttpResponse<String> post(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()), USER, PASSWORD);
    }

    HttpResponse<String> put(String path, String contentType, String body) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType)
                .PUT(HttpRequest.BodyPublishers.ofString(body)), USER, PASSWORD);
    }

    /** An error answer as the admin API gives it: JSON {"error": ...}, with none of Camel's internals. */
    void assertJsonError(HttpResponse<String> answer, int status) throws Exception {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(status);
        assertThat(answer.headers().firstValue("Content-Type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(body(answer).path("error").asText()).isNotBlank();
        assertThat(answer.body()).doesNotContain("Failed to invoke", "${", "Exception", "org.apache", "<html");
    }

    @Test
    void pending_lists_metadata_and_never_the_content() throws Exception {
        startClient();
        store(BOB, "first secret text", "second");

        HttpResponse<String> answer = get("/admin/recipients/" + BOB + "/messages");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode json = body(answer);
        assertThat(json.path("recipient").asText()).isEqualTo(BOB);
        assertThat(json.path("count").asInt()).isEqualTo(2);
        JsonNode first = json.path("messages").get(0);
        assertThat(first.path("sender").asText()).isEqualTo(ALICE);
        assertThat(first.path("contentType").asText()).isEqualTo("text/plain");
        assertThat(first.path("size").asInt()).isEqualTo("first secret text".length());
        assertThat(first.path("messageId").asText()).matches("[0-9a-f]{32}");
        assertThat(first.path("dateTime").asText()).isNotEmpty();
        assertThat(first.path("expiresAt").asText()).isNotEmpty();
        assertThat(answer.body()).doesNotContain("secret");
    }

    @Test
    void bad_recipients_get_400_with_the_reason_and_no_credentials_get_401() throws Exception {
        HttpResponse<String> bad = get("/admin/recipients/mailto:bob@127.0.0.1/messages");
        assertJsonError(bad, 400);
        assertThat(body(bad).path("error").asText()).contains("sip, sips or tel").contains("mailto:bob@127.0.0.1");

        assertThat(get("/admin/recipients/" + BOB + "/messages", null, null).statusCode()).isEqualTo(401);
        assertThat(get("/admin/store", USER, "wrong").statusCode()).isEqualTo(401);
        assertThat(send(HttpRequest.newBuilder(uri("/admin/recipients/" + BOB + "/messages")).DELETE(), null, null)
                .statusCode()).isEqualTo(401);
    }

    @Test
    void purge_deletes_one_recipients_messages() throws Exception {
        startClient();
        store(BOB, "one", "two");
        store("sip:carl@127.0.0.1", "for carl");

        HttpResponse<String> purged = delete("/admin/recipients/" + BOB + "/messages");

        assertThat(purged.statusCode()).as(purged.body()).isEqualTo(200);
        assertThat(body(purged).path("purged").asInt()).isEqualTo(2);
        assertThat(body(get("/admin/recipients/" + BOB + "/messages")).path("count").asInt()).isZero();
        assertThat(body(get("/admin/recipients/sip:carl@127.0.0.1/messages")).path("count").asInt()).isEqualTo(1);
    }

    @Test
    void push_goes_to_the_registered_contact_or_the_one_given() throws Exception {
        startClient();
        store(BOB, "one");

        HttpResponse<String> unregistered = post("/admin/recipients/" + BOB + "/push");
        assertThat(unregistered.statusCode()).isEqualTo(404);
        assertThat(body(unregistered).path("error").asText()).contains(BOB).contains("not registered");
        assertThat(post("/admin/recipients/" + BOB + "/push?contact=mailto:x").statusCode()).isEqualTo(400);

        HttpResponse<String> requested = post("/admin/recipients/" + BOB + "/push?contact=" + client.contact("bob"));
        assertThat(requested.statusCode()).as(requested.body()).isEqualTo(202);
        assertThat(body(requested).path("contact").asText()).isEqualTo(client.contact("bob"));
        assertThat(body(requested).path("recipient").asText()).isEqualTo(BOB);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(msrp.frames())
                .anySatisfy(f -> assertThat(f.bodyText()).contains("one")));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(body(get("/admin/recipients/" + BOB + "/messages")).path("count").asInt()).isZero());
        // its push request is gone once the push ended
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertJsonError(get(requested.headers().firstValue("Location").orElseThrow()), 404));
    }

    @Test
    void push_answers_202_before_the_push_ends_with_a_location_and_no_internal_headers() throws Exception {
        startClient();
        // the client rings and never answers: the push runs until the INVITE times out, long after the 202
        client.ringOnly();
        store(BOB, "one");

        HttpResponse<String> requested = post("/admin/recipients/" + BOB + "/push?contact=" + client.contact("bob"));

        assertThat(requested.statusCode()).as(requested.body()).isEqualTo(202);
        String location = "/admin/push-requests/" + BOB;
        assertThat(requested.headers().firstValue("Location")).hasValue(location);
        assertThat(body(requested).path("pushRequest").asText()).isEqualTo(location);
        assertThat(requested.headers().map().keySet()).allSatisfy(h -> assertThat(h.toLowerCase(Locale.ROOT))
                .isIn("content-type", "content-length", "location", "transfer-encoding", "date", ":status"));

        client.awaitRequest("INVITE", Duration.ofSeconds(30));
        JsonNode running = body(get(location));
        assertThat(running.path("state").asText()).isEqualTo("running");
        assertThat(running.path("recipient").asText()).isEqualTo(BOB);
        assertThat(running.path("contact").asText()).isEqualTo(client.contact("bob"));
        assertThat(running.path("runningOn").asText()).isNotBlank();
        JsonNode listed = body(get("/admin/push-requests"));
        assertThat(listed.path("count").asInt()).isEqualTo(1);
        assertThat(listed.path("pushRequests").get(0).path("recipient").asText()).isEqualTo(BOB);
        assertJsonError(get("/admin/push-requests?limit=0"), 400);
    }

    @Test
    void unknown_paths_wrong_methods_and_media_types_are_answered_in_json() throws Exception {
        assertJsonError(get("/admin/nothing-here"), 404);
        assertJsonError(get("/not-admin-either"), 404);

        HttpResponse<String> put = put("/admin/store", "application/json", "{}");
        assertJsonError(put, 405);
        assertThat(put.headers().firstValue("Allow")).hasValue("GET");
        HttpResponse<String> onMessages = put("/admin/recipients/" + BOB + "/messages", "application/json", "{}");
        assertJsonError(onMessages, 405);
        assertThat(onMessages.headers().firstValue("Allow")).hasValue("DELETE, GET");
        HttpResponse<String> getPush = get("/admin/recipients/" + BOB + "/push");
        assertJsonError(getPush, 405);
        assertThat(getPush.headers().firstValue("Allow")).hasValue("POST");

        assertJsonError(put("/admin/loggers/org.imdp", "text/plain", "{\"level\":\"DEBUG\"}"), 415);
        // the credentials are asked before anything is said about a path
        assertThat(get("/admin/nothing-here", null, null).statusCode()).isEqualTo(401);
    }

    @Test
    void an_unforeseen_failure_is_a_500_without_internals() throws Exception {
        // the store's database goes away under the admin API
        context.hasService(StoreDatabase.class).stop();

        HttpResponse<String> failed = get("/admin/store");

        assertJsonError(failed, 500);
        assertThat(body(failed).path("error").asText())
                .isEqualTo("internal error on GET /admin/store: the reason is in the service's log");
        assertThat(failed.body()).doesNotContainIgnoringCase("hikari").doesNotContainIgnoringCase("sql");
    }

    @Test
    void registrations_are_listed_with_contact_and_expiry() throws Exception {
        startClient();
        client.register("sip:dora@127.0.0.1", 600);
        client.register(BOB, 600);

        JsonNode listed = body(get("/admin/registrations"));

        assertThat(listed.path("count").asInt()).isEqualTo(2);
        JsonNode first = listed.path("registrations").get(0);
        assertThat(first.path("recipient").asText()).isEqualTo(BOB);
        assertThat(first.path("contact").asText()).contains(":" + client.port());
        assertThat(first.path("expiresAt").asText()).isNotBlank();
        assertThat(listed.path("registrations").get(1).path("recipient").asText()).isEqualTo("sip:dora@127.0.0.1");
        assertThat(body(get("/admin/registrations?limit=1")).path("registrations").size()).isEqualTo(1);
    }

    @Test
    void dead_letters_are_browsed_without_content_and_replayed_exactly_once() throws Exception {
        String dlq = "im.deferred.intake.dlq";
        assertThat(body(get("/admin/queues")).path("queues").findValuesAsText("queue"))
                .containsExactly(dlq, "im.charging.dlq", "im.imdn.dlq", "im.deferred.refused");
        // a recipient outside the home domains: the intake refuses it into its dead-letter queue
        template.sendBodyAndHeaders("jms:queue:im.deferred.intake", "the secret content",
                Map.of("imdpRecipient", "sip:bob@elsewhere.example", "imdpSender", ALICE, "imdpContentType", "text/plain"));
        JsonNode parked = await().atMost(Duration.ofSeconds(30)).until(
                () -> body(get("/admin/queues/" + dlq + "/messages")), b -> b.path("count").asInt() == 1);

        JsonNode message = parked.path("messages").get(0);
        String id = message.path("messageId").asText();
        assertThat(id).startsWith("ID:");
        assertThat(message.path("properties").path("imdpRecipient").asText()).isEqualTo("sip:bob@elsewhere.example");
        assertThat(message.path("properties").path("imdpRejectReason").asText()).isNotBlank();
        assertThat(message.path("size").asInt()).as(parked.toString()).isPositive();
        assertThat(parked.toString()).doesNotContain("secret");

        HttpResponse<String> replayed = post("/admin/queues/" + dlq + "/messages/" + id + "/replay");
        assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(200);
        assertThat(body(replayed).path("replayedTo").asText()).isEqualTo("im.deferred.intake");
        // once: the same dead letter is no longer there
        assertJsonError(post("/admin/queues/" + dlq + "/messages/" + id + "/replay"), 404);
        // it went through the intake again, which refused it again: one dead letter, a new one
        JsonNode again = await().atMost(Duration.ofSeconds(30)).until(
                () -> body(get("/admin/queues/" + dlq + "/messages")),
                b -> b.path("count").asInt() == 1 && !b.path("messages").get(0).path("messageId").asText().equals(id));
        assertThat(again.path("messages").get(0).path("properties").path("imdpRecipient").asText())
                .isEqualTo("sip:bob@elsewhere.example");

        assertJsonError(get("/admin/queues/im.nothing/messages"), 404);
        assertJsonError(post("/admin/queues/im.deferred.refused/messages/" + id + "/replay"), 409);
        assertJsonError(post("/admin/queues/" + dlq + "/messages/not-an-id/replay"), 400);
    }

    @Test
    void a_charging_dead_letter_goes_back_to_the_charging_queue_past_its_duplicate_detection() throws Exception {
        String dlq = "im.charging.dlq";
        // an event the charging route cannot read: parked by route charging-dlq; its duplicate id (as charging-relay
        // sets it) is in im.charging's duplicate cache from then on
        template.sendBodyAndHeader("jms:queue:im.charging", "not a charging event", "_AMQ_DUPL_ID", "event-1");
        JsonNode parked = await().atMost(Duration.ofSeconds(30)).until(
                () -> body(get("/admin/queues/" + dlq + "/messages")), b -> b.path("count").asInt() == 1);
        JsonNode message = parked.path("messages").get(0);
        String id = message.path("messageId").asText();
        assertThat(message.path("properties").path("imdpChargingFailureReason").asText()).isNotBlank();
        assertThat(message.path("properties").path("imdpPossiblySent").asBoolean()).isTrue();
        assertThat(parked.toString()).doesNotContain("not a charging event");

        HttpResponse<String> replayed = post("/admin/queues/" + dlq + "/messages/" + id + "/replay");

        assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(200);
        assertThat(body(replayed).path("replayedTo").asText()).isEqualTo("im.charging");
        // not dropped as a duplicate: the charging route took it again, and parked it again
        await().atMost(Duration.ofSeconds(30)).until(() -> body(get("/admin/queues/" + dlq + "/messages")),
                b -> b.path("count").asInt() == 1 && !b.path("messages").get(0).path("messageId").asText().equals(id));
        assertJsonError(post("/admin/queues/" + dlq + "/messages/" + id + "/replay"), 404);
    }

    @Test
    void imdn_dead_letters_go_back_to_the_queue_they_came_from() throws Exception {
        String dlq = "im.imdn.dlq";
        // as imdn-errors parks one: the IMDN of an expired message (no negative-delivery asked: the route drops it)
        template.sendBodyAndHeaders("jms:queue:" + dlq, "the secret content", Map.of("imdpRecipient", BOB,
                "imdpSender", ALICE, "imdpMessageId", "m1", "imdpImdnSource", "im.deferred.expired"));
        // parked by an earlier version: it does not say where it came from
        template.sendBodyAndHeaders("jms:queue:" + dlq, "the secret content", Map.of("imdpRecipient", BOB,
                "imdpSender", ALICE, "imdpMessageId", "m2"));
        JsonNode parked = await().atMost(Duration.ofSeconds(30)).until(
                () -> body(get("/admin/queues/" + dlq + "/messages")), b -> b.path("count").asInt() == 2);
        assertThat(parked.toString()).doesNotContain("secret");
        String fromExpired = parked.path("messages").get(0).path("messageId").asText();
        String unknown = parked.path("messages").get(1).path("messageId").asText();

        HttpResponse<String> replayed = post("/admin/queues/" + dlq + "/messages/" + fromExpired + "/replay");
        assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(200);
        assertThat(body(replayed).path("replayedTo").asText()).isEqualTo("im.deferred.expired");
        assertJsonError(post("/admin/queues/" + dlq + "/messages/" + unknown + "/replay"), 409);
        // the one left is the one that could not go back; the replayed one was taken by route imdn-expired
        assertThat(body(get("/admin/queues/" + dlq + "/messages")).path("messages").findValuesAsText("messageId"))
                .containsExactly(unknown);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(context.getCamelContextExtension()
                .getContextPlugin(ManagedCamelContext.class).getManagedRoute("imdn-expired").getExchangesTotal()).isEqualTo(1));
    }

    @Test
    void log_levels_are_read_and_changed_at_runtime() throws Exception {
        String name = "org.imdp.ops.admin_test";
        assertThat(body(get("/admin/loggers")).path("loggers").path("ROOT").asText()).isNotBlank();
        assertThat(body(get("/admin/loggers/" + name)).path("effectiveLevel").asText()).isNotEqualTo("TRACE");
        assertThat(LogManager.getLogger(name).isTraceEnabled()).isFalse();

        HttpResponse<String> changed = put("/admin/loggers/" + name, "application/json", "{\"level\": \"trace\"}");

        assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
        assertThat(body(changed).path("configuredLevel").asText()).isEqualTo("TRACE");
        assertThat(body(get("/admin/loggers/" + name)).path("effectiveLevel").asText()).isEqualTo("TRACE");
        assertThat(body(get("/admin/loggers")).path("loggers").path(name).asText()).isEqualTo("TRACE");
        assertThat(LogManager.getLogger(name).isTraceEnabled()).isTrue();

        assertJsonError(put("/admin/loggers/" + name, "application/json", "{\"level\": \"LOUD\"}"), 400);
        assertJsonError(put("/admin/loggers/" + name, "application/json", "not json"), 400);
        assertJsonError(get("/admin/loggers/not..a..name"), 400);
        assertThat(put("/admin/loggers/" + name, "application/json", "{\"level\": \"INFO\"}").statusCode()).isEqualTo(200);
    }

    @Test
    void the_openapi_document_has_every_operation_the_routes_serve() throws Exception {
        HttpResponse<String> answer = get("/admin/openapi.json");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode doc = body(answer);
        assertThat(doc.path("openapi").asText()).startsWith("3.");
        Set<String> documented = new TreeSet<>();
        doc.path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames()
                .forEachRemaining(method -> documented.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey())));
        Set<String> served = new TreeSet<>();
        for (RestRegistry.RestService service : context.getRestRegistry().listAllRestServices()) {
            if (!service.isSpecification()) {
                served.add(service.getMethod().toUpperCase(Locale.ROOT) + " " + service.getBasePath()
                           + service.getUriTemplate());
            }
        }
        assertThat(documented).isEqualTo(served).hasSize(13);
        assertThat(doc.path("paths").path("/admin/recipients/{recipient}/push").path("post").path("responses")
                .has("202")).isTrue();
        assertThat(get("/admin/openapi.json", null, null).statusCode()).isEqualTo(401);
    }

    @Test
    void store_statistics_at_a_glance() throws Exception {
        startClient();
        store(BOB, "one", "two");
        store("sip:carl@127.0.0.1", "for carl");
        client.register("sip:dora@127.0.0.1", 600);

        JsonNode stats = body(get("/admin/store"));

        assertThat(stats.path("recipients").asLong()).isEqualTo(2);
        assertThat(stats.path("storedMessages").asLong()).isEqualTo(3);
        assertThat(stats.path("registrations").asInt()).isEqualTo(1);
        assertThat(stats.path("expiredMessages").asLong()).isZero();
        assertThat(stats.path("chargingPending").asLong()).isZero();
        assertThat(stats.path("largestRecipients").path(BOB).asLong()).isEqualTo(2);
    }
}
