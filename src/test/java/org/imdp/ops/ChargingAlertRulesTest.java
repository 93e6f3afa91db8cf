package org.imdp.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Prometheus alert rules that docs/operations.md tells an operator to set on a Charging Enabler outage, checked and
 * unit-tested with Prometheus' own {@code promtool} (Debian's {@code prometheus} package, installed by
 * {@code scripts/install-test-peers.sh}) on series named as the service exports them: each alert fires when it should
 * and not before.
 */
class ChargingAlertRulesTest {

    @TempDir
    Path dir;

    @Test
    void the_documented_alerts_fire_on_an_outage_and_not_before() throws Exception {
        String operations = Files.readString(Path.of("docs", "operations.md"));
        Matcher rules = Pattern.compile("The alerts to set.*?```yaml\\n(.*?)```", Pattern.DOTALL).matcher(operations);
        assertThat(rules.find()).as("the alert rules in docs/operations.md").isTrue();
        Files.writeString(dir.resolve("rules.yaml"), rules.group(1));
        Files.copy(Path.of("src", "test", "resources", "prometheus", "charging-alerts-test.yaml"),
                dir.resolve("test.yaml"));

        assertThat(promtool("check", "rules", "rules.yaml")).contains("SUCCESS: 4 rules found");
        assertThat(promtool("test", "rules", "test.yaml")).contains("SUCCESS");
    }

    private String promtool(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("promtool is missing: run ./scripts/install-test-peers.sh (as root)", e);
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ":\n" + out).isZero();
        return out;
    }
}
