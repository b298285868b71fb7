package io.semel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.broker.Broker;
import io.semel.broker.BrokerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C on the long-running client commands, on a real child JVM. The test sends SIGTERM, which runs the
 * same shutdown hooks as Ctrl-C's SIGINT: a JVM started from a background job inherits SIGINT as ignored
 * and then never reacts to it (as in some CI runners), while SIGTERM always reaches it.
 */
class InterruptTest {
    private static final Pattern BENCH_DIR = Pattern.compile("data dir (\\S+semel-bench-\\S+?)[,\\s]");

    @TempDir
    Path dir;

    Broker broker;
    String address;

    @BeforeEach
    void start() throws IOException {
        broker = Broker.start(BrokerConfig.builder(dir.resolve("data")).port(0).ioThreads(2).build());
        address = broker.host() + ":" + broker.port();
        StringWriter err = new StringWriter();
        int exit = Semel.run(new String[] {"topic", "create", "t", "--broker", address}, new PrintWriter(new StringWriter()),
                new PrintWriter(err));
        assertThat(exit).as(err.toString()).isZero();
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void produceInterruptedPrintsItsSummaryAndConfirmsWhatItSent() throws Exception {
        Child c = Child.start(dir, "produce", "t", "--count", "100000000", "--size", "10", "--broker", address);
        // Interrupt only once it produces: before that, the JVM may not have its hook yet (a slow CI start).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!recordsInTopic()) {
            assertThat(c.process().isAlive()).as("producing child alive; stderr: %s", c.err()).isTrue();
            assertThat(System.nanoTime()).as("the child produces in time").isLessThan(deadline);
            Thread.sleep(100);
        }
        c.awaitThenInterrupt(() -> true, 500);
        assertThat(c.out()).as("stderr: %s", c.err()).containsPattern("produced \\d+ message\\(s\\) to t");
        assertThat(c.err()).doesNotContain("semel: error");
    }

    @Test
    void consumeInterruptedEndsQuietly() throws Exception {
        assertThat(Semel.run(new String[] {"produce", "t", "--count", "200", "--broker", address},
                new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()))).isZero();
        Child c = Child.start(dir, "consume", "t", "--group", "g", "--broker", address);
        c.awaitOutput(out -> out.contains("offset="), 30_000);
        c.awaitThenInterrupt(() -> true, 0);
        assertThat(c.out()).contains("offset=");
        assertThat(c.err()).doesNotContain("semel: error");
    }

    @Test
    void benchInterruptedDeletesItsTemporaryDataDir() throws Exception {
        Child c = Child.start(dir, "bench", "produce", "--count", "100000000", "--size", "10");
        c.awaitOutput(out -> BENCH_DIR.matcher(out).find(), 30_000);
        Matcher m = BENCH_DIR.matcher(c.out());
        assertThat(m.find()).isTrue();
        Path data = Path.of(m.group(1));
        assertThat(Files.isDirectory(data)).isTrue();
        c.awaitThenInterrupt(() -> true, 1_000);
        assertThat(Files.exists(data)).as("%s after Ctrl-C; stderr: %s", data, c.err()).isFalse();
    }

    private boolean recordsInTopic() {
        StringWriter out = new StringWriter();
        Semel.run(new String[] {"topic", "describe", "t", "--broker", address}, new PrintWriter(out),
                new PrintWriter(new StringWriter()));
        return !out.toString().contains(" 0 record(s)") && out.toString().contains("record(s)");
    }

    /** {@code semel} in its own JVM, output to files. */
    record Child(Process process, Path outFile, Path errFile) {
        static Child start(Path dir, String... args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp",
                    System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                    Semel.class.getName()));
            cmd.addAll(List.of(args));
            Path out = Files.createTempFile(dir, "out", ".txt");
            Path err = Files.createTempFile(dir, "err", ".txt");
            return new Child(new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start(),
                    out, err);
        }

        String out() throws IOException {
            return Files.readString(outFile, StandardCharsets.UTF_8);
        }

        String err() throws IOException {
            return Files.readString(errFile, StandardCharsets.UTF_8);
        }

        void awaitOutput(Predicate<String> ready, long timeoutMs) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (!ready.test(out())) {
                assertThat(process.isAlive()).as("child alive; stderr: %s", err()).isTrue();
                assertThat(System.nanoTime()).as("output in time; stdout: %s", out()).isLessThan(deadline);
                Thread.sleep(50);
            }
        }

        /** Lets it run {@code runMs}, sends SIGTERM (see the class comment), and waits for it to exit. */
        void awaitThenInterrupt(java.util.function.BooleanSupplier precondition, long runMs) throws Exception {
            assertThat(precondition.getAsBoolean()).isTrue();
            Thread.sleep(runMs);
            assertThat(process.isAlive()).as("still running before Ctrl-C; stderr: %s", err()).isTrue();
            Process kill = new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exited after Ctrl-C").isTrue();
        }
    }
}
