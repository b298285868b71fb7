package io.semel.console;

/**
 * Cumulative broker counters the console samples every {@code sampleIntervalMs} into its chart
 * history. The default implementation derives them from the broker's partitions and the JVM's own
 * file-force events; a metrics registry (Micrometer) can take its place. Thread-safe; called from
 * the console's sampler thread only.
 */
public interface BrokerCounters {

    /** Counters since an arbitrary origin; they never go down. {@code -1} marks one that is not available. */
    record Counters(long recordsAppended, long fsyncs, long fsyncNanosTotal, long fsyncNanosMax) {
    }

    /** The counters now; {@code fsyncNanosMax} is the longest fsync since the previous call. */
    Counters read();

    /** Releases what the counters hold (threads, recordings); idempotent. */
    default void close() {
    }
}
