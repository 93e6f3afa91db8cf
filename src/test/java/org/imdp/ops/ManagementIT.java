package org.imdp.ops;

import org.imdp.test.TestPorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.imdp.test.peers.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged service (java -jar, its own config/ and routes/) as an operator meets it: health without
 * credentials, Jolokia (what Hawtio talks to) and the admin API only with them.
 */
class ManagementIT {

    private static final String PASSWORD = "it-only-secret";

    @TempDir
    static Path dataDir;

    private static int managementPort;
    private static ServiceProcess service;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        managementPort = TestPorts.next();
        service = ServiceProcess.builder()
                .property("imdp.sip.port", String.valueOf(TestPorts.next()))
                .property("imdp.msrp.port", String.valueOf(TestPorts.next()))
                .property("imdp.broker.embedded.port", String.valueOf(TestPorts.next()))
                .property("imdp.data-dir", dataDir.toString())
                .property("imdp.ch1.peers", "127.0.0.1:" + TestPorts.next())
                .property("camel.management.port", String.valueOf(managementPort))
                .property("imdp.management.password", PASSWORD)
                .start();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    private HttpResponse<String> get(String path, String password) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                .timeout(Duration.ofSeconds(30));
        if (password != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void liveness_is_up_without_credentials() throws Exception {
        HttpResponse<String> live = get("/observe/health/live", null);
        assertThat(live.statusCode()).as(live.body()).isEqualTo(200);
    }

    @Test
    void ready_on_the_embedded_defaults_without_a_charging_enabler() throws Exception {
        // as the README's first command: embedded broker and store, and nothing at imdp.ch1.peers
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> ready = get("/observe/health/ready", null);
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        });
        JsonNode checks = new ObjectMapper().readTree(get("/observe/health?data=true", null).body()).path("checks");
        JsonNode ch1 = null;
        for (JsonNode check : checks) {
            if (check.path("name").asText().equals("ch1-peers")) {
                ch1 = check;
            }
        }
        assertThat(ch1).as(checks.toString()).isNotNull();
        assertThat(ch1.path("status").asText()).isEqualTo("DOWN");
    }

    @Test
    void jolokia_reads_mbean_attributes_with_credentials_and_refuses_without() throws Exception {
        String storeRead = "/observe/jolokia/read/org.imdp:context=im-deferred-push,type=store/StoredMessages";

        HttpResponse<String> read = get(storeRead, PASSWORD);
        assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
        JsonNode answer = new ObjectMapper().readTree(read.body());
        assertThat(answer.path("status").asInt()).as(read.body()).isEqualTo(200);
        assertThat(answer.path("value").asLong()).isZero();

        HttpResponse<String> camel = get("/observe/jolokia/read/org.apache.camel:context=im-deferred-push,type=context,name=%22im-deferred-push%22/State", PASSWORD);
        assertThat(new ObjectMapper().readTree(camel.body()).path("value").asText()).as(camel.body()).isEqualTo("Started");

        assertThat(get(storeRead, null).statusCode()).isEqualTo(401);
        assertThat(get(storeRead, "wrong").statusCode()).isEqualTo(401);
        assertThat(get("/admin/store", null).statusCode()).isEqualTo(401);
        assertThat(get("/admin/store", PASSWORD).statusCode()).isEqualTo(200);
        // the packaged jar serves the admin API's OpenAPI document (camel-openapi-java is in it)
        HttpResponse<String> openApi = get("/admin/openapi.json", PASSWORD);
        assertThat(openApi.statusCode()).as(openApi.body()).isEqualTo(200);
        assertThat(new ObjectMapper().readTree(openApi.body()).path("paths").has("/admin/recipients/{recipient}/push")).isTrue();
    }
}
