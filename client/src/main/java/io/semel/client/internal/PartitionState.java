package io.semel.client.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The sender's view of one partition: next sequence, batches in flight, batches waiting to be
 * resent, batches being released. Owned by the sender thread; not thread-safe.
 *
 * <p>Sequence rules (idempotent mode; see {@link BatchState} for one batch's life):
 * <ol>
 *   <li>Batches are sent in sequence order. When one needs a resend, nothing new is sent to the
 *       partition until every batch in flight has answered; then the resends go out again in
 *       sequence order, each with its own sequences.
 *   <li>A batch that may have been appended ({@link BatchState#inDoubt()}) never changes its
 *       sequences. It is resent until the broker answers for them (appended, or a duplicate).
 *   <li>Sequences are released only for a batch that is definitely not appended and of which no
 *       copy can still arrive ({@link BatchState#RELEASING}), and only once nothing of the
 *       partition is in flight. The batches above it are then renumbered down, which is allowed
 *       only because every one of them is {@link BatchState#BACKOFF}: had any of them been in
 *       doubt, a late copy of it could fill a renumbered sequence. In that case the release is
 *       impossible and {@link #release()} names the batch that blocks it (the producer then stops
 *       loudly instead of guessing).
 *   <li>OUT_OF_ORDER_SEQUENCE for a batch while a lower batch is unsettled only means the lower
 *       one must go first ({@link #lowerPending}).
 * </ol>
 */
final class PartitionState {
    final TopicPartition tp;
    long nextSequence;
    final List<ProducerBatch> inFlight = new ArrayList<>();
    /** BACKOFF and IN_DOUBT batches: by base sequence (idempotent) or in failure order (otherwise). */
    final List<ProducerBatch> retry = new ArrayList<>();
    /** RELEASING batches, by base sequence. */
    final List<ProducerBatch> releasing = new ArrayList<>();

    PartitionState(TopicPartition tp, long nextSequence) {
        this.tp = tp;
        this.nextSequence = nextSequence;
    }

    void addRetry(ProducerBatch b, boolean bySequence) {
        retry.add(b);
        if (bySequence) {
            retry.sort(Comparator.comparingLong(ProducerBatch::baseSequence));
        }
    }

    void addReleasing(ProducerBatch b) {
        releasing.add(b);
        releasing.sort(Comparator.comparingLong(ProducerBatch::baseSequence));
    }

    /** Nothing new may be sent while a resend or a release is pending (sequence order). */
    boolean settling() {
        return !retry.isEmpty() || !releasing.isEmpty();
    }

    /** Some other unsettled batch of this partition has lower sequences than {@code b}. */
    boolean lowerPending(ProducerBatch b) {
        return hasBelow(inFlight, b) || hasBelow(retry, b) || hasBelow(releasing, b);
    }

    private static boolean hasBelow(List<ProducerBatch> list, ProducerBatch b) {
        for (ProducerBatch x : list) {
            if (x != b && x.baseSequence() < b.baseSequence()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code r}'s sequences could be released now: nothing is in flight, and every other
     * batch above it waits in BACKOFF (never in doubt) or is being released too.
     */
    boolean releaseSafe(ProducerBatch r) {
        if (!inFlight.isEmpty()) {
            return false;
        }
        return blockerAbove(r) == null;
    }

    private ProducerBatch blockerAbove(ProducerBatch r) {
        for (ProducerBatch x : retry) {
            if (x.baseSequence() > r.baseSequence() && x.state() != BatchState.BACKOFF) {
                return x;
            }
        }
        return null;
    }

    /**
     * Releases the sequences of every RELEASING batch and renumbers the BACKOFF batches above the
     * lowest of them; call only with nothing in flight.
     *
     * @return null when done (or nothing to do), else the doubtful batch that makes the release
     *     impossible (nothing was changed)
     */
    ProducerBatch release() {
        if (releasing.isEmpty()) {
            return null;
        }
        if (!inFlight.isEmpty()) {
            throw new IllegalStateException("release on " + tp + " with " + inFlight.size() + " batches in flight");
        }
        ProducerBatch lowest = releasing.get(0);
        ProducerBatch blocker = blockerAbove(lowest);
        if (blocker != null) {
            return blocker;
        }
        long next = lowest.baseSequence();
        for (ProducerBatch b : retry) {
            if (b.baseSequence() > lowest.baseSequence()) {
                b.sequenceFrom(next);
                next += b.size();
            } else {
                next = Math.max(next, b.lastSequence() + 1);
            }
        }
        for (ProducerBatch r : releasing) {
            r.moveTo(BatchState.REFUSED);
        }
        releasing.clear();
        nextSequence = next;
        return null;
    }
}
