package io.semel.processor;

import java.time.Duration;
import java.util.List;

/**
 * Where the processor reads messages from: a consumer-group member with per-message settlement.
 * {@link SemelSource} is the Semel implementation.
 *
 * <p>Not thread-safe: the processor calls {@link #poll}, {@link #ack} and {@link #nack} from its one
 * poll thread; {@link #close()} may come from any thread.
 */
public interface Source extends AutoCloseable {

    /** Up to one batch of deliveries, waiting up to {@code timeout} when none is ready; may be empty. */
    List<SourceMessage> poll(Duration timeout);

    /**
     * Settles the messages. Returns how many were settled; the others (e.g. a reassigned lease) will
     * be redelivered to whoever holds the partition now, which the inbox turns into a skip.
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

    @Override
    void close();
}
