package io.semel.processor.internal;

import io.semel.processor.SourceMessage;
import io.semel.processor.store.SequencePosition;
import io.semel.processor.store.StoreTransaction;
import io.semel.protocol.Header;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sequence dedup inside one store transaction: the position rows of the batch's partitions, locked
 * first (so two members' transactions on one partition run one after the other and the second reads
 * what the first committed), what they say is processed, and the offsets this transaction settles,
 * written back once per partition at the end. Not thread-safe: one transaction.
 */
final class SequenceDedup {
    private final Map<Batches.TopicPartition, SequencePosition> positions;
    private final Map<Batches.TopicPartition, Set<Long>> settled = new HashMap<>();
    private final Batches.TopicPartition fenced;

    private SequenceDedup(Map<Batches.TopicPartition, SequencePosition> positions, Batches.TopicPartition fenced) {
        this.positions = positions;
        this.fenced = fenced;
    }

    /**
     * Locks the rows of every partition in {@code advances} (sorted by topic, then partition: the lock
     * order of every transaction). A stored lease epoch above the batch's epoch for that partition means
     * a newer holder owns it: {@link #fenced()} names it and the caller rolls back.
     */
    static SequenceDedup lock(StoreTransaction tx, String consumer, Map<Batches.TopicPartition, Batches.Advance> advances)
            throws SQLException {
        Map<Batches.TopicPartition, SequencePosition> positions = new HashMap<>();
        Map<String, List<Integer>> byTopic = new java.util.TreeMap<>();
        for (Batches.TopicPartition tp : advances.keySet()) {
            byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition());
        }
        for (Map.Entry<String, List<Integer>> e : byTopic.entrySet()) {
            int[] partitions = e.getValue().stream().mapToInt(Integer::intValue).toArray();
            for (SequencePosition p : tx.lockSequencePositions(consumer, e.getKey(), partitions)) {
                positions.put(new Batches.TopicPartition(p.topic(), p.partition()), p);
            }
        }
        for (Map.Entry<Batches.TopicPartition, Batches.Advance> e : advances.entrySet()) {
            if (positions.get(e.getKey()).leaseEpoch() > e.getValue().leaseEpoch()) {
                return new SequenceDedup(positions, e.getKey());
            }
        }
        return new SequenceDedup(positions, null);
    }

    /** The first partition a newer lease holder owns, or null. */
    Batches.TopicPartition fenced() {
        return fenced;
    }

    /**
     * Whether the message's offset is already processed (stored, or settled earlier in this transaction).
     * Always false below the row's inbox boundary: there the watermark was set without knowing what
     * was processed, and only the inbox can tell.
     */
    boolean processed(SourceMessage m) {
        Batches.TopicPartition tp = new Batches.TopicPartition(m.topic(), m.partition());
        SequencePosition p = positions.get(tp);
        if (m.offset() < p.inboxBelow()) {
            return false;
        }
        if (p.processed().contains(m.offset())) {
            return true;
        }
        Set<Long> mine = settled.get(tp);
        return mine != null && mine.contains(m.offset());
    }

    /**
     * Whether the inbox must decide this message too: always in MESSAGE_ID mode; for an application key
     * (the same key at another offset is the same message); and below the row's inbox boundary, where
     * only inbox rows say what an earlier writer processed.
     */
    boolean inboxDecides(SourceMessage m, boolean everyMessage) {
        if (everyMessage) {
            return true;
        }
        Batches.TopicPartition tp = new Batches.TopicPartition(m.topic(), m.partition());
        return m.offset() < positions.get(tp).inboxBelow() || hasApplicationKey(m);
    }

    /** Records the offset as processed (applied, dead-lettered or found in the inbox) by this transaction. */
    void settle(SourceMessage m) {
        settled.computeIfAbsent(new Batches.TopicPartition(m.topic(), m.partition()), k -> new HashSet<>())
                .add(m.offset());
    }

    /**
     * Writes every locked row back: the settled offsets added (the watermark moves over what is now
     * contiguous), the next offset and the batch's lease epoch. One JDBC batch.
     */
    void save(StoreTransaction tx, String consumer, Map<Batches.TopicPartition, Batches.Advance> advances)
            throws SQLException {
        List<SequencePosition> out = new ArrayList<>(positions.size());
        for (Map.Entry<Batches.TopicPartition, Batches.Advance> e : advances.entrySet()) {
            Set<Long> mine = settled.get(e.getKey());
            long[] offsets = mine == null ? new long[0] : mine.stream().mapToLong(Long::longValue).toArray();
            out.add(positions.get(e.getKey()).plus(offsets, e.getValue().leaseEpoch()));
        }
        tx.saveSequencePositions(consumer, out);
    }

    private static boolean hasApplicationKey(SourceMessage m) {
        for (Header h : m.headers()) {
            if (SourceMessage.ID_HEADER.equals(h.key()) && h.value() != null && h.value().length > 0) {
                return true;
            }
        }
        return false;
    }
}
