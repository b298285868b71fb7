package io.semel.spring;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.semel.spring.internal.RelayRunner;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;

/**
 * Runs the outbox relay while the application runs: it publishes what handlers sent with
 * {@code tx.send}, each committed row exactly once (see docs/processor.md, "Outbox relay").
 *
 * <p>Phase {@link #PHASE}, below {@link SemelProcessors#PHASE}: started before the processors and
 * stopped after them, so rows written by the last batches before shutdown still go out; any row
 * left unsent is published by the next start. States: NEW → RUNNING (start) → STOPPED (stop) →
 * RUNNING (start builds a new relay). Meters, when a MeterRegistry exists: one function counter
 * {@code semel.relay.<counter>} per relay counter ({@code sent}, {@code sessions}, …), tagged
 * {@code relay}, monotonic across restarts. Thread-safe (synchronized).
 */
public class SemelOutbox implements SmartLifecycle, DisposableBean {
    public static final int PHASE = SemelProcessors.PHASE - 1_000;
    private static final Logger LOG = LoggerFactory.getLogger(SemelOutbox.class);

    private final Supplier<RelayRunner> factory;
    private final Supplier<MeterRegistry> meters;
    private final String relayName;
    private final Map<String, Long> before = new HashMap<>();
    private final Set<String> registered = new HashSet<>();
    private RelayRunner running;

    /**
     * @param factory builds and starts a relay (called by each start)
     * @param meters the application's MeterRegistry, or a supplier of null
     */
    public SemelOutbox(Supplier<RelayRunner> factory, Supplier<MeterRegistry> meters, String relayName) {
        this.factory = factory;
        this.meters = meters;
        this.relayName = relayName;
    }

    @Override
    public synchronized void start() {
        if (running != null) {
            return;
        }
        running = factory.get();
        MeterRegistry registry = meters.get();
        if (registry != null) {
            for (String name : running.counters().keySet()) {
                if (registered.add(name)) {
                    FunctionCounter.builder("semel.relay." + name, this, o -> o.counter(name)).tag("relay", relayName)
                            .register(registry);
                }
            }
        }
        LOG.info("Semel: {} started", running.describe());
    }

    @Override
    public synchronized void stop() {
        RelayRunner r = running;
        if (r == null) {
            return;
        }
        r.close();
        r.counters().forEach((k, v) -> before.merge(k, v, Long::sum));
        running = null;
        LOG.info("Semel: {} stopped", r.describe());
    }

    /** Also stops on destruction: a context whose refresh failed destroys its beans without a lifecycle stop. */
    @Override
    public void destroy() {
        stop();
    }

    @Override
    public synchronized boolean isRunning() {
        return running != null;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** A relay counter ({@code sent}, {@code sessions}, …) since the application started; 0 when unknown. */
    public synchronized long counter(String name) {
        long now = running == null ? 0 : running.counters().getOrDefault(name, 0L);
        return before.getOrDefault(name, 0L) + now;
    }

    /** Why the running relay stopped on its own, if it did. */
    public synchronized Optional<Throwable> failure() {
        return running == null ? Optional.empty() : running.failure();
    }

    /** The running relay's description, or empty when stopped. */
    public synchronized Optional<String> describe() {
        return running == null ? Optional.empty() : Optional.of(running.describe());
    }
}
