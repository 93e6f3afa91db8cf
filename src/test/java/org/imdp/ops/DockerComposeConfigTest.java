package org.imdp.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker/compose.yaml as Docker Compose reads it ({@code docker compose config}, or the standalone
 * {@code docker-compose config}; skipped when neither is installed, as no Docker engine is needed for it): valid, the
 * service waits for a healthy broker, the broker has a health check; and the image's {@code HEALTHCHECK} asks
 * readiness. The HEALTHCHECK command itself is run against the service in {@code HealthIT}.
 */
class DockerComposeConfigTest {

    private static final Path COMPOSE = Path.of("docker", "compose.yaml");

    @Test
    void compose_starts_the_service_on_a_healthy_broker() throws Exception {
        List<String> compose = composeCommand();
        Assumptions.assumeTrue(compose != null, "neither 'docker compose' nor 'docker-compose' is installed");
        List<String> command = new ArrayList<>(compose);
        command.addAll(List.of("-f", COMPOSE.toString(), "config"));
        ProcessBuilder config = new ProcessBuilder(command).redirectErrorStream(true);
        // the variables compose.yaml requires (${...:?}): without them config fails, naming them
        config.environment().put("ARTEMIS_PASSWORD", "test-only");
        config.environment().put("IMDP_MANAGEMENT_PASSWORD", "test-only");
        config.environment().put("IMDP_SIP_TRUSTED_NODES", "172.28.0.0/24");
        Process process = config.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();

        // the normalised form: depends_on with its condition, the broker's healthcheck
        assertThat(out).containsPattern("depends_on:\\s+artemis:\\s+condition: service_healthy");
        String artemis = out.substring(out.indexOf("  artemis:"), out.indexOf("  im-deferred-push:"));
        assertThat(artemis).containsPattern("healthcheck:\\s+[\\s\\S]*test:[\\s\\S]*/dev/tcp/127.0.0.1/61616");
    }

    @Test
    void the_image_is_healthy_when_the_service_is_ready() throws IOException {
        String dockerfile = Files.readString(Path.of("docker", "Dockerfile"));
        assertThat(dockerfile).containsPattern("(?m)^HEALTHCHECK .*\\\\\\n\\s+CMD \\[.*/observe/health/ready.*\\]$");
    }

    /** {@code docker compose} when the CLI has the plugin, else {@code docker-compose}; null when neither works. */
    private static List<String> composeCommand() throws InterruptedException {
        for (List<String> candidate : List.of(List.of("docker", "compose"), List.of("docker-compose"))) {
            List<String> version = new ArrayList<>(candidate);
            version.add("version");
            try {
                Process p = new ProcessBuilder(version).redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return candidate;
                }
            } catch (IOException notInstalled) {
                // next candidate
            }
        }
        return null;
    }
}
