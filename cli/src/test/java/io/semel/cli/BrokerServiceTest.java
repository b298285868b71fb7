package io.semel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.cli.log.JsonLogProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code semel broker start} as a service manager runs it (docs/operations.md): a child JVM with JSON
 * logs and the metrics port; ready over HTTP; SIGTERM stops it cleanly with exit status 143, the
 * status the systemd unit declares as success.
 */
class BrokerServiceTest {
    private static final Pattern METRICS = Pattern.compile("semel broker metrics on (http://127\\.0\\.0\\.1:\\d+)/metrics");

    @TempDir
    Path dir;

    @Test
    void aBrokerStoppedBySigtermExits143AfterAServedReadinessAndLogsJsonLines() throws Exception {
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                Semel.class.getName(), "broker", "start", "--data-dir", dir.resolve("data").toString(), "--port", "0",
                "--metrics-port", "0")).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put(JsonLogProvider.FORMAT_ENV, "json");
        Process broker = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            Matcher m = METRICS.matcher("");
            while (!(m = METRICS.matcher(Files.readString(out))).find()) {
                assertThat(broker.isAlive()).as("broker alive; stderr: %s", Files.readString(err)).isTrue();
                assertThat(System.nanoTime()).as("broker serves in time").isLessThan(deadline);
                Thread.sleep(50);
            }
            HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(m.group(1) + "/health/ready")).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("ready: serving\n");
            Process kill = new ProcessBuilder("kill", "-TERM", Long.toString(broker.pid())).start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(broker.waitFor(60, TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
            assertThat(broker.exitValue()).as("128 + SIGTERM after a clean shutdown").isEqualTo(143);
        } finally {
            broker.destroyForcibly();
        }
        List<String> lines = Files.readString(err, StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).isNotEmpty().allSatisfy(l -> assertThat(l).startsWith("{\"time\":\"").endsWith("}"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"level\":\"INFO\"")
                .contains("\"logger\":\"io.semel.broker.Broker\"").contains("\"message\":\"broker semel stopped\""));
    }
}
