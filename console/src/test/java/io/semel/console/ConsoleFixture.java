package io.semel.console;

import io.semel.broker.Broker;
import io.semel.broker.BrokerConfig;
import io.semel.client.Admin;
import io.semel.client.Consumer;
import io.semel.client.Message;
import io.semel.client.Producer;
import io.semel.client.SendResult;
import io.semel.protocol.Header;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A real broker (loopback TCP, files with fsync under a temp dir) with the console in its process,
 * and helpers that drive it through the real client. Not thread-safe; one per test.
 */
final class ConsoleFixture implements AutoCloseable {
    static final String USER = "admin";
    static final String PASSWORD = "s3cret-pass";
    /** A redelivery budget small enough that a nacked message dies quickly. */
    static final int MAX_DELIVERIES = 2;

    final Broker broker;
    final Console console;
    final String bootstrap;
    final Path reportsDir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    ConsoleFixture(Path dir) throws IOException {
        broker = Broker.start(BrokerConfig.builder(dir.resolve("data")).port(0).maxDeliveries(MAX_DELIVERIES)
                .nackBackoffMs(10).nackBackoffMaxMs(20).ackTimeoutMs(60_000).build());
        bootstrap = broker.host() + ":" + broker.port();
        Path passwords = dir.resolve("console.passwords");
        Files.writeString(passwords, "# console users\n" + USER + ":" + PASSWORD + "\n");
        reportsDir = Files.createDirectories(dir.resolve("reports"));
        console = Console.builder(broker, ConsoleConfig.builder(0).passwordFile(passwords).reportsDir(reportsDir)
                .sampleIntervalMs(200).refreshIntervalMs(500).build()).start();
    }

    String base() {
        return "http://127.0.0.1:" + console.port();
    }

    void createTopic(String name, int partitions) {
        try (Admin admin = Admin.builder(bootstrap).build()) {
            admin.createTopic(name, partitions);
        }
    }

    List<Admin.PartitionInfo> describe(String topic) {
        try (Admin admin = Admin.builder(bootstrap).build()) {
            return admin.describeTopic(topic);
        }
    }

    /** Producer id of the last {@link #produce} call. */
    long lastProducerId = -1;

    List<SendResult> produce(String producerName, String topic, List<String> keys, String valuePrefix) {
        List<SendResult> out = new ArrayList<>();
        try (Producer p = Producer.builder(bootstrap).name(producerName).build()) {
            for (String k : keys) {
                out.add(p.send(topic, k.getBytes(StandardCharsets.UTF_8),
                        (valuePrefix + k).getBytes(StandardCharsets.UTF_8),
                        List.of(Header.of("trace", "t-" + k))).join());
            }
            lastProducerId = p.producerId();
        }
        return out;
    }

    Consumer consumer(String group, String topic) {
        return Consumer.builder(bootstrap).group(group).topic(topic).nackBackoffMs(10).build();
    }

    /**
     * Polls until {@code expected} messages were acked and the {@code poisons} messages whose key starts
     * with {@code poisonPrefix} were nacked {@link #MAX_DELIVERIES} times each (so the broker
     * dead-letters them). Returns the acked ones.
     */
    static List<Message> consume(Consumer c, int expected, String poisonPrefix, int poisons, Duration timeout) {
        List<Message> acked = new ArrayList<>();
        int nacks = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        while ((acked.size() < expected || nacks < poisons * MAX_DELIVERIES) && System.nanoTime() < deadline) {
            for (Message m : c.poll(Duration.ofMillis(100))) {
                String key = new String(m.key(), StandardCharsets.UTF_8);
                if (poisonPrefix != null && key.startsWith(poisonPrefix)) {
                    c.nack(m, "handler failed: cannot bill " + key);
                    nacks++;
                } else {
                    c.ack(m);
                    acked.add(m);
                }
            }
        }
        return acked;
    }

    HttpResponse<String> get(String path, String user, String password) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(30));
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                    .getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The form token of this console start, as a page carries it. */
    String csrf() throws IOException, InterruptedException {
        String page = get("/messages?topic=orders.dlq", USER, PASSWORD).body();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("name=\"csrf\" value=\"([0-9a-f]+)\"").matcher(page);
        if (!m.find()) {
            throw new AssertionError("no form token on the dead-letter page: " + page);
        }
        return m.group(1);
    }

    HttpResponse<String> post(String path, String form) throws IOException, InterruptedException {
        HttpRequest r = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD)
                        .getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        return http.send(r, HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        console.close();
        broker.close();
    }
}
