package org.imdp.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * killed too. And the image's {@code HEALTHCHECK} (docker/Dockerfile), run as Docker would run it in the container
 * (there is no Docker engine here): healthy while ready, unhealthy when not.
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

    /** The exec form of docker/Dockerfile's HEALTHCHECK, run with the container's CAMEL_MANAGEMENT_PORT; its exit code. */
    private int dockerHealthcheck() throws Exception {
        String dockerfile = Files.readString(Path.of("docker", "Dockerfile")).replace("\\\n", " ");
        Matcher cmd = Pattern.compile("(?m)^HEALTHCHECK .*?CMD (\\[.*\\])$").matcher(dockerfile);
        assertThat(cmd.find()).as("a HEALTHCHECK in exec form in docker/Dockerfile").isTrue();
        List<String> command = List.of(json.readValue(cmd.group(1), String[].class));
        ProcessBuilder probe = new ProcessBuilder(command).redirectErrorStream(true);
        probe.environment().put("CAMEL_MANAGEMENT_PORT", String.valueOf(managementPort));
        Process process = probe.start();
        // Docker's --timeout
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the HEALTHCHECK command ends").isTrue();
        return process.exitValue();
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
                assertThat(dockerHealthcheck()).as("Docker's HEALTHCHECK while ready").isZero();

                postgres.close();
                await().atMost(WAIT).untilAsserted(() -> {
                    HttpResponse<String> ready = get("/observe/health/ready");
                    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
                    assertThat(status(ready, "store")).isEqualTo("DOWN");
                    assertThat(status(ready, "broker")).isEqualTo("UP");
                });
                HttpResponse<String> live = get("/observe/health/live");
                assertThat(live.statusCode()).as(live.body()).isEqualTo(200);
                assertThat(dockerHealthcheck()).as("Docker's HEALTHCHECK while not ready").isNotZero();

                broker.kill();
                await().atMost(WAIT).untilAsserted(() -> {
                    HttpResponse<String> ready = get("/observe/health/ready");
                    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
                    assertThat(status(ready, "broker")).isEqualTo("DOWN");
                });
                live = get("/observe/health/live");
                assertThat(live.statusCode()).as(live.body()).isEqualTo(200);
                // the details still answer, the Charging Enabler's among them, with neither backend to count its events
                HttpResponse<String> details = get("/observe/health?data=true");
                assertThat(details.statusCode()).as(details.body()).isEqualTo(503);
                assertThat(status(details, "ch1-peers")).isEqualTo("DOWN");
                assertThat(service.isAlive()).isTrue();
            } finally {
                broker.close();
            }
        }
    }
}
