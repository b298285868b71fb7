package io.semel.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.client.Admin;
import io.semel.client.Consumer;
import io.semel.client.Message;
import io.semel.client.SendResult;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real headless Chromium (Debian's chromium + chromium-driver, installed by
 * {@code .ci/run}) against a real broker in this JVM: every page loads, its numbers match the
 * broker's state after a produce/consume through the real client, a page updates without a reload,
 * a dead letter is redriven from the UI and consumed again (and a repeated redrive appends nothing),
 * and an unauthenticated request is refused. Screenshots: {@code console/target/console-screenshots/}.
 */
class ConsoleBrowserTest {
    static final Path CHROMIUM = Path.of(System.getProperty("semel.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("semel.chromedriver", "/usr/bin/chromedriver"));
    static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    ConsoleFixture fx;
    WebDriver browser;

    @BeforeEach
    void start() throws IOException {
        assertThat(CHROMIUM).as("Chromium is needed: apt-get install -y --no-install-recommends chromium "
                + "chromium-driver (.ci/run does it)").isExecutable();
        assertThat(CHROMEDRIVER).as("chromedriver is needed (Debian package chromium-driver)").isExecutable();
        fx = new ConsoleFixture(dir);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .build();
        browser = new ChromeDriver(service, options);
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void pagesShowTheBrokersStateAndADeadLetterIsRedrivenFromTheUi() throws Exception {
        fx.createTopic("orders", 2);
        List<String> keys = new ArrayList<>(IntStream.range(0, 9).mapToObj(i -> "k" + i).toList());
        keys.add("poison");
        keys.add("poison-2");
        List<SendResult> sent = fx.produce("shop", "orders", keys, "order-");
        SendResult poison = sent.get(sent.size() - 2);
        try (Consumer consumer = fx.consumer("billing", "orders")) {
            assertThat(ConsoleFixture.consume(consumer, 9, "poison", 2, WAIT)).hasSize(9);
            awaitEnd("orders.dlq", 0, 2);
            String url = "http://" + ConsoleFixture.USER + ":" + ConsoleFixture.PASSWORD + "@127.0.0.1:"
                    + fx.console.port();

            overview(url);
            topics(url);
            groups(url, consumer);
            browse(url, poison);
            redrive(url, consumer, poison);
            verification(url);
        }
        assertThat(fx.get("/", null, null).statusCode()).as("unauthenticated request").isEqualTo(401);
        browser.get("http://127.0.0.1:" + fx.console.port() + "/topics?fresh=1");
    }

    private void overview(String url) throws IOException {
        browser.get(url + "/");
        awaitText("ov-records", "11");
        awaitText("ov-dead-letters", "2");
        awaitText("ov-groups", "1");
        awaitText("ov-members", "1");
        assertThat(text("ov-topics")).isEqualTo("2");
        assertThat(text("ov-partitions")).isEqualTo("3");
        // Live: new records show up without a reload (the marker would vanish on a reload).
        js("window.semelMarker = 42;");
        fx.produce("shop-2", "orders", List.of("late-1", "late-2"), "order-");
        awaitText("ov-records", "13");
        assertThat(js("return window.semelMarker;")).isEqualTo(42L);
        await().until(d -> Double.parseDouble(attr("chart-records", "data-max")) > 0
                && Integer.parseInt(attr("chart-records", "data-points")) >= 2);
        // Awaited, not read once: a refresh may have just put the server's undrawn chart (0 points) in
        // place, to be drawn when its metrics arrive.
        await().until(d -> Integer.parseInt(attr("chart-fsyncs", "data-points")) >= 2
                && Double.parseDouble(attr("chart-fsyncs", "data-max")) > 0);
        screenshot("overview");
    }

    private void topics(String url) throws IOException {
        browser.get(url + "/topics");
        List<Admin.PartitionInfo> parts = fx.describe("orders");
        long total = 0;
        for (Admin.PartitionInfo p : parts) {
            awaitText("t-orders-p" + p.partition() + "-end", Long.toString(p.nextOffset()));
            assertThat(text("t-orders-p" + p.partition() + "-start")).isEqualTo(Long.toString(p.startOffset()));
            assertThat(text("t-orders-p" + p.partition() + "-segments")).isEqualTo("1");
            total += p.nextOffset();
        }
        assertThat(total).isEqualTo(13);
        // "shop-2" wrote last; its id, epoch and the sequence of its last record in that partition.
        long id = fx.lastProducerId;
        List<String> producers = fresh(() -> browser.findElements(By.cssSelector("[id$='-producer-" + id + "']"))
                .stream().map(e -> e.getText()).toList());
        assertThat(producers).isNotEmpty().allSatisfy(t -> assertThat(t).contains(id + " shop-2 epoch 0 seq"));
        screenshot("topics");
    }

    private void groups(String url, Consumer consumer) throws IOException {
        // The two late records are delivered and held unacked: in flight, delivery count 1.
        List<Message> held = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (held.size() < 2 && System.nanoTime() < deadline) {
            held.addAll(consumer.poll(Duration.ofMillis(200)));
        }
        assertThat(held).extracting(m -> new String(m.key(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrder("late-1", "late-2");
        browser.get(url + "/groups");
        awaitText("g-billing-members", "1");
        awaitText("g-billing-dc-1", "2");
        long delivered = 0;
        for (int p = 0; p < 2; p++) {
            delivered += Long.parseLong(text("g-billing-p" + p + "-delivered"));
        }
        assertThat(delivered).isEqualTo(2);
        List<Admin.PartitionInfo> parts = fx.describe("orders");
        for (int p = 0; p < 2; p++) {
            assertThat(text("g-billing-p" + p + "-holder")).isEqualTo(consumer.memberId());
            assertThat(text("g-billing-p" + p + "-epoch")).isEqualTo(Long.toString(consumer.leases().get(p)));
        }
        // Everything produced before the poll is settled (acked or dead-lettered); the 2 late records wait.
        long late = parts.stream().mapToLong(Admin.PartitionInfo::nextOffset).sum() - 11;
        awaitText("g-billing-lag", Long.toString(late));
        for (Admin.PartitionInfo p : parts) {
            assertThat(text("g-billing-p" + p.partition() + "-end")).isEqualTo(Long.toString(p.nextOffset()));
        }
        screenshot("groups");
        consumer.ack(held);
    }

    private void browse(String url, SendResult poison) throws IOException {
        browser.get(url + "/messages?topic=orders&partition=" + poison.partition() + "&from=0");
        awaitText("rec-" + poison.offset() + "-value", "order-poison");
        assertThat(fresh(() -> browser.findElement(By.id("records")).getText())).contains("trace = t-poison");
        screenshot("messages");
    }

    private void redrive(String url, Consumer consumer, SendResult poison) throws Exception {
        browser.get(url + "/messages?topic=orders.dlq&partition=0");
        // The poison messages died in the order they were nacked for the last time; find "poison".
        int dl = text("dl-0-0-origin").startsWith("orders-" + poison.partition() + "@" + poison.offset()) ? 0 : 1;
        String row = "dl-0-" + dl;
        awaitText(row + "-status", "pending");
        assertThat(text(row + "-origin")).startsWith("orders-" + poison.partition() + "@" + poison.offset());
        assertThat(fresh(() -> browser.findElement(By.id("dead-letters")).getText()))
                .contains("handler failed: cannot bill poison")
                .contains("max-deliveries-exceeded");
        screenshot("dead-letters");
        long endBefore = fx.describe("orders").get(poison.partition()).nextOffset();

        // One, with its own button.
        click(row + "-redrive");
        awaitText("redrive-result", "redriven 1, already redriven 0, failed 0");
        awaitText(row + "-status", "redriven");
        awaitText("dl-0-" + (1 - dl) + "-status", "pending");
        Message again = consumeKey(consumer, "poison");
        assertThat(again.offset()).isEqualTo(endBefore);
        assertThat(new String(again.value(), StandardCharsets.UTF_8)).isEqualTo("order-poison");
        assertThat(again.headers()).anySatisfy(h -> {
            assertThat(h.key()).isEqualTo("semel.redrive.origin");
            assertThat(h.valueAsString()).isEqualTo("orders.dlq/0/" + dl);
        });
        assertThat(again.headers()).noneSatisfy(h -> assertThat(h.key()).startsWith("semel.dlq."));

        // A selection (here the other one), ticked and sent with "Redrive selected".
        click("dl-0-" + (1 - dl) + "-pick");
        click("redrive-selected");
        awaitText("redrive-result", "redriven 1, already redriven 0, failed 0");
        awaitText("dl-0-" + (1 - dl) + "-status", "redriven");
        screenshot("dead-letters-redriven");
        assertThat(new String(consumeKey(consumer, "poison-2").value(), StandardCharsets.UTF_8))
                .isEqualTo("order-poison-2");

        // "Redrive all pending" with none left, and a stale form posted again: nothing is appended.
        long total = fx.describe("orders").stream().mapToLong(Admin.PartitionInfo::nextOffset).sum();
        click("redrive-all");
        awaitText("redrive-result", "redriven 0, already redriven 0, failed 0: nothing selected");
        var repeat = fx.post("/messages/redrive", "csrf=" + fx.csrf() + "&dlq=orders.dlq&partition=0&action=selected"
                + "&id=" + URLEncoder.encode("0:" + dl, StandardCharsets.UTF_8));
        assertThat(repeat.statusCode()).isEqualTo(303);
        assertThat(repeat.headers().firstValue("Location").orElseThrow()).contains("redriven=0&already=1&failed=0");
        assertThat(fx.describe("orders").stream().mapToLong(Admin.PartitionInfo::nextOffset).sum()).isEqualTo(total);
    }

    /** Polls (acking everything) until a message with {@code key} arrives. */
    private static Message consumeKey(Consumer consumer, String key) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (Message m : consumer.poll(Duration.ofMillis(200))) {
                consumer.ack(m);
                if (key.equals(new String(m.key(), StandardCharsets.UTF_8))) {
                    return m;
                }
            }
        }
        throw new AssertionError("no message with key " + key + " consumed within " + WAIT);
    }

    private void verification(String url) throws IOException {
        Path run = Files.createDirectories(fx.reportsDir.resolve("demo-42"));
        Files.writeString(run.resolve("report.html"), "<html><body><h1 id=\"report-title\">Semel demo, seed 42</h1>"
                + "</body></html>");
        Files.writeString(run.resolve("exactly-once.txt"), "                 exactly-once\nverdict          valid\n");
        Files.writeString(run.resolve("at-least-once.txt"), "                 at-least-once\nverdict          invalid\n");
        browser.get(url + "/verification");
        awaitText("verdicts-demo-42", "at-least-once: invalid, exactly-once: valid");
        screenshot("verification");
        fresh(() -> {
            browser.findElement(By.linkText("report.html")).click();
            return null;
        });
        awaitText("report-title", "Semel demo, seed 42");
    }

    private void awaitEnd(String topic, int partition, long end) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (fx.describe(topic).get(partition).nextOffset() < end) {
            assertThat(System.nanoTime()).as(topic + "-" + partition + " never reached offset " + end)
                    .isLessThan(deadline);
            sleep(50);
        }
    }

    private void awaitText(String id, String expected) {
        try {
            await().until(d -> {
                var found = d.findElements(By.id(id));
                return !found.isEmpty() && expected.equals(found.get(0).getText());
            });
        } catch (org.openqa.selenium.TimeoutException e) {
            var found = browser.findElements(By.id(id));
            throw new AssertionError("#" + id + " never showed '" + expected + "'; it shows "
                    + (found.isEmpty() ? "nothing (no such element)" : "'" + found.get(0).getText() + "'")
                    + " on " + browser.getCurrentUrl(), e);
        }
    }

    /** An element's text; the live refresh may swap the element between finding and reading it, so read again. */
    private String text(String id) {
        return fresh(() -> browser.findElement(By.id(id)).getText());
    }

    private String attr(String id, String name) {
        String v = fresh(() -> browser.findElement(By.id(id)).getDomAttribute(name));
        return v == null ? "0" : v;
    }

    private WebDriverWait await() {
        WebDriverWait w = new WebDriverWait(browser, WAIT);
        w.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        return w;
    }

    private void click(String id) {
        fresh(() -> {
            browser.findElement(By.id(id)).click();
            return null;
        });
    }

    /**
     * Runs {@code read} until the element it finds is not replaced under it. The pages re-render themselves on a
     * timer, and on a loaded machine one re-render can outlast several back-to-back attempts (a CI run beside a
     * soak failed with five immediate retries), so it retries with a pause for up to {@link #WAIT}.
     */
    private static <T> T fresh(java.util.function.Supplier<T> read) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                return read.get();
            } catch (org.openqa.selenium.StaleElementReferenceException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    private void screenshot(String name) throws IOException {
        Path png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(png, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
