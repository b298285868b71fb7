package io.semel.processor.store;

import java.util.Objects;

/**
 * A consumer's position row in one partition as sequence dedup reads and writes it, locked for the
 * transaction ({@link StoreTransaction#lockSequencePositions}).
 *
 * @param nextOffset the highest committed offset + 1 (where an ordered source resumes)
 * @param leaseEpoch the fencing token: a holder with a lower epoch must roll back
 * @param processed the offsets processed under sequence dedup; its watermark starts at {@code inboxBelow}
 * @param inboxBelow offsets below this may have been processed by a writer that kept only inbox rows (a
 *     store written before sequence dedup existed, or a source that is not sequenced): the inbox decides
 *     for them. 0 for a row sequence dedup created; never changes after that
 */
public record SequencePosition(String topic, int partition, long nextOffset, long leaseEpoch,
        ProcessedOffsets processed, long inboxBelow) {

    public SequencePosition {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(processed, "processed");
    }

    /**
     * How many offsets were settled through sequence dedup: those at or above {@code inboxBelow} (where
     * the watermark started) that are processed. Messages deduplicated by the inbox below that boundary
     * are counted by the inbox.
     */
    public long processedCount() {
        return processed.count() - Math.min(inboxBelow, processed.watermark());
    }

    /** This row after committing {@code offsets} under {@code epoch}: processed set, next offset and epoch moved. */
    public SequencePosition plus(long[] offsets, long epoch) {
        ProcessedOffsets p = processed.plus(offsets);
        return new SequencePosition(topic, partition, Math.max(nextOffset, p.end()), Math.max(leaseEpoch, epoch), p,
                inboxBelow);
    }
}
