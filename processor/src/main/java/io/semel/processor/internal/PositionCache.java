package io.semel.processor.internal;

import io.semel.processor.store.SequencePosition;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * Sequence dedup's position rows as this processor's own transactions last committed them, per
 * partition: the lease holder's copy, so a transaction writes its rows with one conditional update
 * ({@link SequenceDedup#fromCache}) instead of reading them first.
 *
 * <p>A cache in the sense of the conventions: never trusted, only checked. An entry is filled only from
 * the rows a transaction wrote, after that transaction committed; a transaction that rolled back leaves
 * it as it was (the database holds the old rows too). The conditional update compares every column with
 * the entry, so a row that anyone else wrote since (a newer lease holder, a claim, a dead letter, a
 * commit whose outcome was unknown) does not match, and the transaction is rolled back and re-run
 * reading the rows. An entry is used only under the lease epoch it was written with: a batch under
 * another epoch (a lease that moved and came back) reads the rows.
 *
 * <p>Not thread-safe: the poll thread only.
 */
final class PositionCache {
    /** Partitions remembered; beyond that the cache starts over (each partition's next batch reads its row). */
    static final int PARTITIONS_MAX = 4_096;
    /**
     * A row with more ranges of processed offsets (gaps: dead letters, messages still failing) is not
     * remembered; its partition reads its row every time. Bounds the cache at 4,096 × 256 × 16 bytes.
     */
    static final int RANGES_MAX = 256;

    private final Map<Batches.TopicPartition, SequencePosition> rows = new HashMap<>();

    /** Whether every partition of the batch has an entry written under the batch's lease epoch for it. */
    boolean covers(Map<Batches.TopicPartition, Batches.Advance> advances) {
        for (Map.Entry<Batches.TopicPartition, Batches.Advance> e : advances.entrySet()) {
            SequencePosition p = rows.get(e.getKey());
            if (p == null || p.leaseEpoch() != e.getValue().leaseEpoch()) {
                return false;
            }
        }
        return true;
    }

    /** The entries, read-only. */
    Map<Batches.TopicPartition, SequencePosition> view() {
        return Collections.unmodifiableMap(rows);
    }

    /** The entry of one partition, or null. */
    SequencePosition get(Batches.TopicPartition tp) {
        return rows.get(tp);
    }

    /** The rows a transaction wrote, called after it committed. */
    void committed(Map<Batches.TopicPartition, SequencePosition> written) {
        if (rows.size() + written.size() > PARTITIONS_MAX) {
            rows.clear();
        }
        for (Map.Entry<Batches.TopicPartition, SequencePosition> e : written.entrySet()) {
            if (e.getValue().processed().rangeCount() > RANGES_MAX) {
                rows.remove(e.getKey());
            } else {
                rows.put(e.getKey(), e.getValue());
            }
        }
    }

    void forget(Batches.TopicPartition tp) {
        rows.remove(tp);
    }

    void forget(Collection<Batches.TopicPartition> tps) {
        for (Batches.TopicPartition tp : tps) {
            rows.remove(tp);
        }
    }
}
