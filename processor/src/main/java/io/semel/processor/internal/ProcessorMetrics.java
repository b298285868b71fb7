package io.semel.processor.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.semel.processor.SourceMessage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The processor's meters, all tagged {@code consumer}. Names are listed in {@code docs/processor.md}.
 * Thread-safe (Micrometer meters and atomics).
 */
public final class ProcessorMetrics {
    /** Duplicate reason: the message id was PROCESSED (or RECEIVED) in the inbox. */
    public static final String REASON_INBOX = "inbox";
    /** Duplicate reason: the offset is recorded as processed for its partition (sequence dedup). */
    public static final String REASON_SEQUENCE = "sequence";

    private final MeterRegistry registry;
    private final Tags tags;
    private final Counter processed;
    private final Counter duplicatesInbox;
    private final Counter duplicatesSequence;
    private final Counter redeliveries;
    private final Counter nacked;
    private final Counter deadLetterBound;
    private final Counter fenced;
    private final Counter positionStale;
    private final Counter handlerFailures;
    private final Counter inboxFailed;
    private final Timer commit;
    private final Map<String, PartitionLag> lags = new ConcurrentHashMap<>();
    private final AtomicReference<String> lastError = new AtomicReference<>();

    /** Last offset seen and committed position of one partition; the gauge is their difference. */
    private static final class PartitionLag {
        final AtomicLong lastSeenNext = new AtomicLong();
        final AtomicLong position = new AtomicLong();

        double lag() {
            return Math.max(0, lastSeenNext.get() - position.get());
        }
    }

    public ProcessorMetrics(MeterRegistry registry, String consumer) {
        this.registry = registry;
        this.tags = Tags.of("consumer", consumer);
        processed = Counter.builder("semel.processor.processed").tags(tags)
                .description("messages whose handler effects committed").register(registry);
        duplicatesInbox = Counter.builder("semel.processor.duplicates").tags(tags).tag("reason", REASON_INBOX)
                .description("deliveries skipped as already processed").register(registry);
        duplicatesSequence = Counter.builder("semel.processor.duplicates").tags(tags).tag("reason", REASON_SEQUENCE)
                .description("deliveries skipped as already processed").register(registry);
        redeliveries = Counter.builder("semel.processor.redeliveries").tags(tags)
                .description("deliveries with deliveryCount > 1").register(registry);
        nacked = Counter.builder("semel.processor.nacked").tags(tags)
                .description("messages nacked after a handler failure").register(registry);
        deadLetterBound = Counter.builder("semel.processor.dead_letter_bound").tags(tags)
                .description("nacks of a message on its last delivery: the source dead-letters it").register(registry);
        fenced = Counter.builder("semel.processor.fenced").tags(tags)
                .description("transactions rolled back because a newer lease holder owns the partition")
                .register(registry);
        positionStale = Counter.builder("semel.processor.position.stale").tags(tags)
                .description("transactions rolled back and re-run because the position rows changed since this "
                        + "processor's last commit (another member, a claim)").register(registry);
        handlerFailures = Counter.builder("semel.processor.handler_failures").tags(tags).register(registry);
        inboxFailed = Counter.builder("semel.processor.inbox.failed").tags(tags)
                .description("STORE_THEN_PROCESS rows moved to FAILED after processAttemptsMax failed attempts")
                .register(registry);
        commit = Timer.builder("semel.processor.batch.commit").tags(tags)
                .description("time of one batch transaction, handlers and commit included").register(registry);
    }

    public void processed(int n) {
        processed.increment(n);
    }

    public void duplicateSequence(int n) {
        duplicatesSequence.increment(n);
    }

    public void duplicate() {
        duplicatesInbox.increment();
    }

    /**
     * A poll's deliveries: redeliveries counted, and each partition's lag told its highest offset seen.
     * Once per run of one partition's messages, not per message: the partition's gauge is found by a
     * key built from its name.
     */
    public void polled(List<SourceMessage> polled) {
        String topic = null;
        int partition = -1;
        long highest = -1;
        int redelivered = 0;
        for (SourceMessage m : polled) {
            if (m.deliveryCount() > 1) {
                redelivered++;
            }
            if (m.partition() == partition && m.topic().equals(topic)) {
                highest = Math.max(highest, m.offset());
                continue;
            }
            if (topic != null) {
                seen(topic, partition, highest);
            }
            topic = m.topic();
            partition = m.partition();
            highest = m.offset();
        }
        if (topic != null) {
            seen(topic, partition, highest);
        }
        redeliveries.increment(redelivered);
    }

    public void nacked(boolean lastDelivery) {
        nacked.increment();
        if (lastDelivery) {
            deadLetterBound.increment();
        }
    }

    public void fenced() {
        fenced.increment();
    }

    public void positionStale() {
        positionStale.increment();
    }

    public long positionStaleCount() {
        return (long) positionStale.count();
    }

    public void handlerFailure(String error) {
        handlerFailures.increment();
        lastError.set(error);
    }

    public void error(String error) {
        lastError.set(error);
    }

    public void inboxFailed() {
        inboxFailed.increment();
    }

    public Timer commitTimer() {
        return commit;
    }

    /** A delivery of {@code offset} was seen on the partition. */
    private void seen(String topic, int partition, long offset) {
        lag(topic, partition).lastSeenNext.accumulateAndGet(offset + 1, Math::max);
    }

    /** The partition's committed position is at least {@code nextOffset}. */
    public void committed(String topic, int partition, long nextOffset) {
        lag(topic, partition).position.accumulateAndGet(nextOffset, Math::max);
    }

    private PartitionLag lag(String topic, int partition) {
        return lags.computeIfAbsent(topic + "/" + partition, k -> {
            PartitionLag l = new PartitionLag();
            Gauge.builder("semel.processor.lag", l, PartitionLag::lag).tags(tags).tag("topic", topic)
                    .tag("partition", Integer.toString(partition))
                    .description("offsets seen but not yet covered by the committed position").register(registry);
            return l;
        });
    }

    public long processedCount() {
        return (long) processed.count();
    }

    public long duplicateCount() {
        return (long) (duplicatesInbox.count() + duplicatesSequence.count());
    }

    public long redeliveryCount() {
        return (long) redeliveries.count();
    }

    public long nackedCount() {
        return (long) nacked.count();
    }

    public long fencedCount() {
        return (long) fenced.count();
    }

    public String lastError() {
        return lastError.get();
    }
}
