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
 * Sequence dedup inside one store transaction: the position rows of the batch's partitions, what they
 * say is processed, and the offsets this transaction settles. The rows are either locked first and
 * written back once per partition at the end ({@link #lock}, then {@link #save}), or, when the lease
 * holder knows them from its last commit, written first by one conditional update that also locks them
 * ({@link #fromCache}); either way two members' transactions on one partition run one after the other
 * and the second sees what the first committed. Not thread-safe: one transaction.
 */
final class SequenceDedup {
    /** The rows as they were when this transaction locked them. */
    private final Map<Batches.TopicPartition, SequencePosition> positions;
    private final Map<Batches.TopicPartition, Set<Long>> settled = new HashMap<>();
    private final Batches.TopicPartition fenced;
    /** The rows {@link #fromCache} already wrote, which {@link #save} checks; null after {@link #lock}. */
    private final Map<Batches.TopicPartition, SequencePosition> written;
    private Batches.TopicPartition lastKey;

    private SequenceDedup(Map<Batches.TopicPartition, SequencePosition> positions, Batches.TopicPartition fenced,
            Map<Batches.TopicPartition, SequencePosition> written) {
        this.positions = positions;
        this.fenced = fenced;
        this.written = written;
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
                return new SequenceDedup(positions, e.getKey(), null);
            }
        }
        return new SequenceDedup(positions, null, null);
    }

    /**
     * The lease holder's way, without a read: {@code cached} holds, for every partition in
     * {@code advances} (the lock order), the row as this holder last committed it, under the batch's own
     * lease epoch. A transaction that commits settles every offset of its batch (each message is found
     * processed, settled as an inbox duplicate, or handled; a failure rolls everything back), so the rows
     * it will write are known now: the cached rows plus the batch's offsets. They are written at once by
     * updates conditional on the rows still being the cached ones, which lock them as {@link #lock}
     * would. Returns null when any row differs from the cache (another member or a claim wrote it since,
     * or an earlier commit's outcome is unknown): the caller rolls back, forgets the cache and runs the
     * batch again with {@link #lock}, which decides as always (fenced, or skip what the other wrote).
     */
    static SequenceDedup fromCache(StoreTransaction tx, String consumer,
            Map<Batches.TopicPartition, Batches.Advance> advances, Map<Batches.TopicPartition, long[]> offsets,
            Map<Batches.TopicPartition, SequencePosition> cached) throws SQLException {
        Map<Batches.TopicPartition, SequencePosition> positions = new HashMap<>();
        Map<Batches.TopicPartition, SequencePosition> written = new HashMap<>();
        List<SequencePosition> expected = new ArrayList<>(advances.size());
        List<SequencePosition> updated = new ArrayList<>(advances.size());
        for (Map.Entry<Batches.TopicPartition, Batches.Advance> e : advances.entrySet()) {
            SequencePosition was = cached.get(e.getKey());
            if (was == null || was.leaseEpoch() != e.getValue().leaseEpoch()) {
                throw new IllegalArgumentException("no cached position of " + e.getKey() + " under lease epoch "
                        + e.getValue().leaseEpoch() + " (cached: " + was + ")");
            }
            SequencePosition next = was.plus(offsets.get(e.getKey()), e.getValue().leaseEpoch());
            positions.put(e.getKey(), was);
            written.put(e.getKey(), next);
            expected.add(was);
            updated.add(next);
        }
        if (!tx.saveSequencePositionsIfUnchanged(consumer, expected, updated)) {
            return null;
        }
        return new SequenceDedup(positions, null, written);
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
        Batches.TopicPartition tp = key(m);
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
        Batches.TopicPartition tp = key(m);
        return m.offset() < positions.get(tp).inboxBelow() || hasApplicationKey(m);
    }

    /** Records the offset as processed (applied, dead-lettered or found in the inbox) by this transaction. */
    void settle(SourceMessage m) {
        settled.computeIfAbsent(key(m), k -> new HashSet<>())
                .add(m.offset());
    }

    /**
     * Writes every locked row back (after {@link #lock}: the settled offsets added, so the watermark
     * moves over what is now contiguous, the next offset and the batch's lease epoch; one JDBC batch),
     * or checks that the rows {@link #fromCache} wrote first are exactly that. Returns the rows as this
     * transaction leaves them, by partition.
     *
     * @throws IllegalStateException when the rows written first are not what this transaction settled
     *     (an offset of the batch neither found processed nor settled): the transaction must roll back
     */
    Map<Batches.TopicPartition, SequencePosition> save(StoreTransaction tx, String consumer,
            Map<Batches.TopicPartition, Batches.Advance> advances) throws SQLException {
        Map<Batches.TopicPartition, SequencePosition> out = new java.util.TreeMap<>(); // partition order
        for (Map.Entry<Batches.TopicPartition, Batches.Advance> e : advances.entrySet()) {
            Set<Long> mine = settled.get(e.getKey());
            long[] offsets = mine == null ? new long[0] : mine.stream().mapToLong(Long::longValue).toArray();
            out.put(e.getKey(), positions.get(e.getKey()).plus(offsets, e.getValue().leaseEpoch()));
        }
        if (written == null) {
            tx.saveSequencePositions(consumer, new ArrayList<>(out.values()));
            return out;
        }
        if (!out.equals(written)) {
            throw new IllegalStateException("consumer " + consumer + ": the position rows written at the start of "
                    + "the transaction " + written + " are not what it settled " + out + "; rolling back");
        }
        return written;
    }

    /** The message's partition as a map key; messages come in runs of one partition, so it is kept for the next. */
    private Batches.TopicPartition key(SourceMessage m) {
        Batches.TopicPartition k = lastKey;
        if (k == null || k.partition() != m.partition() || !k.topic().equals(m.topic())) {
            k = new Batches.TopicPartition(m.topic(), m.partition());
            lastKey = k;
        }
        return k;
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
