package io.semel.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.semel.processor.ExactlyOnceProcessor;
import io.semel.processor.ProcessorStatus;
import io.semel.processor.Source;
import io.semel.processor.store.JdbcStore;
import io.semel.spring.internal.SubscriptionCollector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;

/**
 * Runs one {@link ExactlyOnceProcessor} per handler (topic, group) while the application runs.
 *
 * <p>Lifecycle (Spring's {@link SmartLifecycle}, phase {@link #PHASE}: started after, and stopped
 * before, the outbox relay). States and transitions:
 * <pre>
 * NEW --start()--> RUNNING --stop()--> STOPPED --start()--> RUNNING (new processors, same store)
 * NEW --start() fails--> STOPPED (processors started so far are stopped again)
 * </pre>
 * {@link #stop()} is the graceful shutdown: each processor stops polling, finishes the batch in
 * flight (its transaction commits and its messages are acked, or it rolls back and they are
 * redelivered later), and leaves its group; only then does the context go on to close the store.
 *
 * <p>Thread-safe: lifecycle calls and reads synchronize on this.
 */
public class SemelProcessors implements SmartLifecycle, DisposableBean {
    /** Stopped before the relay ({@link SemelOutbox#PHASE}) so the last batches' outbox rows are relayed. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1_000;
    private static final Logger LOG = LoggerFactory.getLogger(SemelProcessors.class);

    /** See the class comment. */
    public enum State { NEW, RUNNING, STOPPED }

    private final JdbcStore store;
    private final ProcessorSettings settings;
    private final SemelSourceFactory sources;
    private final SubscriptionCollector collector;
    private final Supplier<List<SemelSubscription>> declared;
    private final Supplier<MeterRegistry> meters;
    private final Map<String, ExactlyOnceProcessor> processors = new LinkedHashMap<>();
    private State state = State.NEW;

    /**
     * @param declared the {@link SemelSubscription} beans (read at start)
     * @param meters the application's MeterRegistry, or a supplier of null (each processor then keeps its own)
     */
    public SemelProcessors(JdbcStore store, ProcessorSettings settings, SemelSourceFactory sources,
            SubscriptionCollector collector, Supplier<List<SemelSubscription>> declared, Supplier<MeterRegistry> meters) {
        this.store = store;
        this.settings = settings;
        this.sources = sources;
        this.collector = collector;
        this.declared = declared;
        this.meters = meters;
    }

    /** Every subscription: annotated handlers, then SemelSubscription beans; checked for clashes and strays. */
    List<SemelSubscription> subscriptions() {
        List<SemelSubscription> all = new ArrayList<>(collector.found());
        all.addAll(declared.get());
        Map<String, SemelSubscription> byKey = new LinkedHashMap<>();
        Map<String, SemelSubscription> byConsumer = new LinkedHashMap<>();
        for (SemelSubscription s : all) {
            SemelSubscription clash = byKey.putIfAbsent(s.key(), s);
            if (clash != null) {
                throw new IllegalStateException("two Semel handlers for topic '" + s.topic() + "' and group '"
                        + s.group() + "': " + clash.origin() + " and " + s.origin() + ". A group's members share the "
                        + "topic's messages, so each message would reach only one of them; give each its own group, or "
                        + "merge them into one handler");
            }
            SemelSubscription sameConsumer = byConsumer.putIfAbsent(s.consumer() + "\u0000" + s.topic(), s);
            if (sameConsumer != null) {
                throw new IllegalStateException("Semel handlers " + sameConsumer.origin() + " and " + s.origin()
                        + " share the store consumer '" + s.consumer() + "' on topic '" + s.topic() + "': their inbox "
                        + "and positions would mix. Set a distinct consumer in @SemelHandler(consumer = ...)");
            }
        }
        Set<Object> used = Collections.newSetFromMap(new IdentityHashMap<>());
        all.forEach(s -> used.add(s.handler()));
        for (SubscriptionCollector.Unannotated u : collector.unannotated()) {
            if (!used.contains(u.handler())) {
                throw new IllegalStateException("bean '" + u.beanName() + "' implements io.semel.processor.Handler but "
                        + "has no @SemelHandler(topic = ..., group = ...), so the starter does not know what it "
                        + "consumes. Annotate its class, or declare a SemelSubscription bean that uses it");
            }
        }
        return all;
    }

    @Override
    public synchronized void start() {
        if (state == State.RUNNING) {
            return;
        }
        List<SemelSubscription> subs = subscriptions();
        MeterRegistry registry = meters.get();
        try {
            for (SemelSubscription s : subs) {
                processors.put(s.key(), startOne(s, registry));
            }
        } catch (RuntimeException e) {
            stopAll();
            state = State.STOPPED;
            throw e;
        }
        state = State.RUNNING;
        LOG.info("Semel: {} processor(s) running: {}", processors.size(), processors.keySet());
    }

    private ExactlyOnceProcessor startOne(SemelSubscription s, MeterRegistry registry) {
        Source source = sources.create(s);
        ExactlyOnceProcessor.Builder b = ExactlyOnceProcessor.builder().source(source).store(store)
                .handler(s.handler()).consumer(s.consumer()).batchSize(settings.getBatchSize())
                .mode(settings.getMode()).concurrency(settings.getConcurrency())
                .processAttemptsMax(settings.getProcessAttemptsMax()).inboxRetentionMs(settings.getInboxRetentionMs())
                .cleanupIntervalMs(settings.getCleanupIntervalMs())
                .pollTimeout(Duration.ofMillis(settings.getPollTimeoutMs()));
        if (registry != null) {
            b.meterRegistry(registry);
        }
        ExactlyOnceProcessor p;
        try {
            p = b.build();
        } catch (RuntimeException e) {
            source.close();
            throw new IllegalStateException("Semel handler " + s.origin() + " (topic '" + s.topic() + "', group '"
                    + s.group() + "'): " + e.getMessage(), e);
        }
        try {
            p.start();
        } catch (RuntimeException e) {
            p.stop(); // a processor that did not start still owns its source (a joined group member): close it
            throw new IllegalStateException("Semel handler " + s.origin() + " (topic '" + s.topic() + "', group '"
                    + s.group() + "') did not start: " + e.getMessage(), e);
        }
        return p;
    }

    @Override
    public synchronized void stop() {
        stopAll();
        if (state == State.RUNNING) {
            state = State.STOPPED;
        }
    }

    private void stopAll() {
        for (Map.Entry<String, ExactlyOnceProcessor> e : processors.entrySet()) {
            try {
                e.getValue().stop();
            } catch (RuntimeException ex) {
                LOG.warn("Semel: stopping processor {} failed: {}", e.getKey(), ex.toString());
            }
        }
    }

    /** Also stops on destruction: a context whose refresh failed destroys its beans without a lifecycle stop. */
    @Override
    public void destroy() {
        stop();
    }

    @Override
    public synchronized boolean isRunning() {
        return state == State.RUNNING;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    public synchronized State state() {
        return state;
    }

    /** Status of every processor, by {@code topic/group}, in start order. */
    public synchronized Map<String, ProcessorStatus> status() {
        Map<String, ProcessorStatus> out = new LinkedHashMap<>();
        processors.forEach((k, p) -> out.put(k, p.status()));
        return out;
    }

    /** The processor of a topic and group, while this has one. */
    public synchronized Optional<ExactlyOnceProcessor> processor(String topic, String group) {
        return Optional.ofNullable(processors.get(topic + "/" + group));
    }
}
