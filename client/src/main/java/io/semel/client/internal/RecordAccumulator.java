package io.semel.client.internal;

import io.semel.client.DefiniteFailureException;
import io.semel.client.SemelException;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.RecordBatch;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Records accepted by {@code send} and not yet in a batch, per partition, and the cutting of them
 * into batches (by size, linger time, the keyless partitioner having left the partition and,
 * for caller-owned sequences, contiguity). Not thread-safe: the {@link Sender} guards it with its
 * lock (caller threads add, the sender thread takes); the simulation uses it from its one thread.
 */
public final class RecordAccumulator {
    /** The broker's default maxRecordBytes, for messages (the client is not told the configured value). */
    static final String DEFAULT_MAX_RECORD_BYTES_TEXT = "1 MiB = 1048576 bytes by default";
    /** Where records that are refused here (too large, waited too long) are failed. */
    @FunctionalInterface
    public interface Failures {
        void fail(PendingRecord record, SemelException failure);
    }

    private final ProducerConfig cfg;
    private final Failures failures;
    private final Map<TopicPartition, ArrayDeque<PendingRecord>> queues = new LinkedHashMap<>();
    /**
     * Per partition, how many records at the head of its queue the keyless partitioner declared full
     * batches: they need not linger. A count, not a flag, because the queue may hold several sticks'
     * worth when callers outrun the sender.
     */
    private final Map<TopicPartition, Integer> fullRecords = new HashMap<>();

    public RecordAccumulator(ProducerConfig cfg, Failures failures) {
        this.cfg = cfg;
        this.failures = failures;
    }

    public void add(TopicPartition tp, PendingRecord rec) {
        queues.computeIfAbsent(tp, k -> new ArrayDeque<>()).add(rec);
    }

    /**
     * Marks what is queued for {@code tp} as a full batch, ready without lingering: the keyless
     * partitioner moved on because the next record would not have fitted it.
     */
    public void markFull(TopicPartition tp) {
        ArrayDeque<PendingRecord> q = queues.get(tp);
        if (q != null && !q.isEmpty()) {
            fullRecords.put(tp, q.size());
        }
    }

    /** {@code count} records left the head of {@code tp}'s queue. */
    private void removedFromHead(TopicPartition tp, int count) {
        Integer f = fullRecords.get(tp);
        if (f != null) {
            if (f <= count) {
                fullRecords.remove(tp);
            } else {
                fullRecords.put(tp, f - count);
            }
        }
    }

    /** Partitions that have (or had) queued records, in first-use order. */
    Set<TopicPartition> partitions() {
        return queues.keySet();
    }

    boolean hasRecords(TopicPartition tp) {
        ArrayDeque<PendingRecord> q = queues.get(tp);
        return q != null && !q.isEmpty();
    }

    public boolean isEmpty() {
        for (ArrayDeque<PendingRecord> q : queues.values()) {
            if (!q.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** Why nothing could be sent lately; guarded like the queues (Sender.lock) (the last refused INIT_PRODUCER), or null; named in expiry errors. */
    private String unsentBecause;

    /** Records why records wait unsent (null once they can go), so a record that times out says why. */
    public void unsentBecause(String reason) {
        unsentBecause = reason;
    }

    /** Fails the queued records that waited deliveryTimeoutMs without being sent. */
    void expire(long now) {
        long timeout = TimeUnit.MILLISECONDS.toNanos(cfg.deliveryTimeoutMs());
        for (Map.Entry<TopicPartition, ArrayDeque<PendingRecord>> e : queues.entrySet()) {
            ArrayDeque<PendingRecord> q = e.getValue();
            while (!q.isEmpty() && now - q.peek().enqueuedNanos() - timeout >= 0) {
                removedFromHead(e.getKey(), 1);
                failures.fail(q.poll(), new DefiniteFailureException(ErrorCode.NONE, true, "record waited "
                        + cfg.deliveryTimeoutMs() + " ms (deliveryTimeoutMs) without being sent; nothing was sent"
                        + (unsentBecause == null ? " (broker unreachable or producer not initialised)"
                                : "; the last attempt to initialise the producer failed: " + unsentBecause), null));
            }
        }
    }

    /** A batch is due: the oldest record lingered lingerMs, or the caller is waiting, or it is full. */
    boolean ready(TopicPartition tp, long now, boolean urgent) {
        ArrayDeque<PendingRecord> q = queues.get(tp);
        if (q == null || q.isEmpty()) {
            return false;
        }
        boolean lingered = now - q.peek().enqueuedNanos() >= TimeUnit.MILLISECONDS.toNanos(cfg.lingerMs());
        return lingered || urgent || fullRecords.containsKey(tp) || bytesAtLeast(q, cfg.batchBytesMax());
    }

    /** When the oldest record of {@code tp} will have lingered, or Long.MAX_VALUE. */
    long lingerDeadline(TopicPartition tp) {
        ArrayDeque<PendingRecord> q = queues.get(tp);
        if (q == null || q.isEmpty()) {
            return Long.MAX_VALUE;
        }
        return q.peek().enqueuedNanos() + (fullRecords.containsKey(tp) ? 0 : TimeUnit.MILLISECONDS.toNanos(cfg.lingerMs()));
    }

    private static boolean bytesAtLeast(ArrayDeque<PendingRecord> q, int bytes) {
        long sum = RecordBatch.HEADER_BYTES;
        for (PendingRecord r : q) {
            sum += r.sizeBytes();
            if (sum >= bytes) {
                return true;
            }
        }
        return false;
    }

    /**
     * Takes the next batch of {@code tp}, or null when its first record alone exceeds
     * {@code limitBytes} (that record is failed, nothing sent).
     */
    ProducerBatch take(TopicPartition tp, long wallMillis, int limitBytes) {
        ArrayDeque<PendingRecord> q = queues.get(tp);
        PendingRecord first = q.poll();
        if (RecordBatch.HEADER_BYTES + (long) first.sizeBytes() > limitBytes) {
            // A record that cannot fit a batch is far above the per-record limit, the one a user sets per message:
            // name that one first (issue 11: a 20 MB message reported only the 4 MiB batch limit).
            failures.fail(first, new DefiniteFailureException(ErrorCode.MESSAGE_TOO_LARGE, false, "record of "
                    + first.sizeBytes() + " bytes exceeds the broker's per-record limit maxRecordBytes ("
                    + DEFAULT_MAX_RECORD_BYTES_TEXT + " unless configured; a record can never exceed the batch limit, "
                    + limitBytes + " bytes on this connection); nothing was sent. Send smaller messages, or raise "
                    + "maxRecordBytes and maxBatchBytes on the broker", null));
            removedFromHead(tp, 1);
            return null;
        }
        List<PendingRecord> taken = new ArrayList<>();
        taken.add(first);
        long size = RecordBatch.HEADER_BYTES + (long) first.sizeBytes();
        boolean explicit = first.sequence() >= 0;
        while (!q.isEmpty()) {
            PendingRecord next = q.peek();
            // A batch carries one base sequence, so caller-owned sequences must be contiguous in it.
            boolean contiguous = !explicit || next.sequence() == taken.get(taken.size() - 1).sequence() + 1;
            if (!contiguous || size + next.sizeBytes() > Math.min(cfg.batchBytesMax(), limitBytes)) {
                break;
            }
            size += next.sizeBytes();
            taken.add(q.poll());
        }
        removedFromHead(tp, taken.size());
        return new ProducerBatch(tp, taken, explicit, wallMillis,
                first.enqueuedNanos() + TimeUnit.MILLISECONDS.toNanos(cfg.deliveryTimeoutMs()));
    }

    /** Fails every queued record of {@code topic} (its INIT_PRODUCER was refused). */
    void failTopic(String topic, SemelException failure) {
        for (Map.Entry<TopicPartition, ArrayDeque<PendingRecord>> e : queues.entrySet()) {
            if (e.getKey().topic().equals(topic)) {
                fullRecords.remove(e.getKey());
                while (!e.getValue().isEmpty()) {
                    failures.fail(e.getValue().poll(), failure);
                }
            }
        }
    }

    /** Removes and returns every queued record. */
    public List<PendingRecord> drainAll() {
        List<PendingRecord> out = new ArrayList<>();
        for (ArrayDeque<PendingRecord> q : queues.values()) {
            out.addAll(q);
            q.clear();
        }
        fullRecords.clear();
        return out;
    }
}
