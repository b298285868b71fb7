package io.semel.client;

/**
 * How a {@link Producer} spreads records sent without a key over a topic's partitions (keyed records
 * always go to {@link Partitioner#partitionForKey}). See docs/client.md.
 */
public enum KeylessPartitioning {
    /**
     * The default: every keyless record goes to one partition until a batch's worth of bytes
     * ({@code batchBytesMax}) went there or its batch left for the broker, then the producer moves
     * to another partition; over time each partition gets the same share. Fewer, fuller batches: on a
     * broker that forces before it confirms, each partition's batch costs its own fsync.
     */
    STICKY,
    /**
     * Each keyless record to the next partition in turn (0, 1, 2, …): every batch round fills a
     * small batch on every partition. Even spread at every moment, at the cost of more and smaller
     * batches.
     */
    ROUND_ROBIN
}
