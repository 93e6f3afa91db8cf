package org.imdp.ops;

import java.lang.management.ManagementFactory;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.management.ObjectNameBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Health, Jolokia, JMX and metrics of the running service, as an operator sees them. */
class ManagementTest extends OpsTestSupport {

    // --- health --------------------------------------------------------------------------------------------

    @Test
    void liveness_is_the_jvm_readiness_is_broker_store_and_sip_and_neither_waits_for_the_charging_enabler()
            throws Exception {
        HttpResponse<String> live = get("/observe/health/live", null, null);
        assertThat(live.statusCode()).as(live.body()).isEqualTo(200);
        assertThat(body(live).path("status").asText()).isEqualTo("UP");
        // nothing outside the JVM: Camel's context only
        assertThat(body(live).path("checks").findValuesAsText("name")).containsExactly("context");

        HttpResponse<String> all = get("/observe/health?data=true", null, null);
        JsonNode checks = body(all).path("checks");
        assertThat(check(checks, "broker").path("status").asText()).isEqualTo("UP");
        assertThat(check(checks, "sip-listening-points").path("status").asText()).isEqualTo("UP");
        assertThat(check(checks, "sip-listening-points").path("data").path("listening").asText())
                .contains("127.0.0.1:" + sipPort);
        assertThat(check(checks, "routes").path("status").asText()).isEqualTo("UP");
        assertThat(check(checks, "version").path("data").path("version").asText()).isEqualTo(BuildVersion.version());
        assertThat(checks.findValuesAsText("name")).noneMatch(n -> n.startsWith("route:") || n.startsWith("consumer:"));
        // the Charging Enabler's outage, in the details: the peer down since its first failed attempt
        String peer = context.resolvePropertyPlaceholders("{{imdp.ch1.peers}}");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode ch1 = check(body(get("/observe/health?data=true", null, null)).path("checks"), "ch1-peers");
            assertThat(ch1.path("status").asText()).isEqualTo("DOWN");
            assertThat(ch1.path("message").asText()).contains("no open peer").contains("charging event(s) wait");
            assertThat(ch1.path("data").path("peer " + peer).asText()).startsWith("down for ");
            assertThat(ch1.path("data").has("charging-pending")).as(ch1.toString()).isTrue();
            assertThat(ch1.path("data").has("charging-oldest-pending-seconds")).as(ch1.toString()).isTrue();
        });

        // without a Charging Enabler the service still takes in, stores and pushes; the records wait durably
        HttpResponse<String> ready = get("/observe/health/ready", null, null);
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(body(ready).path("checks").findValuesAsText("name"))
                .containsExactlyInAnyOrder("context", "broker", "store", "sip-listening-points");
        // the outage shows as a gauge per peer
        String metrics = get("/observe/metrics", null, null).body();
        assertThat(series(metrics, "imdp_ch1_peer_up{peer=\"" + peer + "\"}")).isZero();
        assertThat(series(metrics, "imdp_ch1_peer_down_seconds{peer=\"" + peer + "\"}")).isPositive();
        assertThat(series(metrics, "imdp_charging_oldest_pending_seconds")).isNotNegative();
    }

    /** The value of one series in the Prometheus text format. */
    static double series(String metrics, String series) {
        return metrics.lines().filter(l -> l.startsWith(series + " "))
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim())).findFirst()
                .orElseThrow(() -> new AssertionError("no series " + series + " in\n" + metrics));
    }

    private static JsonNode check(JsonNode checks, String name) {
        for (JsonNode c : checks) {
            if (c.path("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no health check " + name + " in " + checks);
    }

    // --- Jolokia -------------------------------------------------------------------------------------------

    @Test
    void jolokia_reads_an_mbean_attribute_with_credentials_only() throws Exception {
        startClient();
        store("sip:jo@127.0.0.1", "one", "two");
        String read = "/observe/jolokia/read/" + mbean("store") + "/StoredMessages";

        HttpResponse<String> answer = get(read);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(body(answer).path("value").asLong()).isEqualTo(2);

        assertThat(get(read, null, null).statusCode()).isEqualTo(401);
        assertThat(get(read, USER, "wrong").statusCode()).isEqualTo(401);
        assertThat(get(read, null, null).headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                v -> assertThat(v).startsWith("Basic"));
        // health and metrics need no credentials
        assertThat(get("/observe/health", null, null).statusCode()).isIn(200, 503);
    }

    @Test
    void jolokia_lists_the_service_operations_parameters_by_name_with_a_description() throws Exception {
        // what Hawtio's Operations tab shows: "recipient", not Camel's default "p1"
        HttpResponse<String> list = get("/observe/jolokia/list/org.imdp/context=im-deferred-push,type=store/op");
        JsonNode ops = body(list).path("value");
        assertThat(ops.path("storedMessagesFor").path("args").get(0).path("name").asText()).as(list.body())
                .isEqualTo("recipient");
        assertThat(ops.path("storedMessagesFor").path("args").get(0).path("desc").asText()).contains("sip:bob@example.com");
        assertThat(ops.path("largestRecipients").path("args").get(0).path("name").asText()).isEqualTo("top");
        assertThat(ops.path("largestRecipients").path("args").get(0).path("type").asText()).isEqualTo("int");
    }

    @Test
    void jolokia_policy_allows_camel_routes_but_not_the_jvm_command_line() throws Exception {
        HttpResponse<String> routes = get("/observe/jolokia/search/org.apache.camel:type=routes,*");
        assertThat(body(routes).path("value").toString()).contains("admin-store-statistics");

        HttpResponse<String> args = get("/observe/jolokia/read/java.lang:type=Runtime/InputArguments");
        assertThat(body(args).path("status").asInt()).as(args.body()).isEqualTo(403);
    }

    @Test
    void jolokia_policy_refuses_the_brokers_operations_that_read_or_send_messages() throws Exception {
        String dlq = "im.imdn.dlq"; // pre-created and consumed by nobody: the message stays there
        template.sendBodyAndHeader("jms:queue:" + dlq, "the secret content", "imdpRecipient", "sip:bob@127.0.0.1");
        ObjectNameBuilder names = ObjectNameBuilder.create("org.apache.activemq.artemis", "imdp-embedded", true);
        String queue = names.getQueueObjectName(SimpleString.of(dlq), SimpleString.of(dlq), RoutingType.ANYCAST).toString();
        String address = names.getAddressObjectName(SimpleString.of("im.charging")).toString();
        String broker = names.getActiveMQServerObjectName().toString();

        // what an operator needs still works: the count, the queue's attributes
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                jolokia(Map.of("type", "read", "mbean", queue, "attribute", "MessageCount")).path("value").asLong())
                .isEqualTo(1));

        // Camel's JMS endpoint browses its queue too, as the service's broker user
        String endpoint = ManagementFactory.getPlatformMBeanServer()
                .queryNames(new javax.management.ObjectName("org.apache.camel:type=endpoints,*"), null).stream()
                .map(Object::toString).filter(n -> n.contains("jms://queue:" + dlq)).findFirst().orElseThrow();

        List<Map<String, Object>> refused = List.of(
                exec(endpoint, "browseAllMessagesAsXml(java.lang.Boolean)", true),
                exec(endpoint, "browseMessageBody(java.lang.Integer)", 0),
                exec(endpoint, "browseRangeMessagesAsXml(java.lang.Integer,java.lang.Integer,java.lang.Boolean)", 0, 1, true),
                exec(queue, "browse()"),
                exec(queue, "browse(java.lang.String)", ""),
                exec(queue, "browse(int,int)", 1, 10),
                exec(queue, "listMessages(java.lang.String)", ""),
                exec(queue, "listMessagesAsJSON(java.lang.String)", ""),
                exec(queue, "listScheduledMessages()"),
                exec(queue, "listScheduledMessagesAsJSON()"),
                exec(queue, "listDeliveringMessages()"),
                exec(queue, "listDeliveringMessagesAsJSON()"),
                exec(queue, "peekFirstMessageAsJSON()"),
                exec(queue, "peekFirstMessageAsJSON"), // an operation that is not overloaded may be named without its signature
                exec(queue, "listMessagesAsJSON", ""),
                exec(queue, "peekFirstScheduledMessageAsJSON()"),
                Map.of("type", "read", "mbean", queue, "attribute", "FirstMessageAsJSON"),
                exec(queue, "retryMessages()"),
                exec(queue, "moveMessages(java.lang.String,java.lang.String)", "", "im.charging"),
                exec(queue, "copyMessage(long,java.lang.String)", 1, "im.charging"),
                exec(queue, "sendMessagesToDeadLetterAddress(java.lang.String)", ""),
                exec(address, "sendMessage(java.util.Map,int,java.lang.String,boolean,java.lang.String,java.lang.String)",
                        Map.of(), 3, "{\"eventId\":\"forged\"}", true, null, null),
                exec(broker, "listPreparedTransactionDetailsAsJSON()"),
                exec(broker, "addSecuritySettings(java.lang.String,java.lang.String,java.lang.String,java.lang.String,"
                             + "java.lang.String,java.lang.String,java.lang.String,java.lang.String)",
                        "#", "guest", "guest", "", "", "", "", ""),
                exec(broker, "addUser(java.lang.String,java.lang.String,java.lang.String,boolean)", "x", "x", "imdp-service",
                        true));
        for (Map<String, Object> request : refused) {
            JsonNode answer = jolokia(request);
            assertThat(answer.path("status").asInt()).as("%s: %s", request, answer).isEqualTo(403);
            assertThat(answer.toString()).doesNotContain("the secret content");
        }
        // reading every attribute of the queue at once would include the first message: refused as a whole; the
        // attributes an operator reads, named, are answered
        JsonNode all = jolokia(Map.of("type", "read", "mbean", queue));
        assertThat(all.path("status").asInt()).as(all.toString()).isEqualTo(403);
        assertThat(all.toString()).doesNotContain("the secret content");
        JsonNode named = jolokia(Map.of("type", "read", "mbean", queue, "attribute", List.of("MessageCount", "ConsumerCount")));
        assertThat(named.path("value").path("MessageCount").asLong()).as(named.toString()).isEqualTo(1);
        // nothing was moved, copied or sent
        assertThat(jolokia(Map.of("type", "read", "mbean", queue, "attribute", "MessageCount")).path("value").asLong())
                .isEqualTo(1);
        assertThat(jolokia(Map.of("type", "read", "mbean", address, "attribute", "MessageCount")).path("value").asLong())
                .isZero();
    }

    private static Map<String, Object> exec(String mbean, String operation, Object... arguments) {
        Map<String, Object> request = new java.util.LinkedHashMap<>();
        request.put("type", "exec");
        request.put("mbean", mbean);
        request.put("operation", operation);
        request.put("arguments", java.util.Arrays.asList(arguments));
        return request;
    }

    /** One Jolokia request over POST, as Hawtio sends it. */
    private JsonNode jolokia(Map<String, Object> request) throws Exception {
        HttpResponse<String> answer = send(HttpRequest.newBuilder(uri("/observe/jolokia"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(request))), USER, PASSWORD);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return body(answer);
    }

    // --- JMX, metrics and the push counters, through a real push ---------------------------------------------

    @Test
    void a_push_shows_in_jmx_and_prometheus() throws Exception {
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        startClient();
        String ann = "sip:ann@127.0.0.1";
        store(ann, "one", "two");
        store("sip:ben@127.0.0.1", "for ben");

        assertThat(jmx.getAttribute(mbean("store"), "StoredMessages")).isEqualTo(3L);
        assertThat(jmx.getAttribute(mbean("store"), "Recipients")).isEqualTo(2L);
        assertThat(jmx.invoke(mbean("store"), "storedMessagesFor", new Object[] {"<sip:ann@127.0.0.1>"},
                new String[] {String.class.getName()})).isEqualTo(2L);

        client.register(ann, 600);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(
                () -> assertThat(jmx.getAttribute(mbean("push"), "SessionsDelivered")).isEqualTo(1L));
        assertThat(jmx.getAttribute(mbean("push"), "MessagesDelivered")).isEqualTo(2L);
        assertThat(jmx.getAttribute(mbean("push"), "SessionsFailed")).isEqualTo(0L);
        // running until its BYE, which follows the settle
        await().atMost(Duration.ofSeconds(10)).untilAsserted(
                () -> assertThat(jmx.getAttribute(mbean("push"), "ActiveSessions")).isEqualTo(0));
        assertThat(jmx.getAttribute(mbean("push"), "Registrations")).isEqualTo(1L);
        // the acknowledged messages leave the store right after the BYE
        await().atMost(Duration.ofSeconds(10)).untilAsserted(
                () -> assertThat(jmx.getAttribute(mbean("store"), "StoredMessages")).isEqualTo(1L));
        assertThat(jmx.invoke(mbean("store"), "largestRecipients", new Object[] {5}, new String[] {"int"}))
                .isEqualTo(java.util.Map.of("sip:ben@127.0.0.1", 1L));
        // no Charging Enabler: the charging event waits
        await().atMost(Duration.ofSeconds(10)).untilAsserted(
                () -> assertThat(jmx.getAttribute(mbean("charging"), "EventsPending")).isEqualTo(1L));
        assertThat(jmx.getAttribute(mbean("charging"), "EventsDeadLettered")).isEqualTo(0L);
        assertThat((String) jmx.getAttribute(mbean("charging"), "PeerState")).contains("no open peer");

        HttpResponse<String> metrics = get("/observe/metrics", null, null);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
                .contains("imdp_push_sessions_total{outcome=\"delivered\"} 1.0")
                .contains("imdp_push_messages_delivered_total 2.0")
                .contains("imdp_push_invite_answer_seconds_count 1")
                .contains("imdp_push_invite_answer_seconds_bucket{le=")
                .contains("imdp_push_msrp_seconds_count 1")
                .contains("imdp_store_messages 1.0")
                .contains("imdp_store_recipients 1.0")
                .contains("imdp_charging_pending 1.0")
                .contains("imdp_registrations 1.0")
                .contains("imdp_build_info{version=\"" + BuildVersion.version() + "\"} 1")
                // the SIP traffic by method and code: three MESSAGEs stored, one REGISTER, the push's INVITE and BYE
                .contains("imdp_sip_requests_received_total{method=\"MESSAGE\"} 3.0")
                .contains("imdp_sip_requests_received_total{method=\"REGISTER\"} 1.0")
                .contains("imdp_sip_responses_sent_total{code=\"202\",method=\"MESSAGE\"} 3.0")
                .contains("imdp_sip_responses_sent_total{code=\"200\",method=\"REGISTER\"} 1.0")
                .containsPattern("imdp_sip_responses_received_total\\{code=\"200\",method=\"INVITE\"} [1-9]")
                .contains("imdp_push_invites_sent_total 1.0");
        // step 8, the client's 200 OK to the BYE, which nothing waits for
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(get("/observe/metrics", null, null).body())
                .contains("imdp_push_byes_total{result=\"answered\"} 1.0")
                .contains("imdp_push_byes_total{result=\"unanswered\"} 0.0"));
        // one owner per count: the MBeans read the push endpoint's counters, which Prometheus reads too
        assertThat(jmx.getAttribute(pushEndpoint(jmx), "MessagesAcknowledged")).isEqualTo(2L);
        assertThat(jmx.getAttribute(pushEndpoint(jmx), "SessionsDelivered")).isEqualTo(1L);
        assertThat(jmx.getMBeanInfo(mbean("store")).getAttributes()).extracting(MBeanAttributeInfo::getName)
                .doesNotContain("MessagesDelivered");
        // the waiting charging event ages (in the store, then on the charging queue)
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                series(get("/observe/metrics", null, null).body(), "imdp_charging_oldest_pending_seconds")).isPositive());
    }

    private static ObjectName pushEndpoint(MBeanServer jmx) throws Exception {
        return jmx.queryNames(new ObjectName("org.apache.camel:type=endpoints,*"), null).stream()
                .filter(n -> n.getKeyProperty("name").contains("sipmsrp://push")).findFirst().orElseThrow();
    }

    @Test
    void a_refused_message_is_counted() throws Exception {
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        startClient();
        assertThat(client.sendMessage(ALICE, "mailto:x@127.0.0.1", "text/plain", "x".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(400);
        assertThat(jmx.getAttribute(mbean("store"), "MessagesRefused")).isEqualTo(1L);
        assertThat(get("/observe/metrics", null, null).body()).contains("imdp_intake_refused_total{reason=\"invalid\"} 1.0");
    }
}
