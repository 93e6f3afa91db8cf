package org.imdp.test.peers;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The launcher's mechanics (working directory, {@code -D} overrides, ready line, SIGTERM) against a
 * runnable jar whose main class behaves like Camel Main at start. The real service jar is
 * exercised by the end-to-end tests once {@code mvn package} builds it.
 */
class ServiceProcessTest {

    private static Path jar;

    /** A main class that starts like the service: reads its settings, logs Camel's line, runs until SIGTERM. */
    public static final class ServiceLike {
        public static void main(String[] args) throws InterruptedException {
            System.out.println("user.dir=" + System.getProperty("user.dir"));
            System.out.println("imdp.sip.port=" + System.getProperty("imdp.sip.port"));
            if (Boolean.getBoolean("fail")) {
                System.err.println("config/application.properties: bad value");
                System.exit(2);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("shutdown hook ran")));
            System.out.println("Apache Camel 4.18.0 (camel-1) started in 12ms (build:0ms init:0ms start:12ms)");
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    @BeforeAll
    static void buildJar() throws IOException {
        jar = ExternalProcess.outputDir().resolve("service-like.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, ServiceLike.class.getName());
        // relative to the jar in target/peers
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, "../test-classes/");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(out, manifest)) {
            // the manifest is the whole jar
        }
    }

    @Test
    void startsFromTheProjectRootWithOverridesAndStopsOnSigterm() {
        try (ServiceProcess service = ServiceProcess.builder().jar(jar).property("imdp.sip.port", "15060").start()) {
            assertThat(service.logText())
                    .contains("user.dir=" + ExternalProcess.projectRoot())
                    .contains("imdp.sip.port=15060");
            assertThat(service.isAlive()).isTrue();

            // this main class leaves SIGTERM to the JVM, which exits with 128 + 15 after the shutdown hooks
            assertThat(service.stop(Duration.ofSeconds(10))).isEqualTo(128 + 15);
            assertThat(service.logText()).contains("shutdown hook ran");
        }
    }

    @Test
    void failsWithTheLogWhenTheServiceExitsDuringStart() {
        assertThatThrownBy(() -> ServiceProcess.builder().jar(jar).property("fail", "true").start())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("exited with code 2")
                .hasMessageContaining("config/application.properties: bad value");
    }

    @Test
    void saysHowToBuildAMissingJar() {
        assertThatThrownBy(() -> ServiceProcess.builder().jar(ExternalProcess.outputDir().resolve("absent.jar")).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("absent.jar not found")
                .hasMessageContaining("mvn package");
    }
}
