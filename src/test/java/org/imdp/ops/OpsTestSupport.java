package org.imdp.ops;

import org.imdp.test.TestPorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Properties;

import javax.management.ObjectName;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.imdp.test.ServiceMainTestSupport;
import org.imdp.sipmsrp.SipTestClient;
import org.imdp.sipmsrp.msrp.MsrpTestPeer;
import org.junit.jupiter.api.AfterEach;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service in-process on its real configuration and routes (real SIP/MSRP component, embedded broker, no
 * Charging Enabler) with the management server on a free port, used as an operator does: a real HTTP client for
 * health, metrics, Jolokia and the admin API, the platform MBean server for JMX, and the team's SIP/MSRP test
 * client as the IM Client. Subclasses are the operator's tasks.
 */
abstract class OpsTestSupport extends ServiceMainTestSupport {

    static final String USER = "ops";
    static final String PASSWORD = "test-only-secret";
    static final String ALICE = "sip:alice@127.0.0.1";

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final ObjectMapper json = new ObjectMapper();
    int managementPort;
    int sipPort;
    SipTestClient client;
    MsrpTestPeer msrp;

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        // called from the super constructor, before this class's fields are initialised
        managementPort = TestPorts.next();
        sipPort = TestPorts.next();
        // no Charging Enabler listens at imdp.ch1.peers: charging records wait (store, then im.charging)
        Properties p = serviceProperties("ops-test");
        p.put("imdp.sip.port", String.valueOf(sipPort));
        p.put("camel.management.port", String.valueOf(managementPort));
        p.put("imdp.management.user", USER);
        p.put("imdp.management.password", PASSWORD);
        return p;
    }

    @Override
    protected boolean useJmx() {
        return true;
    }

    @AfterEach
    void closeClient() {
        if (msrp != null) {
            msrp.close();
        }
        if (client != null) {
            client.close();
        }
    }

    // --- helpers -------------------------------------------------------------------------------------------

    HttpResponse<String> get(String path, String user, String password) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).GET(), user, password);
    }

    HttpResponse<String> get(String path) throws Exception {
        return get(path, USER, PASSWORD);
    }

    HttpResponse<String> send(HttpRequest.Builder request, String user, String password) throws Exception {
        if (user != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + managementPort + path);
    }

    JsonNode body(HttpResponse<String> response) throws Exception {
        return json.readTree(response.body());
    }

    ObjectName mbean(String type) throws Exception {
        return Operations.objectName(context, type);
    }

    void startClient() throws Exception {
        client = SipTestClient.start("127.0.0.1", sipPort);
        msrp = new MsrpTestPeer().start(0);
        client.answerWithMsrp(msrp.path(), "passive");
    }

    void store(String recipient, String... texts) throws Exception {
        for (String text : texts) {
            assertThat(client.sendMessage(ALICE, recipient, "text/plain", text.getBytes(StandardCharsets.UTF_8)))
                    .as("MESSAGE %s", text).isEqualTo(202);
        }
    }

}
