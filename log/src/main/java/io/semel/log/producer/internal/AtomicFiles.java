package io.semel.log.producer.internal;

import io.semel.log.Storage;
import io.semel.log.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Whole-file writes that are all-or-nothing across a crash, and bounded whole-file reads, over a
 * {@link Storage}. Stateless; thread-safe for distinct names.
 */
public final class AtomicFiles {
    /** Suffix of the scratch file a write goes through; never read back. */
    public static final String TEMP_SUFFIX = ".tmp";

    private AtomicFiles() {
    }

    /**
     * Replaces {@code name} with {@code bytes}. The one commit point is the rename: the new
     * content is forced first, and the rename is made durable by syncing the directory, so after a
     * crash {@code name} holds either the old or the new content, whole.
     */
    public static void write(Storage storage, String name, byte[] bytes) throws IOException {
        String temp = name + TEMP_SUFFIX;
        try (StorageFile file = storage.open(temp)) {
            // A crash may have left an older, longer scratch file behind.
            file.truncate(0);
            file.write(0, ByteBuffer.wrap(bytes));
            file.force(); // 1. content durable
        }
        storage.rename(temp, name); // 2. atomically visible
        storage.syncDirectory(); // 3. the rename itself durable
    }

    /**
     * Reads {@code name} whole, or its first {@code bytesMax + 1} bytes when it is larger, so the
     * caller sees an oversized file (length above {@code bytesMax}) without allocating it.
     */
    public static byte[] read(Storage storage, String name, long bytesMax) throws IOException {
        try (StorageFile file = storage.open(name)) {
            long size = Math.min(file.size(), bytesMax + 1);
            if (size > Integer.MAX_VALUE - 8) {
                throw new IOException(name + ": " + size + " bytes is beyond what can be read into memory");
            }
            ByteBuffer buf = ByteBuffer.allocate((int) size);
            while (buf.hasRemaining()) {
                if (file.read(buf.position(), buf) < 0) {
                    throw new IOException(name + ": ended at " + buf.position() + " bytes, size said " + size);
                }
            }
            return buf.array();
        }
    }
}
