package io.semel.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.semel.protocol.Delivery;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Fetch;
import io.semel.protocol.Produce;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The metrics and health endpoint of a real broker over HTTP: traffic over TCP moves the named
 * metrics, readiness follows the broker's life, and a port that cannot be bound is a clear error.
 */
class BrokerMetricsTest extends BrokerTestSupport {
    private static final String T = "t";
    private static final String G = "g";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Override
    BrokerConfig.Builder configBuilder() {
        return super.configBuilder().metricsPort(0).groupTickMs(20).maxDeliveries(1).nackBackoffMs(10)
                .nackBackoffMaxMs(20);
    }

    @Test
    void healthAnswersAndMetricsMoveWithProduceFetchAndGroupTraffic() throws Exception {
        startBroker();
        assertThat(broker.metricsPort()).isPositive();
        assertThat(get("/health/live")).isEqualTo("200 live\n");
        assertThat(get("/health/ready")).isEqualTo("200 ready: serving\n");
        assertThat(get("/nothing")).startsWith("404 ");
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, T, 2);
            produce(c, 0, "a", "b", "c");
            produce(c, 1, "d", "e");
            Produce.Response bad = c.call(new Produce.Request(T, 7, 0, TestClient.plainBatch("x")),
                    Produce.Response.class);
            assertThat(bad.error()).isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
            Fetch.Response f = c.call(new Fetch.Request(T, 0, 0, 1 << 20, 0), Fetch.Response.class);
            assertThat(TestClient.values(f.batches())).containsExactly("a", "b", "c");

            String m = metrics();
            assertThat(value(m, "semel_broker_requests_seconds_count", "api", "PRODUCE")).isEqualTo(3);
            assertThat(value(m, "semel_broker_requests_seconds_count", "api", "FETCH")).isEqualTo(1);
            assertThat(value(m, "semel_broker_requests_seconds_bucket", "api", "PRODUCE", "le", "+Inf")).isEqualTo(3);
            assertThat(value(m, "semel_broker_errors_total", "api", "PRODUCE", "code", "UNKNOWN_TOPIC_OR_PARTITION"))
                    .isEqualTo(1);
            assertThat(value(m, "semel_broker_produce_records_total")).isEqualTo(6);
            assertThat(value(m, "semel_broker_produce_bytes_total")).isGreaterThan(6);
            assertThat(value(m, "semel_broker_fetch_records_total")).isEqualTo(3);
            assertThat(value(m, "semel_broker_fetch_bytes_total")).isPositive();
            assertThat(value(m, "semel_broker_connections")).isEqualTo(1);
            assertThat(value(m, "semel_partition_end_offset", "topic", T, "partition", "0")).isEqualTo(3);
            assertThat(value(m, "semel_partition_end_offset", "topic", T, "partition", "1")).isEqualTo(2);
            assertThat(value(m, "semel_log_round_appends_sum")).as("the two accepted batches").isEqualTo(2);
            assertThat(value(m, "semel_log_round_bytes_sum")).isPositive();
            assertThat(value(m, "semel_log_fsync_seconds_count")).as("one force per accepted batch").isEqualTo(2);

            String member = c.join(G, T, 10_000);
            m = metrics();
            assertThat(value(m, "semel_group_pending_messages", "group", G)).isEqualTo(5);
            assertThat(value(m, "semel_group_lag_messages", "group", G)).isEqualTo(5);

            List<Delivery> got = ConsumerGroupTest.pollUntil(c, member, 5);
            m = metrics();
            assertThat(value(m, "semel_group_pending_messages", "group", G)).isZero();
            assertThat(value(m, "semel_group_in_flight_messages", "group", G)).isEqualTo(5);
            assertThat(value(m, "semel_group_lag_messages", "group", G)).isEqualTo(5);
            assertThat(value(m, "semel_group_polls_answered_ahead_total"))
                    .as("the first poll waits for its records: no delivery horizon was durable yet").isZero();

            produce(c, 0, "f");
            List<Delivery> more = ConsumerGroupTest.pollUntil(c, member, 1);
            assertThat(value(metrics(), "semel_group_polls_answered_ahead_total"))
                    .as("maxDeliveries 1 here: no horizon, every poll waits for its records").isZero();
            assertThat(c.ack(G, member, more).error()).isEqualTo(ErrorCode.NONE);

            Delivery poison = got.get(0);
            assertThat(c.nack(G, member, List.of(poison), "boom").error()).isEqualTo(ErrorCode.NONE);
            assertThat(c.ack(G, member, got.subList(1, got.size())).error()).isEqualTo(ErrorCode.NONE);
            // The dead-letter count moves when the copy's append completes; the partition's end offset gauge
            // when its writer publishes the new end, which may come a moment later: wait for both.
            m = awaitMetrics(s -> value(s, "semel_group_dead_letters_total", "group", G, "topic", T) == 1
                    && value(s, "semel_group_lag_messages", "group", G) == 0
                    && value(s, "semel_partition_end_offset", "topic", T + ".dlq", "partition", "0") == 1);
            assertThat(value(m, "semel_group_in_flight_messages", "group", G)).isZero();
            assertThat(value(m, "semel_partition_end_offset", "topic", T + ".dlq", "partition", "0")).isEqualTo(1);
        }
        assertThat(value(awaitMetrics(s -> value(s, "semel_broker_connections") == 0), "semel_broker_connections"))
                .isZero();
        broker.close();
        assertThatThrownBy(() -> get("/health/live")).as("the endpoint closes with the broker")
                .isInstanceOf(IOException.class);
    }

    @Test
    void aMetricsPortInUseStopsTheStartWithAClearErrorAndWithoutAPortMetersGoOnlyToAnEmbeddersRegistry() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> startBroker(configBuilder().metricsPort(port).build()))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("cannot serve metrics on 127.0.0.1:" + port)
                    .hasMessageContaining("choose another metrics port");
        }
        startBroker(configBuilder().metricsPort(-1).build());
        assertThat(broker.metricsPort()).as("off").isEqualTo(-1);
        assertThat(broker.meterRegistry().getRegistries()).as("no registry: every meter a no-op").isEmpty();
        broker.close();
        // Given at the start, so it is in the composite before the first meter (added after the start, it would
        // miss what was recorded before, and Micrometer warns: bench's own start did, see BenchMetersTest in cli).
        SimpleMeterRegistry own = new SimpleMeterRegistry();
        broker = Broker.start(configBuilder().metricsPort(-1).build(), own);
        assertThat(broker.meterRegistry().getRegistries()).containsExactly(own);
        assertThat(own.find("semel.broker.connections.refused").counter()).as("registered at the start, not at first use")
                .isNotNull();
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, T, 1);
            produce(c, 0, "a", "b");
        }
        assertThat(own.get("semel.broker.produce.records").counter().count()).as("an embedder's own registry")
                .isEqualTo(2);
        assertThatThrownBy(() -> BrokerConfig.fromMap(Map.of("dataDir", dataDir.toString(), "metricsPort", "70000")))
                .hasMessage("metricsPort is 70000; allowed 0..65535 or -1 for off");
    }

    private static void produce(TestClient c, int partition, String... values) throws IOException {
        Produce.Response r = c.call(new Produce.Request(T, partition, 0, TestClient.plainBatch(values)),
                Produce.Response.class);
        assertThat(r.error()).as("produce: %s", r.errorMessage()).isEqualTo(ErrorCode.NONE);
    }

    private String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + broker.metricsPort()
                + path)).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    private String metrics() throws IOException, InterruptedException {
        String r = get("/metrics");
        assertThat(r).startsWith("200 ");
        return r.substring(4);
    }

    private String awaitMetrics(Predicate<String> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            String m = metrics();
            if (done.test(m)) {
                return m;
            }
            assertThat(System.nanoTime()).as("metrics reached the expected values in time:\n%s", m)
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /**
     * The sum of the samples of {@code name} whose labels include the given pairs (0 when none):
     * Prometheus text format, one sample per line.
     */
    /** With more than one delivery allowed, a poll of new messages below the durable horizon is answered ahead. */
    @Test
    void pollsAnsweredAheadOfTheGroupLogAreCounted() throws Exception {
        startBroker(configBuilder().maxDeliveries(3).build());
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, T, 1);
            produce(c, 0, "a", "b");
            String member = c.join(G, T, 10_000);
            List<Delivery> first = ConsumerGroupTest.pollUntil(c, member, 2);
            assertThat(value(metrics(), "semel_group_polls_answered_ahead_total")).as("no durable horizon yet").isZero();
            produce(c, 0, "c");
            assertThat(ConsumerGroupTest.pollUntil(c, member, 1)).extracting(Delivery::offset).containsExactly(2L);
            assertThat(value(metrics(), "semel_group_polls_answered_ahead_total")).isEqualTo(1);
            assertThat(first).hasSize(2);
        }
    }

    static double value(String scrape, String name, String... labels) {
        double sum = 0;
        for (String line : scrape.split("\n")) {
            if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                continue;
            }
            boolean all = true;
            for (int i = 0; i < labels.length; i += 2) {
                all &= line.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
            }
            if (all) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}
