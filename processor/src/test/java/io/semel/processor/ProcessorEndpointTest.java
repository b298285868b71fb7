package io.semel.processor;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.semel.client.Consumer;
import io.semel.client.Producer;
import io.semel.processor.outbox.OutboxRelay;
import io.semel.processor.store.JdbcStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ProcessorEndpoint} over HTTP beside a real processor and outbox relay on a real broker:
 * the processor's meters and the relay's lag move with the work, readiness follows the processor.
 */
class ProcessorEndpointTest {
    private static final int ORDERS = 10;
    /** The endpoint's clock runs this far ahead, so the oldest unsent row is at least this old. */
    private static final Duration AHEAD = Duration.ofMinutes(5);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    @Test
    void metricsAndReadinessFollowTheProcessorAndTheRelaysLag() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(dir.resolve("broker"));
                JdbcStore store = JdbcStore.sqlite(dir.resolve("billing.db"));
                ProcessorEndpoint endpoint = ProcessorEndpoint.start("127.0.0.1", 0, registry,
                        Clock.offset(Clock.systemUTC(), AHEAD))) {
            broker.createTopic("orders", 1);
            broker.createTopic("invoices", 1);
            assertThat(get(endpoint, "/health/live")).isEqualTo("200 live\n");
            assertThat(get(endpoint, "/health/ready")).startsWith("503 not ready: no processor or relay");
            try (Producer producer = Producer.builder(broker.bootstrap()).build()) {
                for (int i = 0; i < ORDERS; i++) {
                    producer.send("orders", ("acct-" + i).getBytes(UTF_8), Integer.toString(i).getBytes(UTF_8));
                }
                producer.flush();
            }
            ExactlyOnceProcessor processor = ExactlyOnceProcessor.builder()
                    .source(new SemelSource(Consumer.builder(broker.bootstrap()).group("billing").topic("orders")
                            .build(), BrokerFixture.REDELIVERY))
                    .store(store).consumer("billing").meterRegistry(registry)
                    .handler((m, tx) -> tx.send("invoices", m.key(), m.value())).build();
            OutboxRelay relay = OutboxRelay.builder(store, broker.bootstrap()).relayName("billing-outbox")
                    .pollIntervalMs(10).build();
            endpoint.add(processor).addRelay(relay, store);
            assertThat(get(endpoint, "/health/ready")).isEqualTo("503 not ready: processor billing is NEW\n");

            processor.start();
            // The commit timer records after the transaction returns, a moment after the processed counter; the
            // relay's lag is read by a hook just before the scrape, so one scrape can see the counter of a commit
            // whose rows the hook did not see yet: wait for all three (a lag that never reaches ORDERS fails).
            String m = awaitMetrics(endpoint, s -> value(s, "semel_processor_processed_total", "consumer", "billing")
                    == ORDERS && value(s, "semel_processor_batch_commit_seconds_count", "consumer", "billing") > 0
                    && value(s, "semel_relay_lag_rows", "relay", "billing-outbox") == ORDERS);
            assertThat(value(m, "semel_relay_lag_rows", "relay", "billing-outbox")).as("relay not started")
                    .isEqualTo(ORDERS);
            // The rows' times and the clock are whole milliseconds taken at different moments: 299.999 s was seen.
            assertThat(value(m, "semel_relay_lag_age_seconds", "relay", "billing-outbox"))
                    .isGreaterThan(AHEAD.toSeconds() - 1.0);
            assertThat(value(m, "semel_relay_sent_total", "relay", "billing-outbox")).isZero();
            assertThat(get(endpoint, "/health/ready")).isEqualTo("200 ready: 1 processor(s) running, 1 relay(s)\n");

            relay.start();
            m = awaitMetrics(endpoint, s -> value(s, "semel_relay_lag_rows", "relay", "billing-outbox") == 0);
            assertThat(value(m, "semel_relay_sent_total", "relay", "billing-outbox")).isEqualTo(ORDERS);
            assertThat(value(m, "semel_relay_lag_age_seconds", "relay", "billing-outbox")).isZero();
            relay.close();

            processor.stop();
            assertThat(get(endpoint, "/health/ready")).isEqualTo("503 not ready: processor billing is STOPPED\n");
            endpoint.remove(processor);
            assertThat(get(endpoint, "/health/ready")).startsWith("200 ready: 0 processor(s) running, 1 relay(s)");
        }
    }

    @Test
    void aRelayThatStoppedOnItsOwnMakesTheEndpointNotReady() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(dir.resolve("broker"));
                JdbcStore before = JdbcStore.sqlite(dir.resolve("before.db"));
                JdbcStore restored = JdbcStore.sqlite(dir.resolve("restored.db"));
                ProcessorEndpoint endpoint = ProcessorEndpoint.start("127.0.0.1", 0, registry)) {
            broker.createTopic("invoices", 1);
            enqueueInvoice(before, "invoice-1");
            try (OutboxRelay first = OutboxRelay.builder(before, broker.bootstrap()).relayName("billing-outbox").build()) {
                assertThat(first.runOnce()).isEqualTo(1);
            }
            // The same relay name over a store that lost that row (an old backup): the broker is ahead of it.
            enqueueInvoice(restored, "invoice-2");
            try (OutboxRelay relay = OutboxRelay.builder(restored, broker.bootstrap()).relayName("billing-outbox")
                    .pollIntervalMs(10).build()) {
                endpoint.addRelay(relay, restored);
                assertThat(get(endpoint, "/health/ready")).isEqualTo("200 ready: 0 processor(s) running, 1 relay(s)\n");
                relay.start();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (relay.failure().isEmpty()) {
                    assertThat(System.nanoTime()).as("relay stopped in time").isLessThan(deadline);
                    Thread.sleep(10);
                }
                assertThat(get(endpoint, "/health/ready")).startsWith("503 not ready: relay billing-outbox stopped: ")
                        .contains("RelayDivergedException");
            }
        }
    }

    private static void enqueueInvoice(JdbcStore store, String id) throws Exception {
        store.inTransaction(tx -> {
            tx.enqueueOutbox(new io.semel.processor.store.OutboxMessage("invoices", null, id.getBytes(UTF_8),
                    java.util.List.of(), id, 1));
            return null;
        });
    }

    @Test
    void aProcessorOnAnotherRegistryAndAPortInUseAreRefusedClearly() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(dir.resolve("broker"));
                JdbcStore store = JdbcStore.sqlite(dir.resolve("x.db"));
                ProcessorEndpoint endpoint = ProcessorEndpoint.start("127.0.0.1", 0, registry)) {
            broker.createTopic("t", 1);
            ExactlyOnceProcessor other = ExactlyOnceProcessor.builder()
                    .source(new SemelSource(Consumer.builder(broker.bootstrap()).group("g").topic("t").build(),
                            BrokerFixture.REDELIVERY))
                    .store(store).consumer("x").meterRegistry(new SimpleMeterRegistry()).handler((m, tx) -> { })
                    .build();
            assertThatThrownBy(() -> endpoint.add(other)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("processor x reports to another MeterRegistry");
        }
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> ProcessorEndpoint.start("127.0.0.1", port, registry))
                    .isInstanceOf(IOException.class).hasMessageContaining("cannot serve metrics on 127.0.0.1:" + port);
        }
    }

    private String get(ProcessorEndpoint endpoint, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port()
                + path)).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    private String awaitMetrics(ProcessorEndpoint endpoint, Predicate<String> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            String m = get(endpoint, "/metrics");
            assertThat(m).startsWith("200 ");
            if (done.test(m)) {
                return m;
            }
            assertThat(System.nanoTime()).as("metrics reached the expected values in time:\n%s", m)
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** The sum of the samples of {@code name} whose labels include the given pairs (0 when none). */
    private static double value(String scrape, String name, String... labels) {
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
