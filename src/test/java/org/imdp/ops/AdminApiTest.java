package org.imdp.ops;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The admin API (routes/admin.xml) over HTTP, against the running service and a real IM Client. */
class AdminApiTest extends OpsTestSupport {

    static final String BOB = "sip:bob@127.0.0.1";

    HttpResponse<String> delete(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).DELETE(), USER, PASSWORD);
    }

    HttpResponse<String> post(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()), USER, PASSWORD);
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
        assertThat(bad.statusCode()).isEqualTo(400);
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
