package io.semel.log;

import io.semel.log.internal.LogLoader;
import io.semel.log.internal.ReadableSegment;
import io.semel.log.internal.RecoveryCheckpoint;
import io.semel.log.internal.Segment;
import io.semel.protocol.CorruptBatchException;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.RecordBatch;
import java.io.Closeable;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable log of one partition: a directory of segments (see {@code docs/log-format.md}).
 * Owns its segments' open files, the offsets, the recovery checkpoint and retention.
 *
 * <p><b>Not thread-safe: single writer.</b> Every call must come from one thread, the owner. The
 * first mutating call ({@code append}, {@code flush}, {@code applyRetention}, {@code close}) makes
 * its thread the owner, and under {@code -ea} every mutating call asserts it. Reads must come from
 * the owner too (unchecked). To hand the log to another thread, call {@link #transferOwnership()}
 * and publish the log safely (e.g. through a queue).
 *
 * <p>Durability: {@link #append} writes but does not force; {@link #flush} is the commit point
 * that group-commits everything appended so far. Confirm an append only once
 * {@link #flushedOffset()} is past it. An I/O failure while writing or forcing (other than a
 * clean {@link StorageFullException} from a write) leaves the log <em>failed</em>: later writes
 * throw, because after a failed fsync the kernel may have dropped the dirty pages and a retry
 * could falsely succeed. Close and reopen it; recovery then decides what is durable.
 */
public final class PartitionLog implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionLog.class);

    private final Storage storage;
    private final LogConfig config;
    private final Clock clock;
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private final RecoveryReport lastRecovery;
    private long flushedOffset;
    private long checkpointedOffset;
    private boolean directorySyncPending;
    private boolean rolledSinceCheckpoint;
    private IOException failure;
    private boolean closed;
    private Thread owner;
    /** Where readers on other threads find the durable view; published by this (the writer's) thread. */
    private final LogReader reader;
    /** Published pictures of every segment but the active one; null after a roll or deletion. */
    private ReadableSegment[] sealedView;

    private PartitionLog(Storage storage, LogConfig config, Clock clock, LogLoader.Loaded loaded, LogReader reader) {
        this.reader = reader;
        this.storage = storage;
        this.config = config;
        this.clock = clock;
        for (Segment segment : loaded.segments()) {
            segments.put(segment.baseOffset(), segment);
        }
        this.lastRecovery = loaded.report();
        // The loader forced what it recovered and wrote the checkpoint at its end.
        this.flushedOffset = nextOffset();
        this.checkpointedOffset = flushedOffset;
        publish();
    }

    /** Opens the log in {@code storage}, creating it if empty, and runs recovery. */
    public static PartitionLog open(Storage storage, LogConfig config, Clock clock) throws IOException {
        return open(storage, config, clock, new LogReader());
    }

    /**
     * As {@link #open(Storage, LogConfig, Clock)}, publishing the durable view to {@code reader}
     * (after recovery, and after every force, roll and deletion) for reads from other threads.
     */
    public static PartitionLog open(Storage storage, LogConfig config, Clock clock, LogReader reader)
            throws IOException {
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(reader, "reader");
        return new PartitionLog(storage, config, clock, LogLoader.load(storage, config.indexIntervalBytes()), reader);
    }

    /** The reader this log publishes to. */
    public LogReader reader() {
        return reader;
    }

    /**
     * Publishes the segments as they are now, with the flushed offset as the durable end. Sealed
     * segments' pictures are reused until the set of segments changes; the active one is taken anew.
     */
    private void publish() {
        if (sealedView == null) {
            sealedView = new ReadableSegment[segments.size() - 1];
            int i = 0;
            for (Segment s : segments.headMap(segments.lastKey(), false).values()) {
                sealedView[i++] = s.readable();
            }
        }
        ReadableSegment[] all = Arrays.copyOf(sealedView, sealedView.length + 1);
        all[sealedView.length] = segments.lastEntry().getValue().readable();
        reader.publish(new LogReader.View(true, startOffset(), flushedOffset, all));
    }

    /**
     * Stamps {@code batch} with the next offsets and writes it, rolling to a new segment first if it
     * would not fit in {@code segmentBytes}. Does not force: see {@link #flush()}.
     *
     * @throws AppendRejectedException {@code MESSAGE_TOO_LARGE} when a limit is exceeded; nothing written
     * @throws StorageFullException when the disk is full; nothing written, the log stays usable
     */
    public AppendResult append(RecordBatch batch) throws IOException {
        assert calledByOwner();
        checkWritable();
        checkLimits(batch);
        Segment active = segments.lastEntry().getValue();
        boolean rolled = false;
        // A batch larger than a segment still goes in: alone, into a fresh one.
        if (active.sizeBytes() > 0 && active.sizeBytes() + batch.sizeInBytes() > config.segmentBytes()) {
            active = roll();
            rolled = true;
        }
        RecordBatch stamped = batch.withBaseOffset(nextOffset());
        assert isValidBatch(stamped);
        try {
            active.append(stamped);
        } catch (StorageFullException e) {
            throw e; // nothing was written: the log stays usable
        } catch (IOException e) {
            throw fail(e);
        }
        return new AppendResult(stamped, rolled);
    }

    /**
     * Makes every appended batch durable: forces each segment with unforced bytes, syncs the
     * directory if segments were created, and moves the recovery checkpoint after a roll.
     * Afterwards {@code flushedOffset() == nextOffset()}.
     */
    public void flush() throws IOException {
        assert calledByOwner();
        checkWritable();
        flushSegments(false);
    }

    private void flushSegments(boolean activeIndexToo) throws IOException {
        try {
            Long from = segments.floorKey(flushedOffset);
            Segment active = segments.lastEntry().getValue();
            // Order: segment data, then the directory entries naming new segments, then the checkpoint.
            for (Segment segment : segments.tailMap(from == null ? segments.firstKey() : from, true).values()) {
                // A rolled segment's index is forced now: once the checkpoint passes it, it is trusted.
                segment.flush(segment != active || activeIndexToo);
            }
            if (directorySyncPending) {
                storage.syncDirectory();
                directorySyncPending = false;
            }
            flushedOffset = nextOffset();
            if (rolledSinceCheckpoint) {
                writeCheckpoint();
                rolledSinceCheckpoint = false;
            }
        } catch (IOException e) {
            throw fail(e);
        }
        if (!closed) {
            publish();
        }
    }

    /**
     * The batches holding offsets from {@code fromOffset} on, in order. The first may start before
     * {@code fromOffset}. Their total size is at most {@code maxBytes}, except that the first batch
     * is returned whatever its size, so a large batch never stalls a reader.
     *
     * @return an empty list when {@code fromOffset == nextOffset()}
     * @throws OffsetOutOfRangeException unless {@code startOffset() <= fromOffset <= nextOffset()}
     * @throws IOException if a stored batch fails its checksum (media corruption)
     */
    public List<RecordBatch> read(long fromOffset, int maxBytes) throws IOException {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes is " + maxBytes + "; it must be positive");
        }
        if (fromOffset < startOffset() || fromOffset > nextOffset()) {
            throw new OffsetOutOfRangeException(fromOffset, startOffset(), nextOffset());
        }
        List<RecordBatch> batches = new ArrayList<>();
        if (fromOffset == nextOffset()) {
            return batches;
        }
        Segment segment = segments.floorEntry(fromOffset).getValue();
        long position = segment.positionOf(fromOffset);
        long expected = -1;
        long totalBytes = 0;
        while (true) {
            RecordBatch batch;
            try {
                batch = segment.read(position);
            } catch (IOException damaged) {
                if (batches.isEmpty()) {
                    throw damaged;
                }
                break; // serve the good batches; the next read from here reports the damage
            }
            // Assert after read: the batch is where the offsets say it must be. The first one must
            // hold fromOffset: a damaged header skipped while seeking would otherwise make a gap.
            if (expected < 0 && (batch.baseOffset() > fromOffset || batch.lastOffset() < fromOffset)) {
                throw new IOException("corrupt log: seeking offset " + fromOffset + " in " + segment + " found batch "
                        + batch.baseOffset() + ".." + batch.lastOffset() + " at position " + position
                        + "; a batch before it is damaged");
            }
            if (expected >= 0 && batch.baseOffset() != expected) {
                throw new IOException("corrupt log: batch at position " + position + " of " + segment
                        + " has base offset " + batch.baseOffset() + ", expected " + expected);
            }
            if (!batches.isEmpty() && totalBytes + batch.sizeInBytes() > maxBytes) {
                break;
            }
            batches.add(batch);
            totalBytes += batch.sizeInBytes();
            position += batch.sizeInBytes();
            expected = batch.nextOffset();
            if (expected >= segment.nextOffset()) {
                Map.Entry<Long, Segment> next = segments.higherEntry(segment.baseOffset());
                if (next == null || next.getValue().nextOffset() == next.getKey()) {
                    break; // end of the log (the last segment may be empty)
                }
                segment = next.getValue();
                position = 0;
            }
        }
        return batches;
    }

    /**
     * Deletes whole segments, oldest first and never the active one, while the rest still holds at
     * least {@code retentionBytes}, or while the oldest segment's newest batch has a max timestamp
     * older than {@code now - retentionMs}.
     *
     * @return the number of segments deleted; {@link #startOffset()} moves past them
     */
    public int applyRetention() throws IOException {
        assert calledByOwner();
        checkWritable();
        long totalBytes = 0;
        for (Segment segment : segments.values()) {
            totalBytes += segment.sizeBytes();
        }
        long cutoffMs = clock.millis() - config.retentionMs();
        int deleted = 0;
        List<Segment> removed = new ArrayList<>();
        try {
            while (segments.size() > 1) {
                Segment oldest = segments.firstEntry().getValue();
                boolean bySize = config.retentionBytes() != LogConfig.UNLIMITED
                        && totalBytes - oldest.sizeBytes() >= config.retentionBytes();
                boolean byAge = config.retentionMs() != LogConfig.UNLIMITED && oldest.lastMaxTimestampMs() < cutoffMs;
                if (!bySize && !byAge) {
                    break;
                }
                LOG.info("retention deleted {} ({} bytes, newest timestamp {} ms) because {}", oldest,
                        oldest.sizeBytes(), oldest.lastMaxTimestampMs(), bySize
                                ? "the log holds " + totalBytes + " bytes, retentionBytes=" + config.retentionBytes()
                                : "it is older than retentionMs=" + config.retentionMs() + " (cutoff " + cutoffMs + " ms)");
                segments.pollFirstEntry();
                removed.add(oldest);
                totalBytes -= oldest.sizeBytes();
                deleted++;
            }
            deleteRemoved(removed);
        } catch (IOException e) {
            throw fail(e);
        }
        return deleted;
    }

    /**
     * Deletes whole segments that lie entirely below {@code offset}, oldest first and never the
     * active one: for logs compacted by their owner (a snapshot at {@code offset} makes everything
     * before it redundant). Durable when it returns.
     *
     * @return the number of segments deleted
     */
    public int deleteSegmentsBefore(long offset) throws IOException {
        assert calledByOwner();
        checkWritable();
        int deleted = 0;
        List<Segment> removed = new ArrayList<>();
        try {
            while (segments.size() > 1 && segments.firstEntry().getValue().nextOffset() <= offset) {
                Segment oldest = segments.pollFirstEntry().getValue();
                LOG.info("compaction deleted {} ({} bytes): everything in it is before offset {}", oldest,
                        oldest.sizeBytes(), offset);
                removed.add(oldest);
                deleted++;
            }
            deleteRemoved(removed);
        } catch (IOException e) {
            throw fail(e);
        }
        return deleted;
    }

    /**
     * Deletes segments already taken out of {@link #segments}: first publishes the view without
     * them (so no new reader finds them), then retires each (its file closes when the last reader
     * lets go) and unlinks its files, then syncs the directory.
     */
    private void deleteRemoved(List<Segment> removed) throws IOException {
        if (removed.isEmpty()) {
            return;
        }
        sealedView = null;
        publish();
        for (Segment s : removed) {
            s.delete(storage);
        }
        storage.syncDirectory();
    }

    /** The offset the next appended record gets. */
    public long nextOffset() {
        return segments.lastEntry().getValue().nextOffset();
    }

    /** The oldest offset still in the log (retention moves it forward). */
    public long startOffset() {
        return segments.firstKey();
    }

    /** Every offset below this is durable. */
    public long flushedOffset() {
        return flushedOffset;
    }

    public List<SegmentInfo> segments() {
        List<SegmentInfo> infos = new ArrayList<>(segments.size());
        for (Segment s : segments.values()) {
            infos.add(new SegmentInfo(s.baseOffset(), s.nextOffset(), s.sizeBytes()));
        }
        return infos;
    }

    /** What recovery did when this log was opened. */
    public RecoveryReport lastRecovery() {
        return lastRecovery;
    }

    /**
     * Releases the single-writer claim: the next mutating call, from any thread, becomes the owner.
     * The caller must publish the log safely to that thread.
     */
    public void transferOwnership() {
        owner = null;
    }

    /** Flushes, writes the recovery checkpoint and closes the files. Idempotent. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        assert calledByOwner();
        closed = true;
        IOException error = null;
        try {
            if (failure == null) {
                flushSegments(true);
                writeCheckpoint();
            }
        } catch (IOException e) {
            error = e;
        }
        // Readers first learn the log is gone; a reader already holding a file keeps it until it lets go.
        reader.publish(LogReader.View.closed(startOffset(), flushedOffset));
        for (Segment segment : segments.values()) {
            try {
                segment.close();
            } catch (IOException e) {
                if (error == null) {
                    error = e;
                } else {
                    error.addSuppressed(e);
                }
            }
        }
        if (error != null) {
            throw error;
        }
    }

    private Segment roll() throws IOException {
        long base = nextOffset();
        Segment fresh;
        try {
            fresh = Segment.open(storage, base, config.indexIntervalBytes());
        } catch (IOException e) {
            throw fail(e);
        }
        assert fresh.sizeBytes() == 0 : "new segment " + fresh + " already has bytes";
        segments.put(base, fresh);
        sealedView = null;
        // Its name is durable only after a directory sync: flush() does it before advancing.
        directorySyncPending = true;
        rolledSinceCheckpoint = true;
        LOG.debug("rolled to a new segment at offset {}", base);
        return fresh;
    }

    private void writeCheckpoint() throws IOException {
        if (checkpointedOffset != flushedOffset) {
            RecoveryCheckpoint.write(storage, flushedOffset);
            checkpointedOffset = flushedOffset;
        }
    }

    private void checkLimits(RecordBatch batch) {
        if (batch.sizeInBytes() > config.maxBatchBytes()) {
            throw new AppendRejectedException(ErrorCode.MESSAGE_TOO_LARGE, "batch of " + batch.sizeInBytes()
                    + " bytes exceeds maxBatchBytes=" + config.maxBatchBytes() + "; nothing was written, send smaller batches");
        }
        // Sizes from the length fields: no record is decoded on the append path.
        int[] sizes = batch.recordSizes();
        for (int i = 0; i < sizes.length; i++) {
            int recordBytes = sizes[i];
            if (recordBytes > config.maxRecordBytes()) {
                throw new AppendRejectedException(ErrorCode.MESSAGE_TOO_LARGE, "record " + i + " of the batch is "
                        + recordBytes + " bytes, above maxRecordBytes=" + config.maxRecordBytes()
                        + "; nothing was written, send smaller records");
            }
        }
    }

    private void checkWritable() throws IOException {
        if (closed) {
            throw new IllegalStateException("partition log is closed");
        }
        if (failure != null) {
            throw new IOException("partition log failed on an earlier I/O error and accepts no more writes;"
                    + " close and reopen it to recover (flushed up to offset " + flushedOffset + ")", failure);
        }
    }

    private IOException fail(IOException e) {
        failure = e;
        LOG.error("partition log failed; writes refused until it is reopened (flushed up to offset {})", flushedOffset, e);
        return e;
    }

    private boolean calledByOwner() {
        Thread current = Thread.currentThread();
        if (owner == null) {
            owner = current;
        }
        if (owner != current) {
            throw new AssertionError("PartitionLog is single-writer: owned by thread '" + owner.getName()
                    + "', called from '" + current.getName() + "'");
        }
        return true;
    }

    private static boolean isValidBatch(RecordBatch batch) {
        try {
            RecordBatch.decode(batch.buffer(), RecordBatch.BATCH_BYTES_LIMIT);
            return true;
        } catch (CorruptBatchException e) {
            throw new AssertionError("about to write an invalid batch " + batch + ": " + e.getMessage(), e);
        }
    }
}
