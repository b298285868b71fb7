package io.semel.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One open file of a {@link Storage}. Positional reads and writes; nothing is durable until
 * {@link #force()} returns. Not thread-safe for writes: one writer per file. One other thread may
 * call {@link #force()} while the writer writes (the partition's flusher beside its appender): the
 * force then makes durable at least every byte whose {@code write} returned before it began.
 */
public interface StorageFile extends Closeable {

    long size() throws IOException;

    /**
     * Reads up to {@code dst.remaining()} bytes at {@code position} into {@code dst}.
     *
     * @return bytes read, or -1 if {@code position} is at or past the end
     */
    int read(long position, ByteBuffer dst) throws IOException;

    /** Writes all of {@code src} at {@code position}, extending the file if needed. */
    void write(long position, ByteBuffer src) throws IOException;

    /**
     * Makes every byte written so far durable (fdatasync): every write that returned before this
     * call began; a write running beside it may or may not be covered.
     */
    void force() throws IOException;

    /** Cuts the file to {@code size} bytes (no-op if shorter). Durable after {@link #force()}. */
    void truncate(long size) throws IOException;
}
