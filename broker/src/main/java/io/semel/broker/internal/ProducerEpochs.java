package io.semel.broker.internal;

import io.semel.log.producer.ProducerRegistry;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * A non-blocking view of the producer epochs in {@link ProducerRegistry}, for the event loops.
 *
 * <p>Why: the registry holds its monitor across an fsync in {@code initProducer}, so calling even
 * {@code currentEpoch} from an event loop could stall every connection of that loop. Hits are
 * answered from a map; a miss (the first batch of a producer after a broker restart) asks the
 * registry on the admin executor, the thread that also runs every {@code initProducer}, so the
 * map learns each new epoch right after it is durable and before the INIT_PRODUCER answer leaves.
 * Epochs only grow, so updates keep the maximum. Thread-safe.
 */
public final class ProducerEpochs {
    private final ProducerRegistry registry;
    private final Executor admin;
    private final Map<Long, Short> epochs = new ConcurrentHashMap<>();

    public ProducerEpochs(ProducerRegistry registry, Executor admin) {
        this.registry = registry;
        this.admin = admin;
    }

    /** The current epoch of {@code producerId}, or -1 if the registry never issued it. */
    public CompletableFuture<Short> currentEpoch(long producerId) {
        Short known = epochs.get(producerId);
        if (known != null) {
            return CompletableFuture.completedFuture(known);
        }
        return CompletableFuture.supplyAsync(() -> {
            short epoch = registry.currentEpoch(producerId);
            if (epoch >= 0) {
                learned(producerId, epoch);
            }
            return epoch;
        }, admin);
    }

    /** Records an epoch handed out by {@code initProducer}; call on the admin executor. */
    public void learned(long producerId, short epoch) {
        epochs.merge(producerId, epoch, (a, b) -> a >= b ? a : b);
    }
}
