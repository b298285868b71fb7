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
 */
public record ProcessorContext(String consumer, Source source, JdbcStore store, Handler handler, InstantSource clock,
        ProcessorMetrics metrics, int batchSize) {
}
