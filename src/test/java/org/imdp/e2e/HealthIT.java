package org.imdp.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.imdp.test.TestPorts;
import org.imdp.test.peers.PostgresServer;
import org.imdp.test.peers.ServiceProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Liveness and readiness of the packaged service as a load balancer and a supervisor see them, with its backends
 * outside it (the store on a real PostgreSQL server, the broker another jar's embedded Artemis) and no Charging
 * Enabler at all: ready without one; not ready, but alive, when the store's database stops, and when the broker is
 * killed too.
 */
class HealthIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path brokerData;
    @TempDir
    Path serviceData;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final int managementPort = TestPorts.next();

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String status(HttpResponse<String> health, String check) throws Exception {
        for (JsonNode c : json.readTree(health.body()).path("checks")) {
            if (c.path("name").asText().equals(check)) {
                return c.path("status").asText();
            }
        }
        throw new AssertionError("no check " + check + " in " + health.body());
    }

    @Test
    void ready_without_a_charging_enabler_not_ready_but_alive_without_its_store_or_its_broker() throws Exception {
        int brokerPort = TestPorts.next();
        try (PostgresServer postgres = PostgresServer.start()) {
            String store = postgres.newDatabase();
            ServiceProcess broker = Services.onFreePorts(TestPorts.next(), brokerData)
                    .property("imdp.broker.embedded.port", String.valueOf(brokerPort)).start();
            // imdp.ch1.peers: a port where nothing listens, as on the README's first command
            try (ServiceProcess service = Services.onFreePorts(TestPorts.next(), serviceData)
                    .property("imdp.broker.url", "tcp://127.0.0.1:" + brokerPort)
                    .property("imdp.store.url", store)
                    .property("camel.management.port", String.valueOf(managementPort)).start()) {
                await().atMost(WAIT).untilAsserted(() -> assertThat(get("/observe/health/ready").statusCode()).isEqualTo(200));
                assertThat(get("/observe/health/live").statusCode()).isEqualTo(200);
                HttpResponse<String> all = get("/observe/health?data=true");
                assertThat(status(all, "ch1-peers")).isEqualTo("DOWN");
                assertThat(status(all, "store")).isEqualTo("UP");

                postgres.close();
                await().atMost(WAIT).untilAsserted(() -> {
                    HttpResponse<String> ready = get("/observe/health/ready");
                    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
                    assertThat(status(ready, "store")).isEqualTo("DOWN");
                    assertThat(status(ready, "broker")).isEqualTo("UP");
                });
                HttpResponse<String> live = get("/observe/health/live");
                assertThat(live.statusCode()).as(live.body()).isEqualTo(200);

                broker.kill();
                await().atMost(WAIT).untilAsserted(() -> {
                    HttpResponse<String> ready = get("/observe/health/ready");
                    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
                    assertThat(status(ready, "broker")).isEqualTo("DOWN");
                });
                live = get("/observe/health/live");
                assertThat(live.statusCode()).as(live.body()).isEqualTo(200);
                assertThat(service.isAlive()).isTrue();
            } finally {
                broker.close();
            }
        }
    }
}
