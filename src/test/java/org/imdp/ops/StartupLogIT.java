package org.imdp.ops;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import org.imdp.sipmsrp.SipTestClient;
import org.imdp.test.TestPorts;
import org.imdp.test.peers.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged service's start-up log as an operator reads it (issue 13, "a clean start-up log"): nothing but Log4j
 * lines on stdout and stderr, no placeholder left unresolved, the version, and the endpoints where they are reached.
 */
class StartupLogIT {

    /** A line of config/log4j2.properties' pattern: {@code 2026-12-08T04:20:54,981 INFO  [main] Logger - ...}. */
    private static final Pattern LOG4J_LINE = Pattern.compile(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d,\\d{3} (TRACE|DEBUG|INFO |WARN |ERROR|FATAL) \\[[^\\]]+] \\S+ - .*");
    /** The start-up summary's continuation lines: one URL of the management server each. */
    private static final Pattern SUMMARY_LINE = Pattern.compile(" {4}http://\\S+ +\\([a-zA-Z, ]+\\)");
    private static final Pattern STARTED = Pattern.compile("StartupSummary - im-deferred-push \\S+ started: .*\\R");

    @TempDir
    static Path dataDir;

    private static int sipPort;
    private static int managementPort;
    private static ServiceProcess service;

    @BeforeAll
    static void start() {
        sipPort = TestPorts.next();
        managementPort = TestPorts.next();
        service = ServiceProcess.builder()
                .property("imdp.sip.port", String.valueOf(sipPort))
                .property("imdp.msrp.port", String.valueOf(TestPorts.next()))
                .property("imdp.broker.embedded.port", String.valueOf(TestPorts.next()))
                .property("imdp.data-dir", dataDir.toString())
                .property("imdp.ch1.peers", "127.0.0.1:" + TestPorts.next())
                .property("camel.management.port", String.valueOf(managementPort))
                .property("imdp.management.password", "it-only-secret")
                .readyLine(STARTED)
                .start();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void every_line_of_stdout_and_stderr_is_a_log4j_line_or_the_summarys() {
        String text = service.logText();
        // the lines written so far (a CH-1 reconnection line may be in the middle of being written)
        List<String> lines = text.substring(0, text.lastIndexOf('\n') + 1).lines().toList();

        assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(line)
                .matches(l -> LOG4J_LINE.matcher(l).matches() || SUMMARY_LINE.matcher(l).matches(),
                        "a Log4j line or a URL of the start-up summary"));
        assertThat(service.logText()).doesNotContain("Commons Logging");
    }

    @Test
    void the_start_up_summary_has_no_unresolved_placeholder() {
        assertThat(service.logText()).doesNotContain("{{").contains("Property-placeholders summary")
                .contains("imdp.sip.port = " + sipPort);
    }

    @Test
    void the_version_is_in_the_first_line_and_in_the_started_line() {
        String version = BuildVersion.version();
        assertThat(service.logText().lines().findFirst()).hasValueSatisfying(
                first -> assertThat(first).endsWith("ImdpApplication - im-deferred-push " + version + " starting"));
        assertThat(service.logMatches(STARTED)).singleElement().satisfies(
                started -> assertThat(started.group()).contains("im-deferred-push " + version + " started"));
    }

    @Test
    void the_endpoints_are_listed_where_they_are_reached_with_the_admin_api() {
        String started = service.logMatches(STARTED).get(0).group();
        assertThat(started).contains("SIP 127.0.0.1:" + sipPort);
        String base = "http://127.0.0.1:" + managementPort;
        assertThat(service.logText()).doesNotContain("0.0.0.0")
                .containsPattern(Pattern.quote(base + "/observe/health") + " +\\(GET\\)")
                .containsPattern(Pattern.quote(base + "/observe/metrics") + " +\\(GET\\)")
                .containsPattern(Pattern.quote(base + "/observe/jolokia") + " +\\(GET,POST\\)")
                .containsPattern(Pattern.quote(base + "/admin/recipients/{recipient}/messages") + " +\\(DELETE,GET\\)");
    }

    @Test
    void route_log_lines_are_named_after_their_route() throws Exception {
        try (SipTestClient client = SipTestClient.start("127.0.0.1", sipPort)) {
            assertThat(client.sendMessage("sip:alice@127.0.0.1", "mailto:x@127.0.0.1", "text/plain",
                    "x".getBytes(StandardCharsets.UTF_8))).isEqualTo(400);
        }

        String refused = service.waitForLog(Pattern.compile(".* - MESSAGE \\S+ refused \\(400\\).*"),
                Duration.ofSeconds(30));
        assertThat(refused).contains("] intake-sip - MESSAGE ");
        assertThat(service.logText()).doesNotContainPattern("] xml:\\d+ - ");
    }
}
