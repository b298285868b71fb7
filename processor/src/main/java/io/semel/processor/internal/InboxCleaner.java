package io.semel.processor.internal;

import io.semel.processor.store.JdbcStore;
import java.time.InstantSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention of the inbox: deletes PROCESSED rows processed more than {@code inboxRetentionMs} ago,
 * {@link #DELETE_BATCH_ROWS} per short transaction, at most {@link #DELETE_BATCHES_PER_RUN} batches per
 * run so a backlog never holds the store (SQLite: its one writer lock) for long.
 *
 * <p>Not thread-safe: {@link #runOnce()} is called from the processor's one cleanup thread (or a test).
 */
public final class InboxCleaner {
    private static final Logger LOG = LoggerFactory.getLogger(InboxCleaner.class);
    /** Rows deleted per transaction. */
    public static final int DELETE_BATCH_ROWS = 1_000;
    /** Transactions per run; the rest waits for the next run. */
    public static final int DELETE_BATCHES_PER_RUN = 100;

    private final JdbcStore store;
    private final InstantSource clock;
    private final long inboxRetentionMs;

    public InboxCleaner(JdbcStore store, InstantSource clock, long inboxRetentionMs) {
        this.store = store;
        this.clock = clock;
        this.inboxRetentionMs = inboxRetentionMs;
    }

    /** Deletes what is due (bounded); returns how many rows. */
    public long runOnce() {
        long cutoffMs = clock.millis() - inboxRetentionMs;
        long total = 0;
        for (int i = 0; i < DELETE_BATCHES_PER_RUN; i++) {
            int n = store.deleteProcessedInboxBefore(cutoffMs, DELETE_BATCH_ROWS);
            total += n;
            if (n < DELETE_BATCH_ROWS) {
                break;
            }
        }
        if (total > 0) {
            LOG.info("inbox retention deleted {} PROCESSED rows processed before {} (inboxRetentionMs {})", total,
                    cutoffMs, inboxRetentionMs);
        }
        return total;
    }

    /** Runs and logs failures instead of throwing (for a scheduled executor, which would stop on a throw). */
    public void runQuietly() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            LOG.warn("inbox retention run failed; trying again next time: {}", e.toString());
        }
    }
}
