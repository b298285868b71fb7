package io.semel.kafka;

/**
 * Where a {@link KafkaOutboxRelay}'s passes spent their time, cumulative since it was built: for benchmarks and
 * for finding whether the store or Kafka bounds the relay. Times are wall-clock nanoseconds on the relay thread.
 *
 * @param passes passes that published rows (one Kafka transaction each)
 * @param emptyPasses passes that found no pending row
 * @param rows rows published
 * @param readNanos reading pending rows from the store (all passes, empty ones included)
 * @param kafkaNanos {@code beginTransaction} through {@code commitTransaction}: the sends, the progress record, the
 *     commit (less the store reads of a pass's later chunks, counted in {@code readNanos})
 * @param markNanos the store transaction marking a pass's rows sent and recording its last id
 * @param idleNanos waiting after an empty pass (or for a wake-up, see {@link KafkaOutboxRelayBuilder#pollIntervalMs})
 */
public record RelayPassStats(long passes, long emptyPasses, long rows, long readNanos, long kafkaNanos, long markNanos,
        long idleNanos) {

    /** One line: rows per pass and milliseconds per phase, e.g. for a benchmark's output. */
    public String describe() {
        return String.format(java.util.Locale.ROOT, "%d passes (%.1f rows/pass) + %d empty; store read %.0f ms, "
                + "Kafka transaction %.0f ms (%.1f ms/pass), store mark %.0f ms (%.1f ms/pass), idle %.0f ms",
                passes, passes == 0 ? 0.0 : (double) rows / passes, emptyPasses, readNanos / 1e6, kafkaNanos / 1e6,
                passes == 0 ? 0.0 : kafkaNanos / 1e6 / passes, markNanos / 1e6,
                passes == 0 ? 0.0 : markNanos / 1e6 / passes, idleNanos / 1e6);
    }
}
