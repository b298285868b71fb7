package io.semel.broker.internal;

import io.semel.log.producer.ProducerRegistry;
import java.util.concurrent.CompletableFuture;

/**
 * The producer epochs in {@link ProducerRegistry}, for the event loops: always answered at once, from the
 * registry's lock-free map of durable epochs.
 *
 * <p>Why never asynchronous: PRODUCE appends its batch in a continuation of this future. A lookup that
 * completed later for an earlier request (the first batches of a producer after a broker restart) let
 * the next pipelined batch of the same connection reach the partition first, and it was answered
 * OUT_OF_ORDER_SEQUENCE although the client sent in order (found by the verify sweep, seed 104534896:
 * an exactly-once producer stopped after a power loss). Thread-safe.
 */
public final class ProducerEpochs {
    private final ProducerRegistry registry;

    public ProducerEpochs(ProducerRegistry registry) {
        this.registry = registry;
    }

    /** The current epoch of {@code producerId}, or -1 if the registry never issued it; already complete. */
    public CompletableFuture<Short> currentEpoch(long producerId) {
        return CompletableFuture.completedFuture(registry.durableEpoch(producerId));
    }
}
