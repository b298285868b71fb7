package io.semel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code semel bench} reads the embedded broker's meters through a registry of its own. Added to the broker's
 * composite after the start, it missed what was recorded before, and Micrometer said so in a WARN line at the top of
 * every bench. Micrometer warns once per JVM, so this runs the command in a JVM of its own.
 */
class BenchMetersTest {
    @TempDir
    Path dir;

    @Test
    void benchStartsWithoutMicrometersLateRegistryWarningAndPrintsItsGroupCommitFigures() throws Exception {
        InterruptTest.Child c = InterruptTest.Child.start(dir, "bench", "produce", "--count", "500", "--size", "10");
        assertThat(c.process().waitFor(120, TimeUnit.SECONDS)).as("bench ends; stdout: %s", c.out()).isTrue();
        assertThat(c.process().exitValue()).as("stderr: %s", c.err()).isZero();
        assertThat(c.err()).doesNotContain("A MeterRegistry is being added");
        assertThat(c.out()).as("the figures read from its registry").contains("group commit: ").contains(" forces");
    }
}
