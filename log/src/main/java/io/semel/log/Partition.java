package io.semel.log;

import io.semel.log.producer.ProducerStateSnapshots;
import io.semel.log.producer.ProducerStateTable;
import io.semel.log.producer.SequenceCheck;
import io.semel.protocol.RecordBatch;
import java.io.Closeable;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition: its {@link PartitionLog} and the producer dedup state derived from it, opened,
 * recovered and written together.
 *
 * <p>The log is the truth; the producer table is a cache of it. On open, the newest valid producer
 * snapshot is loaded (snapshots beyond the recovered log end are deleted first, since they may
 * describe batches a crash took away) and the log after it is replayed. A snapshot is written after
 * the flush that follows a segment roll, and on close.
 *
 * <p>Not thread-safe: owned by one writer (the {@link GroupCommitLog} thread once started).
 */
public final class Partition implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(Partition.class);
    /** How much log one replay read takes, to bound memory during recovery. */
    private static final int REPLAY_READ_BYTES = 4 * 1024 * 1024;

    private final PartitionLog log;
    private final ProducerStateTable producers;
    private final ProducerStateSnapshots snapshots;
    private boolean snapshotDue;

    private Partition(PartitionLog log, ProducerStateTable producers, ProducerStateSnapshots snapshots) {
        this.log = log;
        this.producers = producers;
        this.snapshots = snapshots;
    }

    /**
     * Opens (or creates) a partition and recovers its log and producer state.
     *
     * @param producersMax producers whose dedup state one partition keeps (see ProducerStateTable)
     */
    public static Partition open(Storage storage, LogConfig config, int producersMax, Clock clock)
            throws IOException {
        return open(storage, config, producersMax, clock, new LogReader());
    }

    /**
     * As {@link #open(Storage, LogConfig, int, Clock)}, publishing the log's durable view to
     * {@code reader} (see {@link LogReader}); pass the same reader to every reopening.
     */
    public static Partition open(Storage storage, LogConfig config, int producersMax, Clock clock, LogReader reader)
            throws IOException {
        Objects.requireNonNull(storage, "storage");
        PartitionLog log = PartitionLog.open(storage, config, clock, reader);
        try {
            ProducerStateSnapshots snapshots = new ProducerStateSnapshots(storage);
            // A snapshot above the log end describes batches the crash took away.
            snapshots.deleteSnapshotsAbove(log.nextOffset());
            Optional<ProducerStateTable.Snapshot> loaded = snapshots.load();
            ProducerStateTable table = new ProducerStateTable(producersMax);
            loaded.ifPresent(table::restore);
            long replayFrom = Math.max(log.startOffset(), loaded.map(ProducerStateTable.Snapshot::offset).orElse(0L));
            int replayed = replay(log, table, replayFrom);
            LOG.info("partition opened: offsets {}..{}, {} producers, snapshot at {}, replayed {} batches",
                    log.startOffset(), log.nextOffset(), table.size(),
                    loaded.map(l -> Long.toString(l.offset())).orElse("none"), replayed);
            return new Partition(log, table, snapshots);
        } catch (IOException | RuntimeException e) {
            log.close();
            throw e;
        }
    }

    private static int replay(PartitionLog log, ProducerStateTable table, long fromOffset) throws IOException {
        int batches = 0;
        long next = fromOffset;
        while (next < log.nextOffset()) {
            List<RecordBatch> read = log.read(next, REPLAY_READ_BYTES);
            for (RecordBatch batch : read) {
                // The first batch read may start before fromOffset; the snapshot already holds it.
                if (batch.baseOffset() >= fromOffset) {
                    table.onAppended(batch);
                    batches++;
                }
                next = batch.nextOffset();
            }
            if (read.isEmpty()) {
                break;
            }
        }
        return batches;
    }

    /**
     * Appends a batch unless it is a duplicate of one the log holds. Writes but does not force;
     * the caller must {@link #flush()} before confirming, duplicates included (their original may
     * not be forced yet).
     *
     * @param currentEpoch the producer's current epoch from the registry, or -1 for none
     * @throws AppendRejectedException for size limits or producer sequence/epoch errors; nothing
     *     was written
     */
    public AppendOutcome append(RecordBatch batch, short currentEpoch) throws IOException {
        SequenceCheck check = producers.check(batch, currentEpoch);
        if (check.isDuplicate()) {
            return AppendOutcome.duplicate(check.originalBaseOffset(), check.originalLastOffset());
        }
        AppendResult result = log.append(batch);
        RecordBatch written = result.batch();
        producers.onAppended(written);
        snapshotDue |= result.rolled();
        return AppendOutcome.appended(written.baseOffset(), written.lastOffset());
    }

    /** Forces the log; writes a producer snapshot when a segment rolled since the last flush. */
    public void flush() throws IOException {
        log.flush();
        if (snapshotDue) {
            snapshots.write(producers, log.nextOffset());
            snapshotDue = false;
        }
    }

    public List<RecordBatch> read(long fromOffset, int maxBytes) throws IOException {
        return log.read(fromOffset, maxBytes);
    }

    /** Highest persisted-or-pending sequence of a producer here, or -1 when unknown. */
    public long highestSequence(long producerId) {
        return producers.highestSequence(producerId);
    }

    public Map<Long, Long> highestSequences() {
        return producers.highestSequences();
    }

    /** Drops a producer's dedup state here, leaving a tombstone; see {@link ProducerStateTable#forget}. */
    public boolean forgetProducer(long producerId) {
        return producers.forget(producerId);
    }

    /** Every producer with dedup state here, by ascending id. */
    public List<ProducerStateTable.ProducerSummary> producerSummaries() {
        return producers.summaries();
    }

    public long nextOffset() {
        return log.nextOffset();
    }

    public long startOffset() {
        return log.startOffset();
    }

    public long flushedOffset() {
        return log.flushedOffset();
    }

    public int applyRetention() throws IOException {
        return log.applyRetention();
    }

    /** See {@link PartitionLog#deleteSegmentsBefore}; producer state is unaffected (it is kept in memory and snapshots). */
    public int deleteSegmentsBefore(long offset) throws IOException {
        return log.deleteSegmentsBefore(offset);
    }

    /** The underlying log, for inspection and tests. */
    public PartitionLog log() {
        return log;
    }

    /** Flushes, snapshots producer state and closes. */
    @Override
    public void close() throws IOException {
        try {
            log.flush();
            snapshots.write(producers, log.nextOffset());
        } finally {
            log.close();
        }
    }
}
