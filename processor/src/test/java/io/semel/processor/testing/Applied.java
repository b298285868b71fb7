package io.semel.processor.testing;

import io.semel.processor.store.JdbcStore;
import io.semel.processor.store.SequencePosition;

/**
 * How many messages a consumer has settled, whichever dedup mode wrote the store: the inbox's
 * PROCESSED rows (message-id dedup) or the offsets recorded by sequence dedup. With a sequenced source
 * message-id dedup keeps both (equal counts); sequence dedup without application keys keeps only the
 * offsets; so the larger of the two is the count in either mode.
 */
public final class Applied {
    private Applied() {
    }

    public static long count(JdbcStore store, String consumer) {
        long inbox = store.inboxCounts(consumer).processed();
        return Math.max(inbox, sequenceCount(store, consumer));
    }

    /** Offsets recorded as processed by sequence dedup, over all of the consumer's partitions. */
    public static long sequenceCount(JdbcStore store, String consumer) {
        return store.sequencePositions(consumer).stream().mapToLong(SequencePosition::processedCount).sum();
    }
}
