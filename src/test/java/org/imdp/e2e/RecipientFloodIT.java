package org.imdp.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import javax.sip.header.WarningHeader;
import javax.sip.message.Response;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.imdp.sipmsrp.SipTestClient;
import org.imdp.sipmsrp.msrp.MsrpTestPeer;
import org.imdp.test.StoreFile;
import org.imdp.test.TestPorts;
import org.imdp.test.peers.ServiceProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 11, the recipient flood: MESSAGEs to 1,200 invented recipients of the service's home domain, against the jar with a
 * 96 MiB heap (a 256 MiB heap ran out of memory with about 1,500 invented recipients before the store left the broker)
 * and a cap of 300 recipients with messages stored. Every MESSAGE is answered; past the cap with 507 and a Warning
 * naming the key; the store holds exactly the first 300 (its rows counted); the refusals are counted; health says the
 * store is full while readiness stays up; the full store still delivers, and the room a push makes is taken again.
 */
class RecipientFloodIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int FLOOD = 1200;
    private static final int MAX_RECIPIENTS = 300;
    private static final String PASSWORD = "flood-test-secret";

    @TempDir
    Path dataDir;

    private final HttpClient http = HttpClient.newHttpClient();

    /** Invented users of the service's own domain: recipients of other domains get 404 before any cap counts. */
    private static String invented(int i) {
        return "sip:flood" + i + "@127.0.0.1";
    }

    @Test
    void invented_recipients_stay_under_the_cap_and_the_full_store_still_delivers() throws Exception {
        int sipPort = TestPorts.next();
        int managementPort = TestPorts.next();
        try (ServiceProcess service = Services.onFreePorts(sipPort, dataDir)
                     .jvmOption("-Xmx96m")
                     .property("imdp.store.max-recipients", String.valueOf(MAX_RECIPIENTS))
                     .property("camel.management.port", String.valueOf(managementPort))
                     .property("imdp.management.password", PASSWORD).start();
             SipTestClient client = SipTestClient.start("127.0.0.1", sipPort);
             MsrpTestPeer msrp = new MsrpTestPeer().start(0)) {
            int accepted = 0;
            List<String> warnings = new ArrayList<>();
            for (int i = 0; i < FLOOD; i++) {
                Response answer = client.send(client.newMessage("sip:mallory@127.0.0.1", invented(i), "text/plain",
                        ("hello " + i).getBytes(StandardCharsets.UTF_8)));
                if (answer.getStatusCode() == 202) {
                    accepted++;
                } else {
                    assertThat(answer.getStatusCode()).as("answer to MESSAGE %d", i).isEqualTo(507);
                    warnings.add(((WarningHeader) answer.getHeader(WarningHeader.NAME)).getText());
                }
            }
            assertThat(accepted).isEqualTo(MAX_RECIPIENTS);
            assertThat(warnings).hasSize(FLOOD - MAX_RECIPIENTS)
                    .allSatisfy(w -> assertThat(w).contains("imdp.store.max-recipients " + MAX_RECIPIENTS));
            assertThat(StoreFile.storedMessages(dataDir)).isEqualTo(MAX_RECIPIENTS);
            assertThat(StoreFile.recipients(dataDir)).isEqualTo(MAX_RECIPIENTS);

            assertThat(get(managementPort, "/observe/metrics").body())
                    .contains("imdp_intake_refused_total{reason=\"store_full\"} " + (FLOOD - MAX_RECIPIENTS) + ".0");
            JsonNode capacity = check(get(managementPort, "/observe/health?data=true"), "store-capacity");
            assertThat(capacity.path("status").asText()).isEqualTo("DOWN");
            assertThat(capacity.path("message").asText()).startsWith("full: imdp.store.max-recipients 300");
            assertThat(capacity.path("data").path("recipients").asLong()).isEqualTo(MAX_RECIPIENTS);
            assertThat(get(managementPort, "/observe/health/ready").statusCode()).isEqualTo(200);

            // full, it still delivers: a recipient with messages stored registers and gets them
            client.answerWithMsrp(msrp.path(), "passive");
            client.register(invented(0), 600);
            service.waitForLog(Pattern.compile("Push to " + Pattern.quote(invented(0)) + " .*1 acknowledged"), WAIT);
            await().atMost(WAIT).until(() -> StoreFile.storedFor(dataDir, invented(0)) == 0);
            // and the room it made is there for the next recipient
            assertThat(client.sendMessage("sip:mallory@127.0.0.1", invented(FLOOD), "text/plain",
                    "one more".getBytes(StandardCharsets.UTF_8))).isEqualTo(202);
            assertThat(StoreFile.recipients(dataDir)).isEqualTo(MAX_RECIPIENTS);
            assertThat(service.isAlive()).isTrue();
            assertThat(service.logText()).doesNotContain("OutOfMemoryError");
        }
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode check(HttpResponse<String> health, String name) throws Exception {
        for (JsonNode c : new ObjectMapper().readTree(health.body()).path("checks")) {
            if (c.path("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no health check " + name + " in " + health.body());
    }
}
