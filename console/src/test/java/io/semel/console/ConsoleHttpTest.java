package io.semel.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's HTTP contract without a browser: authentication, form tokens, file serving limits, escaping. */
class ConsoleHttpTest {
    @TempDir
    Path dir;
    ConsoleFixture fx;

    @BeforeEach
    void start() throws Exception {
        fx = new ConsoleFixture(dir);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void requestsWithoutOrWithWrongCredentialsGet401OnEveryPath() throws Exception {
        for (String path : List.of("/", "/topics", "/groups", "/messages", "/verification", "/api/metrics",
                "/static/console.js", "/nope")) {
            HttpResponse<String> none = fx.get(path, null, null);
            assertThat(none.statusCode()).as(path).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                    .startsWith("Basic"));
            assertThat(fx.get(path, ConsoleFixture.USER, ConsoleFixture.PASSWORD + "x").statusCode()).isEqualTo(401);
            assertThat(fx.get(path, "someone", ConsoleFixture.PASSWORD).statusCode()).isEqualTo(401);
        }
        assertThat(fx.get("/", ConsoleFixture.USER, ConsoleFixture.PASSWORD).statusCode()).isEqualTo(200);
    }

    @Test
    void redriveWithoutTheFormTokenIsRefused() throws Exception {
        fx.createTopic("orders", 1);
        HttpResponse<String> r = fx.post("/messages/redrive", "dlq=orders.dlq&action=all&csrf=guess");
        assertThat(r.statusCode()).isEqualTo(403);
    }

    @Test
    void reportFilesOutsideTheReportsDirectoryAreNotServed() throws Exception {
        Files.writeString(dir.resolve("secret.txt"), "verdict   secret\n");
        Path run = Files.createDirectories(fx.reportsDir.resolve("run-1"));
        Files.writeString(run.resolve("report.html"), "<html><body>report of run-1</body></html>");
        Files.writeString(run.resolve("exactly-once.txt"), "                 exactly-once\nverdict          valid\n");
        assertThat(fx.get("/verification/file?path=../secret.txt", ConsoleFixture.USER, ConsoleFixture.PASSWORD)
                .statusCode()).isEqualTo(404);
        assertThat(fx.get("/verification/file?path=run-1/report.html", ConsoleFixture.USER, ConsoleFixture.PASSWORD)
                .body()).contains("report of run-1");
        assertThat(fx.get("/verification", ConsoleFixture.USER, ConsoleFixture.PASSWORD).body())
                .contains("exactly-once: valid").doesNotContain("secret");
    }

    @Test
    void messageContentIsEscaped() throws Exception {
        fx.createTopic("web", 1);
        fx.produce("p-web", "web", List.of("<script>alert(1)</script>"), "<b id=\"x\">");
        String page = fx.get("/messages?topic=web", ConsoleFixture.USER, ConsoleFixture.PASSWORD).body();
        assertThat(page).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>alert")
                .doesNotContain("<b id=\"x\">");
    }
}
