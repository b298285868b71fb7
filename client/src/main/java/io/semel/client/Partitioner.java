package io.semel.client;

import io.semel.client.internal.Murmur2;
import java.util.Objects;

/**
 * The producer's key → partition rule, public so that code that assigns partitions itself (an outbox
 * relay that stores each row's partition before sending) lands keys exactly where
 * {@link Producer#send} would: {@code (murmur2(key) & 0x7fffffff) mod partitionCount}, Kafka's
 * default partitioner. Stateless; thread-safe. Null keys have no partition here: the producer
 * spreads them itself ({@link KeylessPartitioning}); a caller assigning partitions for them chooses
 * its own rule (round-robin is the simplest even one).
 */
public final class Partitioner {
    private Partitioner() {
    }

    /**
     * @throws IllegalArgumentException when {@code partitionCount < 1}
     */
    public static int partitionForKey(byte[] key, int partitionCount) {
        Objects.requireNonNull(key, "key (null keys have no key partition; the caller spreads them)");
        return Murmur2.partition(key, partitionCount);
    }
}
