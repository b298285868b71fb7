package io.semel.broker.internal;

import io.semel.broker.group.CorruptGroupRecordException;
import io.semel.broker.group.GroupRecord;
import io.semel.broker.group.GroupRecordCodec;
import io.semel.broker.group.GroupRecords;
import io.semel.log.AppendOutcome;
import io.semel.log.FileStorage;
import io.semel.log.FlushPolicy;
import io.semel.log.GroupCommitLog;
import io.semel.log.LogConfig;
import io.semel.log.Partition;
import io.semel.protocol.LogRecord;
import io.semel.protocol.RecordBatch;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's internal group log, {@code <dataDir>/groups/}: one {@link Partition} behind its own
 * {@link GroupCommitLog} (thread {@code group-log-writer}), never visible as a topic. Each log record
 * is one {@link GroupRecord}: key = group name (UTF-8), value = {@link GroupRecordCodec} bytes; the
 * batch around it carries the length and the CRC32C. A decision's records are written
 * {@link GroupRecords#coalesced}: an in-order run of settlements (or deliveries) is one range record.
 *
 * <p><b>One append in flight.</b> Decisions are buffered in order; when no append is in flight the
 * buffer (up to {@link #FLUSH_BYTES_MAX}) becomes one batch, appended and forced (group commit at
 * this level). Its units complete, in order, only after that fsync. So a unit completes only when
 * its records and every earlier unit's records are durable, and a failed append can never be
 * followed by a later append that did land: everything behind a failure is failed too, before it
 * was written. A unit without records completes at once when nothing is buffered or in flight.
 *
 * <p>Not thread-safe: every method but {@link #open} and {@link #close} runs on the coordinator
 * thread; append completions are handed back to it through {@code coordinator}.
 */
final class GroupJournal implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupJournal.class);
    static final String DIR = "groups";
    /** Bytes of encoded records taken into one append; a single larger decision still goes alone. */
    static final int FLUSH_BYTES_MAX = 8 * 1024 * 1024;
    /** Largest group-log batch: a poll of pollMessagesMax with long group names, with room. */
    static final int BATCH_BYTES_MAX = 32 * 1024 * 1024;
    /** How long the coordinator waits for a whole-log read at start or rebuild. */
    static final long READ_TIMEOUT_MS = 120_000;
    private static final int READ_CHUNK_BYTES = 4 * 1024 * 1024;
    /**
     * Key of the first record of a compaction snapshot batch. Not a valid group name (group names
     * are {@code [a-zA-Z0-9._-]}), so it can never collide with a group's records.
     */
    static final String SNAPSHOT_KEY = "\u0000semel.snapshot";
    /** Key prefix of a snapshot's dead-letter numbering record; the group name follows. */
    static final String DLQ_STATE_KEY_PREFIX = "\u0000semel.dlq/";
    private static final byte SNAPSHOT_FORMAT_VERSION = 1;

    /** What a replay needs: records per group since the last snapshot, and the numbering it carried. */
    record Loaded(Map<String, List<GroupRecord>> records, Map<String, DeadLetterCopier.SequenceState> deadLetters,
            long bytesSinceSnapshot) {
    }

    /** Records of one decision and what to do once they are durable, or when they cannot be. */
    private record Unit(List<LogRecord> records, int bytes, Runnable onDurable, Consumer<Throwable> onFailed,
            boolean snapshot) {
    }

    private final GroupCommitLog log;
    private final Executor coordinator;
    /** Open {@link #together} calls: while above 0, persisted units wait in the buffer. */
    private int holds;
    private final Clock clock;
    private final Consumer<Throwable> onStorageFailure;
    private final List<Unit> buffered = new ArrayList<>();
    private List<Unit> inFlight; // null when no append is in flight
    private final long compactBytes;
    /** Bytes appended since (and including) the newest snapshot: what a replay reads. */
    private long bytesSinceSnapshot;
    /** A snapshot that did not fit one batch is retried only after the log doubled again. */
    private long compactSkippedAtBytes;

    private GroupJournal(GroupCommitLog log, Executor coordinator, Clock clock, Consumer<Throwable> onStorageFailure,
            long compactBytes) {
        this.log = log;
        this.compactBytes = compactBytes;
        this.coordinator = coordinator;
        this.clock = clock;
        this.onStorageFailure = onStorageFailure;
    }

    /**
     * Opens (recovers) the group log under {@code dataDir/groups}.
     *
     * @param onStorageFailure called on the coordinator thread after a failed append, once every
     *     unit in flight or buffered has been failed: the caller must drop its state and rebuild
     */
    static GroupJournal open(Path dataDir, int segmentBytes, long compactBytes, Executor coordinator, Clock clock,
            Consumer<Throwable> onStorageFailure) throws IOException {
        FileStorage storage = new FileStorage(dataDir.resolve(DIR));
        // No retention: the group log is the truth of group state, never aged out.
        LogConfig logConfig = LogConfig.builder().segmentBytes(segmentBytes).maxBatchBytes(BATCH_BYTES_MAX)
                .maxRecordBytes(BATCH_BYTES_MAX).retentionBytes(LogConfig.UNLIMITED)
                .retentionMs(LogConfig.UNLIMITED).build();
        GroupCommitLog log = GroupCommitLog.start(() -> Partition.open(storage, logConfig, 1, clock),
                FlushPolicy.everyBatch(), GroupCommitLog.PENDING_REQUESTS_MAX_DEFAULT, r -> {
                    Thread t = new Thread(r, "group-log-writer");
                    t.setDaemon(true);
                    return t;
                });
        return new GroupJournal(log, coordinator, clock, onStorageFailure, compactBytes);
    }

    /**
     * Every group record since the newest compaction snapshot (the snapshot's records first), by
     * group in first-seen order, and the dead-letter numbering the snapshot carried. Blocks the
     * caller (the coordinator thread, at start and after a failure) until the read is done.
     */
    Loaded readAll() throws IOException, CorruptGroupRecordException {
        Loaded loaded = fromBatches(await(log.call(GroupJournal::readEverything)));
        bytesSinceSnapshot = loaded.bytesSinceSnapshot();
        return loaded;
    }

    /**
     * Replay input from a group log's batches: the records since the newest snapshot (the
     * snapshot's first), by group, and the dead-letter numbering the snapshot carried.
     */
    static Loaded fromBatches(List<RecordBatch> batches) throws IOException, CorruptGroupRecordException {
        int start = 0;
        for (int i = 0; i < batches.size(); i++) {
            if (isSnapshot(batches.get(i))) {
                start = i;
            }
        }
        Map<String, List<GroupRecord>> out = new LinkedHashMap<>();
        Map<String, DeadLetterCopier.SequenceState> deadLetters = new LinkedHashMap<>();
        long bytes = 0;
        for (RecordBatch b : batches.subList(start, batches.size())) {
            bytes += b.sizeInBytes();
            for (LogRecord r : b.records()) {
                String key = new String(r.key(), StandardCharsets.UTF_8);
                if (key.equals(SNAPSHOT_KEY)) {
                    continue;
                }
                if (key.startsWith(DLQ_STATE_KEY_PREFIX)) {
                    deadLetters.put(key.substring(DLQ_STATE_KEY_PREFIX.length()),
                            DeadLetterCopier.SequenceState.decode(r.value()));
                    continue;
                }
                out.computeIfAbsent(key, g -> new ArrayList<>()).add(GroupRecordCodec.decode(r.value()));
            }
        }
        return new Loaded(out, deadLetters, bytes);
    }

    private static boolean isSnapshot(RecordBatch b) {
        LogRecord first = b.records().get(0);
        return first.key() != null && SNAPSHOT_KEY.equals(new String(first.key(), StandardCharsets.UTF_8));
    }

    /**
     * True when the log has grown past the compaction threshold since the last snapshot and every
     * decision is durable, the only moment a snapshot of the in-memory state equals the log.
     */
    boolean compactionDue() {
        return idle() && bytesSinceSnapshot >= compactBytes && bytesSinceSnapshot >= 2 * compactSkippedAtBytes;
    }

    /**
     * Appends one batch holding the whole durable group state — a marker, each group's dead-letter
     * numbering and {@code snapshotRecords()} — then deletes the segments wholly before it. A
     * crash before the batch is durable leaves the old log, which replays to the same state; after
     * it, replay starts at the newest snapshot, so the deletion may lag without harm.
     */
    void compact(Map<String, List<GroupRecord>> snapshot, Map<String, DeadLetterCopier.SequenceState> deadLetters) {
        assert idle() : "a snapshot must follow only durable decisions";
        List<LogRecord> records = new ArrayList<>();
        records.add(LogRecord.of(SNAPSHOT_KEY.getBytes(StandardCharsets.UTF_8), new byte[] {SNAPSHOT_FORMAT_VERSION}));
        deadLetters.forEach((group, state) -> records.add(LogRecord.of(
                (DLQ_STATE_KEY_PREFIX + group).getBytes(StandardCharsets.UTF_8), state.encode())));
        snapshot.forEach((group, groupRecords) -> {
            byte[] key = group.getBytes(StandardCharsets.UTF_8);
            GroupRecords.coalesced(groupRecords).forEach(r -> records.add(LogRecord.of(key, GroupRecordCodec.encode(r))));
        });
        long bytes = RecordBatch.HEADER_BYTES + records.stream().mapToLong(LogRecord::encodedSize).sum();
        if (bytes > BATCH_BYTES_MAX) {
            compactSkippedAtBytes = bytesSinceSnapshot;
            LOG.warn("group log compaction skipped: the snapshot needs {} bytes, more than one batch ({} bytes); "
                    + "the log keeps growing ({} bytes since the last snapshot)", bytes, BATCH_BYTES_MAX, bytesSinceSnapshot);
            return;
        }
        LOG.info("compacting the group log: {} bytes since the last snapshot, snapshot of {} groups in {} bytes",
                bytesSinceSnapshot, snapshot.size(), bytes);
        buffered.add(new Unit(records, (int) bytes, () -> { }, e -> { }, true));
        flush();
    }

    private static List<RecordBatch> readEverything(Partition p) throws IOException {
        List<RecordBatch> all = new ArrayList<>();
        long next = p.startOffset();
        while (next < p.nextOffset()) {
            List<RecordBatch> read = p.read(next, READ_CHUNK_BYTES);
            if (read.isEmpty()) {
                break;
            }
            for (RecordBatch b : read) {
                if (b.baseOffset() >= next) {
                    all.add(b);
                    next = b.nextOffset();
                }
            }
        }
        return all;
    }

    /**
     * Persists {@code records} of {@code group}; {@code onDurable} runs on the coordinator thread once
     * they and every earlier unit are durable, {@code onFailed} if they cannot be.
     */
    void persist(String group, List<GroupRecord> records, Runnable onDurable, Consumer<Throwable> onFailed) {
        if (records.isEmpty() && inFlight == null && buffered.isEmpty()) {
            onDurable.run(); // everything earlier is already durable
            return;
        }
        byte[] key = group.getBytes(StandardCharsets.UTF_8);
        List<GroupRecord> coalesced = GroupRecords.coalesced(records);
        List<LogRecord> encoded = new ArrayList<>(coalesced.size());
        int bytes = 0;
        for (GroupRecord r : coalesced) {
            LogRecord lr = LogRecord.of(key, GroupRecordCodec.encode(r));
            encoded.add(lr);
            bytes += lr.encodedSize();
        }
        buffered.add(new Unit(encoded, bytes, onDurable, onFailed, false));
        if (inFlight == null && holds == 0) {
            flush();
        }
    }

    /**
     * Runs {@code work} (coordinator thread) and appends what it persisted together: one batch, one
     * fsync, instead of the first unit alone and the rest after its fsync (a POLL that carries acks
     * persists the acks and then the deliveries). Order and completion are unchanged.
     */
    void together(Runnable work) {
        holds++;
        try {
            work.run();
        } finally {
            holds--;
            if (holds == 0 && inFlight == null) {
                flush();
            }
        }
    }

    /** True when nothing is buffered or in flight. */
    boolean idle() {
        return inFlight == null && buffered.isEmpty();
    }

    private void flush() {
        while (inFlight == null && !buffered.isEmpty()) {
            List<Unit> take = new ArrayList<>();
            List<LogRecord> records = new ArrayList<>();
            int bytes = 0;
            // A snapshot goes alone, so its marker is the first record of its batch.
            while (!buffered.isEmpty() && (take.isEmpty() || (!take.get(0).snapshot() && !buffered.get(0).snapshot()
                    && bytes + buffered.get(0).bytes() <= FLUSH_BYTES_MAX))) {
                Unit u = buffered.remove(0);
                take.add(u);
                records.addAll(u.records());
                bytes += u.bytes();
            }
            if (records.isEmpty()) {
                // Only record-less units, and nothing in flight: all before them is durable.
                take.forEach(u -> u.onDurable().run());
                continue;
            }
            inFlight = take;
            RecordBatch batch = RecordBatch.of(clock.millis(), records);
            boolean snapshot = take.get(0).snapshot();
            log.append(batch, RecordBatch.NO_PRODUCER_EPOCH).whenCompleteAsync(
                    (o, e) -> appended(take, batch.sizeInBytes(), snapshot ? o : null, e), coordinator);
        }
    }

    /** @param snapshotAt the outcome of a snapshot append, else null */
    private void appended(List<Unit> units, int batchBytes, AppendOutcome snapshotAt, Throwable failure) {
        assert units == inFlight : "completion of an append that is not the one in flight";
        inFlight = null;
        if (failure != null) {
            List<Unit> failed = new ArrayList<>(units);
            failed.addAll(buffered);
            buffered.clear();
            failed.forEach(u -> u.onFailed().accept(failure));
            onStorageFailure.accept(failure);
            return;
        }
        if (snapshotAt != null) {
            bytesSinceSnapshot = batchBytes;
            compactSkippedAtBytes = 0;
            long before = snapshotAt.baseOffset();
            log.call(p -> p.deleteSegmentsBefore(before)).whenComplete((n, e) -> {
                if (e != null) {
                    LOG.warn("deleting group-log segments before the snapshot at {} failed (retried at the next "
                            + "compaction): {}", before, e.toString());
                } else {
                    LOG.info("group log compacted: snapshot at offset {}, {} old segment(s) deleted", before, n);
                }
            });
        } else {
            bytesSinceSnapshot += batchBytes;
        }
        units.forEach(u -> u.onDurable().run());
        flush();
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> f) throws IOException {
        try {
            return f.get(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading the group log", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException("reading the group log failed", e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("group log read took more than " + READ_TIMEOUT_MS + " ms", e);
        }
    }

    /** Completes what is queued, flushes and closes the group log. */
    @Override
    public void close() throws IOException {
        log.close();
    }
}
