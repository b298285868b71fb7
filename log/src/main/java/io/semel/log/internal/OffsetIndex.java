package io.semel.log.internal;

import io.semel.log.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The sparse offset index of one segment, {@code <base>.index}: a rebuildable cache mapping some
 * offsets to the file position of the batch that starts there, so a read seeks instead of scanning
 * the whole segment. Entries live in memory; the file mirrors them. Not thread-safe: owned by its
 * {@link Segment}.
 *
 * <pre>
 * offset size field           meaning (big-endian; the file is N such 8-byte entries)
 * ------ ---- --------------- -------------------------------------------------------------
 *  8*i+0    4 relativeOffset  baseOffset of a batch minus the segment's base offset
 *  8*i+4    4 position        byte position of that batch in the segment's .log file
 * </pre>
 *
 * <p>An entry is added for a batch when at least {@code indexIntervalBytes} of log were written
 * since the previous entry (the first batch, at position 0, needs none). Both columns are strictly
 * increasing. The index has <b>no checksum</b>: if it is missing or inconsistent (size not a
 * multiple of 8, entries not increasing, an entry pointing at or past the end of the log or past
 * the segment's last offset) it is rebuilt by scanning the segment. What it does not protect
 * against: a plausible but wrong entry; reads check that the batch found at an entry has the
 * entry's offset and rebuild the index when it does not.
 */
public final class OffsetIndex {
    static final int ENTRY_BYTES = 8;

    private final StorageFile file;
    private final int indexIntervalBytes;
    private int[] relativeOffsets = new int[16];
    private int[] positions = new int[16];
    private int count;
    /** Entries [0, writtenCount) are in the file. */
    private int writtenCount;
    private long bytesSinceLastEntry;
    private boolean unforced;

    OffsetIndex(StorageFile file, int indexIntervalBytes) {
        this.file = file;
        this.indexIntervalBytes = indexIntervalBytes;
    }

    /**
     * Replaces the in-memory entries with the file's if they are consistent with a log of
     * {@code logSizeBytes} bytes holding relative offsets below {@code relativeOffsetLimit}.
     *
     * @return false if the file is inconsistent; the index is then empty and must be rebuilt
     */
    boolean load(long relativeOffsetLimit, long logSizeBytes) throws IOException {
        clear();
        long size = file.size();
        if (size % ENTRY_BYTES != 0 || size / ENTRY_BYTES > logSizeBytes) {
            return false;
        }
        ByteBuffer buf = readAll(size);
        int n = (int) (size / ENTRY_BYTES);
        for (int i = 0; i < n; i++) {
            int rel = buf.getInt();
            int pos = buf.getInt();
            boolean increasing = count == 0 || (rel > relativeOffsets[count - 1] && pos > positions[count - 1]);
            if (rel < 0 || rel >= relativeOffsetLimit || pos < 0 || pos >= logSizeBytes || !increasing) {
                clear();
                return false;
            }
            add(rel, pos);
        }
        writtenCount = count;
        return true;
    }

    /** Applies the indexing policy to a batch about to sit at {@code position}. */
    void onBatch(int relativeOffset, int position, int sizeBytes) {
        if (bytesSinceLastEntry >= indexIntervalBytes) {
            add(relativeOffset, position);
            bytesSinceLastEntry = 0;
        }
        bytesSinceLastEntry += sizeBytes;
    }

    /**
     * Forgets every entry in memory, before a rebuild; the file is left alone. Fresh arrays, never
     * the old ones cleared: a {@link Snapshot} published to readers keeps pointing at the old arrays,
     * whose first {@code count} slots must never change.
     */
    void clear() {
        relativeOffsets = new int[16];
        positions = new int[16];
        count = 0;
        writtenCount = 0;
        bytesSinceLastEntry = 0;
    }

    /**
     * After a rebuild through {@link #onBatch}: rewrites the file unless it already holds exactly
     * these entries.
     *
     * @return whether the file was rewritten
     */
    boolean storeRebuilt() throws IOException {
        ByteBuffer wanted = encode(0, count);
        long size = file.size();
        if (size == wanted.remaining() && readAll(size).equals(wanted)) {
            writtenCount = count;
            return false;
        }
        file.truncate(0);
        file.write(0, wanted);
        writtenCount = count;
        unforced = true;
        return true;
    }

    /**
     * Writes the entries added since the last call and forces the file. The active segment's
     * index is written only when the segment is rolled or closed: until then recovery rebuilds it.
     */
    void persist() throws IOException {
        if (writtenCount < count) {
            file.write((long) writtenCount * ENTRY_BYTES, encode(writtenCount, count));
            writtenCount = count;
            unforced = true;
        }
        if (unforced) {
            file.force();
            unforced = false;
        }
    }

    /** Slot of the last entry with relative offset at most {@code relativeOffset}, or -1. */
    int floorSlot(int relativeOffset) {
        int slot = Arrays.binarySearch(relativeOffsets, 0, count, relativeOffset);
        return slot >= 0 ? slot : -slot - 2;
    }

    int relativeOffset(int slot) {
        return relativeOffsets[slot];
    }

    int position(int slot) {
        return positions[slot];
    }

    int entryCount() {
        return count;
    }

    /**
     * The entries as of now, for readers on other threads, without copying: slots below a
     * snapshot's count are never written again ({@link #add} writes only at {@code count}, growth
     * copies into new arrays and {@link #clear} allocates new ones). Publish it through a volatile
     * (or other happens-before edge) after taking it.
     */
    Snapshot snapshot() {
        return new Snapshot(relativeOffsets, positions, count);
    }

    /** An immutable prefix of an index: entries {@code [0, count)} of the two arrays. Thread-safe once published. */
    public record Snapshot(int[] relativeOffsets, int[] positions, int count) {
        static final Snapshot EMPTY = new Snapshot(new int[0], new int[0], 0);

        /** Slot of the last entry with relative offset at most {@code relativeOffset}, or -1. */
        int floorSlot(int relativeOffset) {
            int slot = Arrays.binarySearch(relativeOffsets, 0, count, relativeOffset);
            return slot >= 0 ? slot : -slot - 2;
        }
    }

    void close() throws IOException {
        file.close();
    }

    private void add(int rel, int pos) {
        if (count == relativeOffsets.length) {
            relativeOffsets = Arrays.copyOf(relativeOffsets, count * 2);
            positions = Arrays.copyOf(positions, count * 2);
        }
        relativeOffsets[count] = rel;
        positions[count] = pos;
        count++;
    }

    private ByteBuffer encode(int from, int to) {
        ByteBuffer buf = ByteBuffer.allocate((to - from) * ENTRY_BYTES);
        for (int i = from; i < to; i++) {
            buf.putInt(relativeOffsets[i]).putInt(positions[i]);
        }
        return buf.flip();
    }

    private ByteBuffer readAll(long size) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) size);
        while (buf.hasRemaining() && file.read(buf.position(), buf) > 0) {
            // read() may return short; keep going until full or end of file
        }
        return buf.flip();
    }
}
