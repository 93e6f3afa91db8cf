package org.imdp.test.peers;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExternalProcessTest {

    @Test
    void missingBinaryTellsHowToInstallIt() {
        assertThatThrownBy(() -> ExternalProcess.start("missing", ExternalProcess.outputDir(),
                List.of("imdp-no-such-peer-binary", "-v")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("imdp-no-such-peer-binary not found on PATH")
                .hasMessageContaining("scripts/install-test-peers.sh");
    }

    @Test
    void capturesOutputAndExitCode() {
        try (ExternalProcess p = ExternalProcess.start("sh-echo", ExternalProcess.outputDir(),
                List.of("sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 3"))) {
            assertThat(p.waitForExit(Duration.ofSeconds(10))).isEqualTo(3);
            assertThat(p.logText()).contains("to-stdout", "to-stderr");
            assertThat(p.log().getFileName().toString()).matches("sh-echo-\\d+\\.log");
            assertThat(p.log().getParent()).isEqualTo(ExternalProcess.outputDir());
        }
    }

    @Test
    void waitForLogFailsWithTheTailWhenTheProcessExitsEarly() {
        try (ExternalProcess p = ExternalProcess.start("sh-early-exit", ExternalProcess.outputDir(),
                List.of("sh", "-c", "echo bind failed: address in use; exit 1"))) {
            assertThatThrownBy(() -> p.waitForLog(Pattern.compile("Listening"), Duration.ofSeconds(10)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("exited with code 1")
                    .hasMessageContaining("bind failed: address in use");
        }
    }

    @Test
    void waitForLogReturnsTheMatch() {
        try (ExternalProcess p = ExternalProcess.start("sh-ready", ExternalProcess.outputDir(),
                List.of("sh", "-c", "echo ready on port 4711; exec sleep 60"))) {
            assertThat(p.waitForLog(Pattern.compile("port \\d+"), Duration.ofSeconds(10))).isEqualTo("port 4711");
        }
    }

    @Test
    void stopEndsTheProcessWithSigtermAndKillsWhatIgnoresIt() {
        try (ExternalProcess polite = ExternalProcess.start("sh-polite", ExternalProcess.outputDir(),
                List.of("sh", "-c", "echo up; exec sleep 60"));
             ExternalProcess stubborn = ExternalProcess.start("sh-stubborn", ExternalProcess.outputDir(),
                     List.of("sh", "-c", "trap '' TERM; echo up; while true; do sleep 1; done"))) {
            polite.waitForLog(Pattern.compile("up"), Duration.ofSeconds(10));
            stubborn.waitForLog(Pattern.compile("up"), Duration.ofSeconds(10));

            assertThat(polite.stop(Duration.ofSeconds(5))).isEqualTo(128 + 15);
            assertThat(stubborn.stop(Duration.ofMillis(500))).isEqualTo(128 + 9);
            assertThat(polite.isAlive()).isFalse();
            assertThat(stubborn.isAlive()).isFalse();
        }
    }
}
