package io.semel.log.producer;

import io.semel.log.AppendRejectedException;
import io.semel.log.producer.internal.SnapshotCodec;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.RecordBatch;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idempotent-producer state of one partition: per producer, the highest persisted sequence and
 * the metadata of its last {@value #BATCHES_RETAINED_MAX} batches. A decision core with no I/O:
 * {@link #check} says what to do with an incoming batch and changes nothing; the partition writer
 * appends (and forces) the batch, then reports it with {@link #onAppended}. Recovery rebuilds the
 * table from a {@linkplain #restore snapshot} plus {@link #onAppended} for every batch after it.
 *
 * <p><b>Not thread-safe.</b> Owned by the partition's single writer; recovery hands it over to that
 * writer before the first append. Callers that need to read it from elsewhere must go through the
 * writer.
 *
 * <p>Idle time is measured with the batches' own {@code maxTimestampMs} (the producer's clock),
 * not the broker's clock, so replaying the log evicts exactly the producers the live table
 * evicted; ties are broken by the smaller producer id for the same reason.
 *
 * <p><b>Forgotten producers.</b> A producer whose state was evicted (or dropped by
 * {@link #forget}) leaves a tombstone, so a late copy of its first batch is refused rather than
 * appended twice; at most {@link #tombstonesMax()} are kept. See {@link ProducerTombstones}.
 */
public final class ProducerStateTable {
    /** Batches retained per producer: the client's maximum in-flight batches per partition. */
    public static final int BATCHES_RETAINED_MAX = 5;
    /** Tombstones kept at least, however small {@code producersMax} is; see {@link #tombstonesMax()}. */
    public static final int TOMBSTONES_MIN = 1_024;
    /** Hard ceiling for {@code producersMax}, which also bounds the snapshot size. */
    public static final int PRODUCERS_LIMIT = 1_000_000;

    private static final Logger LOG = LoggerFactory.getLogger(ProducerStateTable.class);

    private final int producersMax;
    private final String partition;
    private final Map<Long, ProducerState> producers = new HashMap<>();
    private final ProducerTombstones forgotten;

    /**
     * @param producersMax producers tracked in this partition (count); a new producer beyond it
     *     evicts the one idle longest
     * @param partition name used in log lines and error messages, e.g. {@code "orders-3"}
     */
    public ProducerStateTable(int producersMax, String partition) {
        if (producersMax < 1 || producersMax > PRODUCERS_LIMIT) {
            throw new IllegalArgumentException("producersMax " + producersMax + " outside 1.." + PRODUCERS_LIMIT);
        }
        this.producersMax = producersMax;
        this.partition = Objects.requireNonNull(partition, "partition");
        this.forgotten = new ProducerTombstones(Math.max(producersMax, TOMBSTONES_MIN));
    }

    public ProducerStateTable(int producersMax) {
        this(producersMax, "partition");
    }

    /**
     * Decides what to do with {@code batch}; pure. Non-idempotent batches always append.
     *
     * @param currentEpoch the registry's current epoch for the batch's producer, -1 if unknown,
     *     {@link ProducerRegistry#EPOCH_EXPIRED} if its registration expired
     * @throws AppendRejectedException PRODUCER_FENCED, OUT_OF_ORDER_SEQUENCE, DEDUP_STATE_UNKNOWN,
     *     UNKNOWN_PRODUCER or INVALID_REQUEST; nothing may be written
     */
    public SequenceCheck check(RecordBatch batch, short currentEpoch) {
        if (!batch.hasProducer()) {
            return SequenceCheck.append();
        }
        long id = batch.producerId();
        short epoch = batch.producerEpoch();
        long first = batch.baseSequence();
        long last = batch.lastSequence();
        // The record format allows a producer id without a sequence; dedup cannot work without one.
        if (id < 0 || epoch < 0 || first < 0) {
            throw reject(ErrorCode.INVALID_REQUEST, "producer " + id + " epoch " + epoch + " sent base sequence "
                    + first + "; an idempotent batch needs producer id, epoch and sequence all >= 0");
        }
        if (currentEpoch == ProducerRegistry.EPOCH_EXPIRED) {
            throw reject(ErrorCode.DEDUP_STATE_UNKNOWN, "producer " + id + " epoch " + epoch + " (sequences " + first
                    + ".." + last + ") expired after being idle longer than the broker's producerIdleExpiryMs; its "
                    + "dedup state is gone, nothing written. Whether earlier batches were persisted is unknown: stop "
                    + "this producer, reconcile what it sent, and start a new instance (INIT_PRODUCER)");
        }
        if (currentEpoch < 0) {
            throw reject(ErrorCode.UNKNOWN_PRODUCER, "producer " + id + " is not registered with this broker "
                    + "(never issued, released, or removed by an operator); call InitProducer to obtain an id and epoch");
        }
        ProducerState state = producers.get(id);
        short latestEpoch = state == null ? currentEpoch : (short) Math.max(currentEpoch, state.epoch);
        if (epoch < latestEpoch) {
            throw reject(ErrorCode.PRODUCER_FENCED, "producer " + id + " epoch " + epoch + " is fenced by epoch "
                    + latestEpoch + " (sequences " + first + ".." + last + " not written); a newer instance "
                    + "called InitProducer, so this instance must stop");
        }
        // InitProducer persists an epoch before handing it out, so a higher one was never issued.
        if (epoch > currentEpoch) {
            throw reject(ErrorCode.INVALID_REQUEST, "producer " + id + " epoch " + epoch
                    + " was never issued; the current epoch is " + currentEpoch + "; call InitProducer");
        }
        if (state == null) {
            return checkWithoutState(id, epoch, first, last);
        }
        return checkAgainst(state, id, epoch, first, last);
    }

    private SequenceCheck checkWithoutState(long id, short epoch, long first, long last) {
        boolean forgottenHere = forgotten.covers(id, epoch);
        if (first == 0 && !forgottenHere) {
            return SequenceCheck.append();
        }
        if (forgottenHere) {
            Short lostAtEpoch = forgotten.epochOf(id);
            // A late copy of this producer's first batch would be appended twice: never guess.
            throw reject(ErrorCode.DEDUP_STATE_UNKNOWN, "producer " + id + " epoch " + epoch + " sent sequences "
                    + first + ".." + last + " but " + partition + " forgot its dedup state ("
                    + (lostAtEpoch != null ? "evicted at the limit of " + producersMax + " producers, or expired or "
                            + "released, at epoch " + lostAtEpoch
                            : "evicted long ago, tombstones overflowed at the limit of " + producersMax)
                    + "); nothing written. Whether this batch was persisted before is unknown: stop this producer, "
                    + "reconcile what it sent, and start a new instance (INIT_PRODUCER) before resending");
        }
        // Evicted, expired or never seen: accepting could write a duplicate, so never guess.
        throw reject(ErrorCode.DEDUP_STATE_UNKNOWN, "producer " + id + " epoch " + epoch + " sent sequences "
                + first + ".." + last + " but " + partition + " has no dedup state for it (never seen here, "
                + "or evicted at the limit of " + producersMax + " producers, or lost); nothing written. "
                + "Whether earlier batches were persisted is unknown: call InitProducer and reconcile before "
                + "resending");
    }

    private SequenceCheck checkAgainst(ProducerState state, long id, short epoch, long first, long last) {
        long highest = state.highestSequence();
        if (last <= highest) {
            for (BatchEntry b : state.batches) {
                if (b.firstSequence() == first && b.lastSequence() == last) {
                    return SequenceCheck.duplicate(b.firstOffset(), b.lastOffset());
                }
            }
            return SequenceCheck.duplicateWithUnknownOffsets();
        }
        long expected = highest + 1;
        if (first == expected) {
            return SequenceCheck.append();
        }
        String prefix = "producer " + id + " epoch " + epoch + " " + partition + " state: expected sequence "
                + expected + ", received " + first + ".." + last;
        if (first > expected) {
            throw reject(ErrorCode.OUT_OF_ORDER_SEQUENCE, prefix + " (gap of " + (first - expected)
                    + " after the last persisted sequence " + highest + "); nothing written. Resend the missing "
                    + "sequences " + expected + ".." + (first - 1) + " first, or re-initialize the producer");
        }
        throw reject(ErrorCode.OUT_OF_ORDER_SEQUENCE, prefix + " (straddles the last persisted sequence "
                + highest + "); nothing written. A retried batch must keep its original boundaries: resend "
                + "only the records from sequence " + expected);
    }

    /**
     * Records a batch that was written at its stamped offsets; also used to replay the log in
     * recovery. Total: accepts whatever the log holds without throwing (gaps, a producer evicted
     * earlier resuming mid-sequence); a batch whose sequences are all at or below the highest
     * (possible only in a log written without {@link #check}) is not retained, so the window stays
     * ordered. Non-idempotent batches are ignored.
     */
    public void onAppended(RecordBatch stampedBatch) {
        if (!stampedBatch.hasProducer()) {
            return;
        }
        long id = stampedBatch.producerId();
        if (id < 0 || stampedBatch.producerEpoch() < 0 || stampedBatch.baseSequence() < 0) {
            LOG.warn("{}: not tracking {}: negative producer id, epoch or sequence", partition, stampedBatch);
            return;
        }
        ProducerState state = producers.get(id);
        if (state == null) {
            if (producers.size() >= producersMax) {
                evictIdlest();
            }
            state = new ProducerState(stampedBatch.producerEpoch(), stampedBatch.maxTimestampMs());
            producers.put(id, state);
            forgotten.clear(id); // a newer instance started over here (check allowed it)
        }
        state.record(stampedBatch);
    }

    private void evictIdlest() {
        Map.Entry<Long, ProducerState> idlest = producers.entrySet().stream()
                .min(Comparator.<Map.Entry<Long, ProducerState>>comparingLong(e -> e.getValue().lastTimestampMs)
                        .thenComparingLong(Map.Entry::getKey))
                .orElseThrow();
        ProducerState s = idlest.getValue();
        remember(idlest.getKey(), s);
        LOG.warn("{}: evicting producer {} (epoch {}, highest sequence {}, last append timestamp {} ms): limit of {} "
                + "producers per partition reached; its next batch at epoch {} or older gets DEDUP_STATE_UNKNOWN",
                partition, idlest.getKey(), s.epoch, s.highestSequence(), s.lastTimestampMs, producersMax, s.epoch);
    }

    /** Drops the state of {@code producerId} and leaves its tombstone. */
    private void remember(long producerId, ProducerState s) {
        producers.remove(producerId);
        forgotten.add(producerId, s.epoch);
    }

    /**
     * Drops the dedup state of {@code producerId} (its registration expired or was released),
     * leaving a tombstone like an eviction. Not in the log: a replay after a restart may bring the
     * state back, which is safe (more state never lets a duplicate in); the registry refuses such a
     * producer anyway.
     *
     * @return whether there was state to drop
     */
    public boolean forget(long producerId) {
        ProducerState s = producers.get(producerId);
        if (s == null) {
            return false;
        }
        remember(producerId, s);
        return true;
    }

    /** Tombstones (producer id to the epoch its state had), oldest first; a copy. */
    public Map<Long, Short> forgotten() {
        return forgotten.asMap();
    }

    /** Per producer with state: its epoch, highest sequence and last batch timestamp (producer clock). */
    public record ProducerSummary(long producerId, short epoch, long highestSequence, long lastTimestampMs) {
    }

    /** Every producer with state here, by ascending id. */
    public List<ProducerSummary> summaries() {
        List<ProducerSummary> out = new ArrayList<>(producers.size());
        producers.forEach((id, s) -> out.add(new ProducerSummary(id, s.epoch, s.highestSequence(), s.lastTimestampMs)));
        out.sort(Comparator.comparingLong(ProducerSummary::producerId));
        return out;
    }

    /** Highest persisted sequence of {@code producerId} here, or -1 when there is no state. */
    public long highestSequence(long producerId) {
        ProducerState state = producers.get(producerId);
        return state == null ? RecordBatch.NO_SEQUENCE : state.highestSequence();
    }

    /** Producer id to highest persisted sequence, for every producer with state; a copy. */
    public Map<Long, Long> highestSequences() {
        Map<Long, Long> out = new HashMap<>();
        producers.forEach((id, s) -> out.put(id, s.highestSequence()));
        return out;
    }

    /** Producers with state in this partition. */
    public int size() {
        return producers.size();
    }

    public int producersMax() {
        return producersMax;
    }

    /** Tombstones this table keeps before folding the oldest into the id floor: max(producersMax, TOMBSTONES_MIN). */
    public int tombstonesMax() {
        return forgotten.max();
    }

    /**
     * The state as an immutable value, producers by ascending id.
     *
     * @param snapshotOffset the log offset this state reflects: every batch below it is included
     * @throws IllegalArgumentException if a retained batch ends at or after {@code snapshotOffset}
     */
    public Snapshot snapshot(long snapshotOffset) {
        List<Snapshot.ProducerEntry> entries = new ArrayList<>(producers.size());
        producers.forEach((id, s) -> entries.add(new Snapshot.ProducerEntry(id, s.epoch, s.lastTimestampMs,
                List.copyOf(s.batches))));
        entries.sort(Comparator.comparingLong(Snapshot.ProducerEntry::producerId));
        for (Snapshot.ProducerEntry e : entries) {
            long lastOffset = e.batches().get(e.batches().size() - 1).lastOffset();
            if (lastOffset >= snapshotOffset) {
                throw new IllegalArgumentException("snapshot offset " + snapshotOffset + " but producer "
                        + e.producerId() + " has a batch ending at offset " + lastOffset
                        + "; the offset must be past every appended batch");
            }
        }
        return new Snapshot(snapshotOffset, entries, forgotten.snapshot(), forgotten.idFloor());
    }

    /** Encodes {@link #snapshot(long)} in the format documented on {@link SnapshotCodec}. */
    public byte[] encodeSnapshot(long snapshotOffset) {
        return SnapshotCodec.encode(snapshot(snapshotOffset));
    }

    /**
     * Decodes a snapshot written by {@link #encodeSnapshot}.
     *
     * @throws CorruptSnapshotException for any bad input; never another exception type
     */
    public static Snapshot decodeSnapshot(byte[] bytes) throws CorruptSnapshotException {
        return SnapshotCodec.decode(bytes);
    }

    /**
     * Loads {@code snapshot} into this empty table. Producers beyond {@code producersMax} (the
     * limit was lowered) are evicted, idle longest first, with a WARN line each.
     *
     * @throws IllegalStateException if the table already has state
     */
    public void restore(Snapshot snapshot) {
        if (!producers.isEmpty() || !forgotten.isEmpty()) {
            throw new IllegalStateException(partition + ": restore needs an empty table, it has "
                    + producers.size() + " producers and " + forgotten.size() + " tombstones");
        }
        for (Snapshot.ProducerEntry e : snapshot.producers()) {
            producers.put(e.producerId(), new ProducerState(e));
        }
        forgotten.restore(snapshot.forgotten(), snapshot.forgottenIdFloor());
        while (producers.size() > producersMax) {
            evictIdlest();
        }
    }

    private static AppendRejectedException reject(ErrorCode code, String message) {
        return new AppendRejectedException(code, message);
    }

    /** Mutable per-producer state; at least one retained batch from creation on. */
    private static final class ProducerState {
        short epoch;
        long lastTimestampMs;
        final ArrayDeque<BatchEntry> batches = new ArrayDeque<>(BATCHES_RETAINED_MAX);

        ProducerState(short epoch, long lastTimestampMs) {
            this.epoch = epoch;
            this.lastTimestampMs = lastTimestampMs;
        }

        ProducerState(Snapshot.ProducerEntry e) {
            this(e.epoch(), e.lastTimestampMs());
            batches.addAll(e.batches());
        }

        long highestSequence() {
            return batches.isEmpty() ? RecordBatch.NO_SEQUENCE : batches.peekLast().lastSequence();
        }

        void record(RecordBatch b) {
            epoch = (short) Math.max(epoch, b.producerEpoch());
            lastTimestampMs = Math.max(lastTimestampMs, b.maxTimestampMs());
            // Only a log written without check() can hold this; keeping the window ordered keeps the highest.
            if (b.lastSequence() <= highestSequence()) {
                return;
            }
            if (batches.size() == BATCHES_RETAINED_MAX) {
                batches.removeFirst();
            }
            batches.addLast(new BatchEntry(b.producerEpoch(), b.baseSequence(), b.lastSequence(),
                    b.baseOffset(), b.lastOffset()));
        }
    }

    /** Metadata of one retained batch. */
    public record BatchEntry(short epoch, long firstSequence, long lastSequence, long firstOffset, long lastOffset) {
    }

    /**
     * An immutable copy of a table, as stored in a snapshot file.
     *
     * @param offset the log offset the state reflects: every batch below it is included
     * @param producers by ascending producer id, each with 1..{@value #BATCHES_RETAINED_MAX}
     *     batches, oldest first
     * @param forgotten tombstones, oldest first, none of them with state in {@code producers}
     * @param forgottenIdFloor ids at or below it count as forgotten without a tombstone; -1 for none
     */
    public record Snapshot(long offset, List<ProducerEntry> producers, List<Forgotten> forgotten,
            long forgottenIdFloor) {
        public Snapshot {
            producers = List.copyOf(producers);
            forgotten = List.copyOf(forgotten);
        }

        /** A snapshot without tombstones. */
        public Snapshot(long offset, List<ProducerEntry> producers) {
            this(offset, producers, List.of(), -1);
        }

        public record ProducerEntry(long producerId, short epoch, long lastTimestampMs, List<BatchEntry> batches) {
            public ProducerEntry {
                batches = List.copyOf(batches);
            }
        }

        /** A tombstone: a producer whose state was dropped here, and the epoch that state had. */
        public record Forgotten(long producerId, short epoch) {
        }
    }
}
