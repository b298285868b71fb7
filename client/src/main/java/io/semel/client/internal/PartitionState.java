package io.semel.client.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The sender's view of one partition: next sequence, batches in flight, batches waiting to be
 * resent. Owned by the sender thread; not thread-safe.
 *
 * <p>Sequence rules (idempotent mode). Batches are sent in sequence order. When one needs a resend,
 * nothing new is sent to the partition until every batch in flight has answered; then the
 * resends go out again in sequence order. When the broker proves a batch was never appended
 * (a definite refusal, or OUT_OF_ORDER_SEQUENCE right after a batch whose outcome was left
 * unknown), every later batch was refused too (the broker appends in order), so those later
 * batches are renumbered from {@link #rewindTo}: their sequences were never used.
 */
final class PartitionState {
    final TopicPartition tp;
    long nextSequence;
    final List<ProducerBatch> inFlight = new ArrayList<>();
    /** Sorted by base sequence (idempotent) or in failure order (otherwise). */
    final List<ProducerBatch> retry = new ArrayList<>();
    /** Lowest sequence the broker proved unused, or -1: renumber from here once nothing is in flight. */
    long rewindTo = -1;

    PartitionState(TopicPartition tp, long nextSequence) {
        this.tp = tp;
        this.nextSequence = nextSequence;
    }

    void addRetry(ProducerBatch b, boolean bySequence) {
        retry.add(b);
        if (bySequence) {
            retry.sort(Comparator.comparingLong(x -> x.baseSequence));
        }
    }

    boolean hasEarlierPending(ProducerBatch b) {
        for (ProducerBatch x : inFlight) {
            if (x != b && x.baseSequence < b.baseSequence) {
                return true;
            }
        }
        for (ProducerBatch x : retry) {
            if (x != b && x.baseSequence < b.baseSequence) {
                return true;
            }
        }
        return false;
    }

    void rewind(long base) {
        if (base >= 0 && (rewindTo < 0 || base < rewindTo)) {
            rewindTo = base;
        }
    }

    /** Renumbers the resends from {@link #rewindTo}; call only with nothing in flight. */
    void applyRewind() {
        assert inFlight.isEmpty() : "rewind with batches in flight on " + tp;
        if (rewindTo < 0) {
            return;
        }
        long next = rewindTo;
        for (ProducerBatch b : retry) {
            if (!b.explicitSequences) {
                b.baseSequence = next;
                b.maybeAppended = false;
                next += b.size();
            }
        }
        nextSequence = next;
        rewindTo = -1;
    }
}
