package io.semel.processor;

import io.semel.processor.store.JdbcStore;
import java.time.Duration;
import java.util.List;

/**
 * Where the processor reads messages from: a consumer-group member with per-message settlement.
 * {@link SemelSource} is the Semel implementation; the {@code semel-kafka} module's {@code KafkaSource}
 * is an {@link #ordered()} one, whose position lives in the store.
 *
 * <p>Not thread-safe: the processor calls {@link #poll}, {@link #ack} and {@link #nack} from its one
 * poll thread; {@link #close()} may come from any thread.
 */
public interface Source extends AutoCloseable {

    /** Up to one batch of deliveries, waiting up to {@code timeout} when none is ready; may be empty. */
    List<SourceMessage> poll(Duration timeout);

    /**
     * Settles the messages. Returns how many were settled; the others (e.g. a reassigned lease) will
     * be redelivered to whoever holds the partition now, which the inbox turns into a skip. A source
     * that settles later (its acks ride on its next poll) returns how many it took and logs the
     * outcome: the processor only acks what it has committed, so a late or lost ack is a skip too.
     */
    int ack(List<SourceMessage> messages);

    /**
     * Asks for redelivery; {@code errorText} is recorded if the source dead-letters the message after
     * its maximum delivery count.
     */
    void nack(SourceMessage message, String errorText);

    /**
     * How long after its first delivery a message may still be redelivered, milliseconds. The inbox
     * must remember processed ids longer than this, or a late redelivery would be applied twice.
     */
    long redeliveryHorizonMs();

    /** Whether this delivery is the last one the source makes before dead-lettering on failure. */
    boolean isLastDelivery(SourceMessage message);

    /**
     * Called once by the processor before the first {@link #poll}, with the consumer name that owns
     * the position rows and the store that holds them. A source whose position lives in the store
     * (Kafka) claims partitions through it; others ignore it (default).
     *
     * @throws IllegalStateException when this source cannot run on that store (e.g. a second instance
     *     on one SQLite file)
     */
    default void bind(String consumer, JdbcStore store) {
    }

    /**
     * True for a source that redelivers by position, not per message (Kafka): the processor then
     * never commits a partition's later messages past a failed one, and dead-letters a message
     * itself (an outbox row to {@code <topic>.dlq} and the position moved past it, in one
     * transaction) after its last delivery. Default false (the broker redelivers and dead-letters).
     */
    default boolean ordered() {
        return false;
    }

    /**
     * True when a message's {@code (topic, partition, offset)} identifies it for good: every delivery
     * of a message carries the same offset, an offset never names another message, and a partition's
     * deliveries carry the lease epoch of their holder (Semel partitions, whose idempotent producers keep
     * each confirmed send once in the log; Kafka partitions). The processor may then deduplicate by
     * sequence ({@link Dedup#SEQUENCE}): a watermark plus the offsets processed above it, per partition,
     * instead of an inbox row per message. Default false (the id inbox).
     */
    default boolean sequenced() {
        return false;
    }

    /**
     * Whether the processor may call this source from a thread of its own and poll the next batch
     * before acking the previous one, overlapping both with its store transaction (default true; calls
     * still come one at a time, in the order the processor makes them). A source that relates its calls
     * to the handler's calls on the processor's thread (a test or history recorder) returns false: every
     * call then comes from the processor's poll thread, strictly poll, transaction, ack.
     */
    default boolean allowsPrefetch() {
        return true;
    }

    /**
     * The processor's commit for {@code topic}/{@code partition} was fenced: the stored lease epoch is
     * higher than this source's. The messages of that partition were neither committed nor acked.
     * A source that claims partitions decides whether it still owns it. Default: nothing.
     */
    default void onFenced(String topic, int partition) {
    }

    @Override
    void close();
}
