package io.semel.log.internal;

import io.semel.log.Storage;
import io.semel.log.StorageFile;
import io.semel.protocol.CorruptBatchException;
import io.semel.protocol.RecordBatch;
import java.io.IOException;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One segment of a partition log: the file {@code <base>.log}, record batches back to back with
 * contiguous offsets starting at the base offset (20 digits, zero-padded, so names sort by
 * offset), plus its {@link OffsetIndex} {@code <base>.index}. Owns both open files and the
 * segment's in-memory size and next offset. Not thread-safe: owned by one partition log's writer.
 */
public final class Segment {
    private static final Logger LOG = LoggerFactory.getLogger(Segment.class);
    public static final String LOG_SUFFIX = ".log";
    public static final String INDEX_SUFFIX = ".index";
    private static final int OFFSET_DIGITS = 20;

    private final long baseOffset;
    private final StorageFile log;
    /** {@link #log}, shared with readers: closed once retired here and released by the last reader. */
    private final SharedFile shared;
    private final OffsetIndex index;
    private long sizeBytes;
    private long nextOffset;
    private boolean logUnforced;
    /** Whether the index file existed when the segment was opened; an empty new file is not an index. */
    private boolean indexExisted;
    /** Newest batch's max timestamp, or {@link Long#MIN_VALUE} until known. */
    private long lastMaxTimestampMs = Long.MIN_VALUE;

    private Segment(long baseOffset, StorageFile log, OffsetIndex index) {
        this.baseOffset = baseOffset;
        this.log = log;
        this.shared = new SharedFile(log);
        this.index = index;
        this.nextOffset = baseOffset;
    }

    public static String logName(long baseOffset) {
        return String.format("%0" + OFFSET_DIGITS + "d", baseOffset) + LOG_SUFFIX;
    }

    public static String indexName(long baseOffset) {
        return String.format("%0" + OFFSET_DIGITS + "d", baseOffset) + INDEX_SUFFIX;
    }

    /** The base offset named by a segment file name with the given suffix, or empty for other names. */
    public static OptionalLong parseBaseOffset(String fileName, String suffix) {
        if (fileName.length() != OFFSET_DIGITS + suffix.length() || !fileName.endsWith(suffix)) {
            return OptionalLong.empty();
        }
        String digits = fileName.substring(0, OFFSET_DIGITS);
        if (!digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(digits));
        } catch (NumberFormatException e) {
            return OptionalLong.empty(); // 20 digits can exceed Long.MAX_VALUE: not ours
        }
    }

    /** Opens (creating if absent) the two files of the segment at {@code baseOffset}, content unread. */
    public static Segment open(Storage storage, long baseOffset, int indexIntervalBytes) throws IOException {
        boolean indexExisted = storage.exists(indexName(baseOffset));
        StorageFile log = storage.open(logName(baseOffset));
        StorageFile indexFile;
        try {
            indexFile = storage.open(indexName(baseOffset));
        } catch (IOException e) {
            log.close();
            throw e;
        }
        Segment segment = new Segment(baseOffset, log, new OffsetIndex(indexFile, indexIntervalBytes));
        segment.sizeBytes = log.size();
        segment.indexExisted = indexExisted;
        return segment;
    }

    /**
     * Trusts the content (it lies below the recovery checkpoint) and ends at {@code nextOffset};
     * checks only the index, rebuilding it from batch headers if it is inconsistent.
     *
     * @return whether the index was rebuilt
     */
    public boolean trust(long nextOffset) throws IOException {
        this.nextOffset = nextOffset;
        if (indexExisted && index.load(nextOffset - baseOffset, sizeBytes)) {
            return false;
        }
        LOG.warn("index {} is missing or inconsistent; rebuilding it from {} log bytes", indexName(baseOffset), sizeBytes);
        rebuildIndexFromHeaders();
        return true;
    }

    /**
     * Decodes every batch from the start; at the first invalid one, or one not at the expected
     * offset, truncates the file there. Rebuilds the index from the valid batches.
     */
    public ScanResult recover(long expectedBaseOffset) throws IOException {
        index.clear();
        long position = 0;
        long expected = expectedBaseOffset;
        long batches = 0;
        String failure = null;
        while (position < sizeBytes) {
            RecordBatch batch;
            try {
                batch = decodeAt(position);
            } catch (CorruptBatchException e) {
                failure = e.getMessage();
                break;
            }
            if (batch.baseOffset() != expected) {
                failure = "batch at position " + position + " has base offset " + batch.baseOffset() + ", expected " + expected;
                break;
            }
            index.onBatch((int) (expected - baseOffset), (int) position, batch.sizeInBytes());
            position += batch.sizeInBytes();
            expected = batch.nextOffset();
            lastMaxTimestampMs = batch.maxTimestampMs();
            batches++;
        }
        long cut = sizeBytes - position;
        if (cut > 0) {
            LOG.warn("recovery cut {} bytes from {} at position {} (of {}), offsets from {}: {}",
                    cut, logName(baseOffset), position, sizeBytes, expected, failure);
            log.truncate(position);
            logUnforced = true;
            sizeBytes = position;
        }
        nextOffset = expected;
        // After a process crash the bytes just validated may sit only in the page cache: the
        // caller forces them before calling them durable.
        logUnforced = true;
        boolean indexRewritten = index.storeRebuilt();
        return new ScanResult(batches, cut, indexRewritten);
    }

    /** Outcome of {@link #recover}. */
    public record ScanResult(long batches, long bytesTruncated, boolean indexRewritten) { }

    /** Writes {@code batch} (already stamped with {@link #nextOffset()}) at the end; does not force. */
    public void append(RecordBatch batch) throws IOException {
        assert batch.baseOffset() == nextOffset : "batch " + batch + " appended at next offset " + nextOffset;
        long position = sizeBytes;
        try {
            log.write(position, batch.buffer());
        } catch (IOException e) {
            // A short write may have left part of the batch; cut it so the file ends at a batch boundary.
            try {
                log.truncate(position);
            } catch (IOException truncateFailure) {
                // Not a StorageFullException any more: the file's tail is now unknown.
                IOException unknownTail = new IOException("write of " + batch.sizeInBytes() + " bytes at position "
                        + position + " of " + logName(baseOffset) + " failed and the partial write could not be cut", e);
                unknownTail.addSuppressed(truncateFailure);
                throw unknownTail;
            }
            throw e;
        }
        index.onBatch((int) (batch.baseOffset() - baseOffset), (int) position, batch.sizeInBytes());
        sizeBytes += batch.sizeInBytes();
        nextOffset = batch.nextOffset();
        lastMaxTimestampMs = batch.maxTimestampMs();
        logUnforced = true;
    }

    /** Forces the log if it has unforced bytes, and writes and forces the index if {@code withIndex}. */
    public void flush(boolean withIndex) throws IOException {
        if (logUnforced) {
            log.force();
            logUnforced = false;
        }
        if (withIndex) {
            index.persist();
        }
    }

    public boolean hasUnforcedBytes() {
        return logUnforced;
    }

    /**
     * The segment's log file, for a force run by another thread while the owner keeps appending
     * ({@link StorageFile#force()} may run beside a write). The caller must not close or write it.
     */
    public StorageFile logFileForConcurrentForce() {
        return log;
    }

    /** Position of the batch containing {@code offset}, which must lie in this segment. */
    public long positionOf(long offset) throws IOException {
        assert offset >= baseOffset && offset < nextOffset : "offset " + offset + " not in " + this;
        int slot = index.floorSlot((int) (offset - baseOffset));
        long position = slot < 0 ? 0 : index.position(slot);
        long batchBase = slot < 0 ? baseOffset : baseOffset + index.relativeOffset(slot);
        SegmentFileReader.Header header = readHeader(position);
        if (header.baseOffset() != batchBase) {
            LOG.warn("index {} entry {} points at position {} holding offset {}, expected {}; rebuilding the index",
                    indexName(baseOffset), slot, position, header.baseOffset(), batchBase);
            rebuildIndexFromHeaders();
            position = 0;
            header = readHeader(0);
        }
        while (header.baseOffset() + header.recordCount() <= offset) {
            position += header.totalBytes();
            header = readHeader(position);
        }
        return position;
    }

    /**
     * Reads and fully validates the batch at {@code position} (assert after read).
     *
     * @throws IOException if the bytes there are not a valid batch: media corruption
     */
    public RecordBatch read(long position) throws IOException {
        try {
            return decodeAt(position);
        } catch (CorruptBatchException e) {
            throw new IOException("corrupt batch in " + logName(baseOffset) + " at position " + position
                    + " (segment size " + sizeBytes + "): " + e.getMessage(), e);
        }
    }

    /** The newest batch's max timestamp, reading it if not yet known; empty segments give MIN_VALUE. */
    public long lastMaxTimestampMs() throws IOException {
        if (lastMaxTimestampMs == Long.MIN_VALUE && nextOffset > baseOffset) {
            lastMaxTimestampMs = read(positionOf(nextOffset - 1)).maxTimestampMs();
        }
        return lastMaxTimestampMs;
    }

    public long baseOffset() {
        return baseOffset;
    }

    public long nextOffset() {
        return nextOffset;
    }

    public long sizeBytes() {
        return sizeBytes;
    }

    /**
     * Retires the segment: closes the index and gives up the writer's reference to the log file,
     * which closes when no reader holds it any more (see {@link SharedFile}).
     */
    public void close() throws IOException {
        try {
            shared.release();
        } finally {
            index.close();
        }
    }

    /**
     * This segment as of now, for readers on other threads; call on the writer thread and publish
     * through a volatile. Only bytes the caller knows to be durable should be served from it.
     */
    public ReadableSegment readable() {
        return new ReadableSegment(baseOffset, nextOffset, sizeBytes, index.snapshot(), shared);
    }

    /** Closes the files and deletes them; durable after the caller's {@code syncDirectory}. */
    public void delete(Storage storage) throws IOException {
        close();
        storage.delete(logName(baseOffset));
        storage.delete(indexName(baseOffset));
    }

    @Override
    public String toString() {
        return "Segment{" + logName(baseOffset) + ", offsets " + baseOffset + ".." + nextOffset + ", " + sizeBytes + " bytes}";
    }

    private void rebuildIndexFromHeaders() throws IOException {
        index.clear();
        long position = 0;
        while (position < sizeBytes) {
            SegmentFileReader.Header header = readHeader(position);
            index.onBatch((int) (header.baseOffset() - baseOffset), (int) position, header.totalBytes());
            position += header.totalBytes();
        }
        index.storeRebuilt();
        index.persist();
    }

    private RecordBatch decodeAt(long position) throws IOException, CorruptBatchException {
        return SegmentFileReader.decodeAt(log, sizeBytes, position);
    }

    /** Walks without validating (used on trusted data); a nonsensical header means corruption. */
    private SegmentFileReader.Header readHeader(long position) throws IOException {
        return SegmentFileReader.readHeader(log, baseOffset, sizeBytes, position);
    }
}
