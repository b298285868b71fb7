package io.semel.client;

/**
 * Counts of records by outcome since the producer was built; a snapshot.
 *
 * @param confirmed appended (duplicates included)
 * @param duplicates confirmed records the broker reported as already appended
 * @param failed definitely not appended (broker refused, buffer full, closed before sending)
 * @param unknown may or may not have been appended (timeout, connection cut, closed in flight)
 */
public record ProducerStats(long confirmed, long duplicates, long failed, long unknown) {
    @Override
    public String toString() {
        return confirmed + " confirmed (" + duplicates + " duplicates), " + failed + " failed, " + unknown
                + " unknown";
    }
}
