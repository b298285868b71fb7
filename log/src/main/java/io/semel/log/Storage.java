package io.semel.log;

import java.io.IOException;
import java.util.List;

/**
 * The fault seam under every durable structure: one flat directory of named files.
 *
 * <p>Two implementations: {@code FileStorage} (real files, {@code FileChannel.force}) and
 * {@code SimulatedStorage} (in memory; on a simulated crash it drops unforced bytes, can tear the
 * last write and flip bits). Code above this interface must be correct on both; the simulated one
 * exists to inject faults, never to avoid the real one.
 *
 * <p>Durability rules, which callers must follow and the simulation enforces:
 * <ul>
 *   <li>file content is durable only up to the last {@link StorageFile#force()} of that file;
 *   <li>a file's <em>existence</em> (creation, {@link #rename}, {@link #delete}) is durable only
 *       after {@link #syncDirectory()}.
 * </ul>
 *
 * <p>Implementations are thread-safe for distinct files; one file is used by one writer.
 */
public interface Storage {

    /** Opens a file for reading and writing, creating it (empty) if absent. */
    StorageFile open(String name) throws IOException;

    boolean exists(String name) throws IOException;

    /** Names of all files, sorted. */
    List<String> list() throws IOException;

    /** Deletes a file; no-op if it does not exist. Durable after {@link #syncDirectory()}. */
    void delete(String name) throws IOException;

    /**
     * Atomically renames {@code from} to {@code to}, replacing {@code to} if present. Durable after
     * {@link #syncDirectory()}.
     */
    void rename(String from, String to) throws IOException;

    /** Makes every creation, rename and deletion so far durable (fsync of the directory). */
    void syncDirectory() throws IOException;
}
