package io.semel.processor.internal;

import io.semel.processor.Handler;
import io.semel.processor.Source;
import io.semel.processor.store.JdbcStore;
import java.time.InstantSource;

/**
 * What every part of a running processor shares. Immutable; its members are thread-safe except the
 * source, which only the poll thread uses.
 *
 * @param batchSize messages per receive transaction
 * @param dedup how duplicates are recognised (resolved: SEQUENCE only with a sequenced source)
 */
public record ProcessorContext(String consumer, Source source, JdbcStore store, Handler handler, InstantSource clock,
        ProcessorMetrics metrics, int batchSize, io.semel.processor.Dedup dedup) {

    /**
     * Whether transactions keep the per-partition processed offsets: with every sequenced source, in both
     * dedup modes, so either mode sees what the other processed.
     */
    public boolean sequenceState() {
        return source.sequenced();
    }

    /** Whether every message needs an inbox row (MESSAGE_ID), not only application keys. */
    public boolean inboxForEveryMessage() {
        return dedup == io.semel.processor.Dedup.MESSAGE_ID;
    }
}
