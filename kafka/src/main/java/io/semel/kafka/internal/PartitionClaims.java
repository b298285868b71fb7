package io.semel.kafka.internal;

import io.semel.processor.store.HandlerException;
import io.semel.processor.store.JdbcStore;
import io.semel.processor.store.Position;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/**
 * Which partitions this member holds a DB claim on, and under which epoch. The claim epoch is issued
 * by the store ({@link io.semel.processor.store.StoreTransaction#claimPosition}), never by Kafka:
 * Kafka's generation resets when an empty group is deleted, stays the same on a static member's
 * restart and does not exist with manual assignment.
 *
 * <p>State of one partition, and its transitions (anything else is a bug and throws):
 * <pre>
 *   (absent)  --assigned-->        PENDING   (paused: no position until the claim commits)
 *   PENDING   --claimed-->         OWNED     (seeked to the claimed offset, resumed)
 *   PENDING   --claim failed-->    PENDING   (retried after the next poll)
 *   OWNED     --fenced-->          FENCED    (paused: a newer claim exists)
 *   FENCED    --claimed-->         OWNED     (still assigned after a poll: claim again)
 *   any       --revoked/lost-->    (absent)
 * </pre>
 * Not thread-safe: the source's poll thread only (Kafka runs rebalance callbacks inside poll).
 */
public final class PartitionClaims {

    /** A partition's claim state; see the class comment for the transitions. */
    public enum State {
        PENDING, OWNED, FENCED;

        boolean canClaim() {
            return this == PENDING || this == FENCED;
        }
    }

    /** A held claim. */
    public record Held(State state, long epoch) {
    }

    private final Map<TopicPartition, Held> held = new HashMap<>();
    private String consumer;
    private JdbcStore store;

    public void bind(String consumer, JdbcStore store) {
        this.consumer = consumer;
        this.store = store;
    }

    /** The processor's consumer name, which owns the position rows. */
    public String consumer() {
        return consumer;
    }

    public boolean bound() {
        return store != null;
    }

    public void assigned(TopicPartition tp) {
        held.put(tp, new Held(State.PENDING, 0));
    }

    public void removed(TopicPartition tp) {
        held.remove(tp);
    }

    public Optional<Held> get(TopicPartition tp) {
        return Optional.ofNullable(held.get(tp));
    }

    /** OWNED → FENCED; false when the partition is not OWNED (already fenced, or gone). */
    public boolean fenced(TopicPartition tp) {
        Held h = held.get(tp);
        if (h == null || h.state() != State.OWNED) {
            return false;
        }
        held.put(tp, new Held(State.FENCED, h.epoch()));
        return true;
    }

    /** Partitions waiting for a claim (PENDING or FENCED). */
    public List<TopicPartition> claimable() {
        return held.entrySet().stream().filter(e -> e.getValue().state().canClaim()).map(Map.Entry::getKey).toList();
    }

    /**
     * Claims {@code tp} in one short store transaction and marks it OWNED; returns the next offset to
     * read. {@code initialNextOffset} is used only when the store has no position yet.
     *
     * @throws io.semel.processor.store.StoreException the store failed; the partition stays claimable
     */
    public long claim(TopicPartition tp, long initialNextOffset) {
        Held h = held.get(tp);
        if (h == null || !h.state().canClaim()) {
            throw new IllegalStateException("claim of " + tp + " in state " + (h == null ? "absent" : h.state()));
        }
        Position p;
        try {
            p = store.inTransaction(tx -> tx.claimPosition(consumer, tp.topic(), tp.partition(), initialNextOffset));
        } catch (HandlerException e) {
            throw new IllegalStateException("claim transaction threw a handler exception: " + e.getMessage(), e);
        }
        held.put(tp, new Held(State.OWNED, p.leaseEpoch()));
        return p.nextOffset();
    }

    public void clear() {
        held.clear();
    }
}
