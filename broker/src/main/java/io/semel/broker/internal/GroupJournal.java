package io.semel.broker.internal;

import io.semel.broker.group.CorruptGroupRecordException;
import io.semel.broker.group.GroupRecord;
import io.semel.broker.group.GroupRecordCodec;
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

/**
 * The broker's internal group log, {@code <dataDir>/groups/}: one {@link Partition} behind its own
 * {@link GroupCommitLog} (thread {@code group-log-writer}), never visible as a topic. Each log record
 * is one {@link GroupRecord}: key = group name (UTF-8), value = {@link GroupRecordCodec} bytes; the
 * batch around it carries the length and the CRC32C.
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
    static final String DIR = "groups";
    /** Bytes of encoded records taken into one append; a single larger decision still goes alone. */
    static final int FLUSH_BYTES_MAX = 8 * 1024 * 1024;
    /** Largest group-log batch: a poll of pollMessagesMax with long group names, with room. */
    static final int BATCH_BYTES_MAX = 32 * 1024 * 1024;
    /** How long the coordinator waits for a whole-log read at start or rebuild. */
    static final long READ_TIMEOUT_MS = 120_000;
    private static final int READ_CHUNK_BYTES = 4 * 1024 * 1024;

    /** Records of one decision and what to do once they are durable, or when they cannot be. */
    private record Unit(List<LogRecord> records, int bytes, Runnable onDurable, Consumer<Throwable> onFailed) {
    }

    private final GroupCommitLog log;
    private final Executor coordinator;
    private final Clock clock;
    private final Consumer<Throwable> onStorageFailure;
    private final List<Unit> buffered = new ArrayList<>();
    private List<Unit> inFlight; // null when no append is in flight

    private GroupJournal(GroupCommitLog log, Executor coordinator, Clock clock, Consumer<Throwable> onStorageFailure) {
        this.log = log;
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
    static GroupJournal open(Path dataDir, int segmentBytes, Executor coordinator, Clock clock,
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
        return new GroupJournal(log, coordinator, clock, onStorageFailure);
    }

    /**
     * Every group record in log order, by group (map in first-seen order). Blocks the caller (the
     * coordinator thread, at start and after a failure) until the read is done.
     */
    Map<String, List<GroupRecord>> readAll() throws IOException, CorruptGroupRecordException {
        List<RecordBatch> batches = await(log.call(GroupJournal::readEverything));
        Map<String, List<GroupRecord>> out = new LinkedHashMap<>();
        for (RecordBatch b : batches) {
            for (LogRecord r : b.records()) {
                String group = new String(r.key(), StandardCharsets.UTF_8);
                out.computeIfAbsent(group, g -> new ArrayList<>()).add(GroupRecordCodec.decode(r.value()));
            }
        }
        return out;
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
        List<LogRecord> encoded = new ArrayList<>(records.size());
        int bytes = 0;
        for (GroupRecord r : records) {
            LogRecord lr = LogRecord.of(key, GroupRecordCodec.encode(r));
            encoded.add(lr);
            bytes += lr.encodedSize();
        }
        buffered.add(new Unit(encoded, bytes, onDurable, onFailed));
        if (inFlight == null) {
            flush();
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
            while (!buffered.isEmpty() && (take.isEmpty() || bytes + buffered.get(0).bytes() <= FLUSH_BYTES_MAX)) {
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
            log.append(batch, RecordBatch.NO_PRODUCER_EPOCH).whenCompleteAsync((o, e) -> appended(take, e), coordinator);
        }
    }

    private void appended(List<Unit> units, Throwable failure) {
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
