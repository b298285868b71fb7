package io.semel.processor;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.semel.metrics.MetricsEndpoint;
import io.semel.processor.outbox.OutboxRelay;
import io.semel.processor.store.JdbcStore;
import io.semel.processor.store.OutboxBacklog;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a processor application's metrics and health over HTTP: {@code /metrics} (Prometheus
 * text), {@code /health/live} and {@code /health/ready}. Embed it beside your processors:
 *
 * <pre>{@code
 * PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * ExactlyOnceProcessor p = ExactlyOnceProcessor.builder()...meterRegistry(registry).build();
 * try (ProcessorEndpoint endpoint = ProcessorEndpoint.start("0.0.0.0", 9464, registry)) {
 *     endpoint.add(p);
 *     endpoint.addRelay(relay, store);
 *     p.start();
 *     ...
 * }
 * }</pre>
 *
 * <p>{@code /metrics} carries the processors' meters ({@code semel_processor_*}, docs/processor.md)
 * and, per relay, its counters and its lag: unsent outbox rows and the age of the oldest, read
 * from the store before each scrape. Ready means every added processor is RUNNING (its store opened
 * and its source joined) and no added relay has stopped on a failure; with nothing added it is not
 * ready. Thread-safe; {@link #add} and {@link #remove} may be called at any time.
 */
public final class ProcessorEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessorEndpoint.class);

    private final PrometheusMeterRegistry registry;
    private final Clock clock;
    private final List<ExactlyOnceProcessor> processors = new CopyOnWriteArrayList<>();
    private final List<RelayLag> relays = new CopyOnWriteArrayList<>();
    private final MetricsEndpoint endpoint;

    /** One relay's lag, read from its store before each scrape. */
    private record RelayLag(OutboxRelay relay, JdbcStore store, AtomicLong unsent, AtomicLong oldestAgeMs) {
    }

    private ProcessorEndpoint(String host, int port, PrometheusMeterRegistry registry, Clock clock)
            throws IOException {
        this.registry = registry;
        this.clock = clock;
        this.endpoint = MetricsEndpoint.start(host, port, registry, List.of(this::refresh), this::health);
    }

    /**
     * Binds {@code host:port} (0 picks a free port) and serves {@code registry}.
     *
     * @throws IOException naming the address when the port cannot be bound
     */
    public static ProcessorEndpoint start(String host, int port, PrometheusMeterRegistry registry)
            throws IOException {
        return start(host, port, registry, Clock.systemUTC());
    }

    /** As {@link #start(String, int, PrometheusMeterRegistry)}, with the clock that ages relay lag. */
    public static ProcessorEndpoint start(String host, int port, PrometheusMeterRegistry registry, Clock clock)
            throws IOException {
        return new ProcessorEndpoint(Objects.requireNonNull(host, "host"), port,
                Objects.requireNonNull(registry, "registry"), Objects.requireNonNull(clock, "clock"));
    }

    /** The bound port. */
    public int port() {
        return endpoint.port();
    }

    /**
     * Watches {@code processor} for readiness.
     *
     * @throws IllegalArgumentException when it reports to another registry (its meters would be missing)
     */
    public ProcessorEndpoint add(ExactlyOnceProcessor processor) {
        if (processor.meterRegistry() != registry) {
            throw new IllegalArgumentException("processor " + processor.status().consumer() + " reports to another "
                    + "MeterRegistry; build it with .meterRegistry(registry) using this endpoint's registry");
        }
        processors.add(processor);
        return this;
    }

    /** Stops watching {@code processor} (its meters stay in the registry). */
    public ProcessorEndpoint remove(ExactlyOnceProcessor processor) {
        processors.remove(processor);
        return this;
    }

    /** Publishes {@code relay}'s counters and lag ({@code store} is the relay's, read for the lag). */
    public ProcessorEndpoint addRelay(OutboxRelay relay, JdbcStore store) {
        RelayLag lag = new RelayLag(relay, store, new AtomicLong(), new AtomicLong());
        String name = relay.relayName();
        counter("semel.relay.assigned", name, relay, s -> s.stats().assigned(), "rows given a partition and sequence");
        counter("semel.relay.sent", name, relay, s -> s.stats().sent(), "rows confirmed by the broker and marked sent");
        counter("semel.relay.duplicates", name, relay, s -> s.stats().duplicates(),
                "sends the broker answered as duplicates (a resend after a crash or retry)");
        counter("semel.relay.already.in.log", name, relay, s -> s.stats().alreadyInLog(),
                "rows found already in the log when a session reconciled");
        counter("semel.relay.sessions", name, relay, s -> s.stats().sessions(), "producer sessions started");
        counter("semel.relay.errors", name, relay, s -> s.stats().errors(), "passes that failed and were retried");
        Gauge.builder("semel.relay.lag", lag.unsent(), AtomicLong::get).tag("relay", name).baseUnit("rows")
                .description("outbox rows committed and not yet marked sent").register(registry);
        TimeGauge.builder("semel.relay.lag.age", lag.oldestAgeMs(), TimeUnit.MILLISECONDS, AtomicLong::get)
                .tag("relay", name).description("age of the oldest unsent outbox row (0 when none)").register(registry);
        relays.add(lag);
        return this;
    }

    private void counter(String meter, String relayName, OutboxRelay relay, ToDoubleFunction<OutboxRelay> f,
            String description) {
        FunctionCounter.builder(meter, relay, f).tag("relay", relayName).description(description).register(registry);
    }

    private void refresh() {
        long now = clock.millis();
        for (RelayLag r : relays) {
            try {
                OutboxBacklog b = r.store().outboxBacklog();
                r.unsent().set(b.unsent());
                r.oldestAgeMs().set(b.oldestAgeMs(now));
            } catch (RuntimeException e) {
                LOG.warn("reading the outbox backlog of relay {} failed; serving the previous lag: {}",
                        r.relay().relayName(), e.toString());
            }
        }
    }

    private MetricsEndpoint.Health health() {
        if (processors.isEmpty() && relays.isEmpty()) {
            return MetricsEndpoint.Health.notReady("no processor or relay added to the endpoint yet");
        }
        for (ExactlyOnceProcessor p : processors) {
            ProcessorStatus s = p.status();
            if (s.state() != ProcessorStatus.State.RUNNING) {
                return MetricsEndpoint.Health.notReady("processor " + s.consumer() + " is " + s.state()
                        + (s.lastError() == null ? "" : " (last error: " + s.lastError() + ")"));
            }
        }
        for (RelayLag r : relays) {
            if (r.relay().failure().isPresent()) {
                return MetricsEndpoint.Health.notReady("relay " + r.relay().relayName() + " stopped: "
                        + r.relay().failure().get());
            }
        }
        return MetricsEndpoint.Health.ready(processors.size() + " processor(s) running, " + relays.size()
                + " relay(s)");
    }

    /** Stops serving (the processors and relays keep running). */
    @Override
    public void close() {
        endpoint.close();
    }
}
