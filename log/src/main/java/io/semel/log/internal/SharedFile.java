package io.semel.log.internal;

import io.semel.log.StorageFile;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A segment's log file shared between its writer and concurrent readers, closed only when the
 * writer has retired it <em>and</em> the last reader has let go (reference counting).
 *
 * <p>The writer holds one reference from creation and gives it up with {@link #release} when it
 * closes or deletes the segment. A reader takes a reference with {@link #tryAcquire} before its
 * positional reads and releases it after; {@code tryAcquire} fails once the count reached 0 (the
 * file is closed or about to be), and the reader then looks at the newer published view. So a
 * reader never reads a closed file, and a retired file's descriptor lives exactly as long as its
 * slowest reader (an unlinked file stays readable through an open descriptor on POSIX).
 *
 * <p>Thread-safe.
 */
public final class SharedFile {
    private final StorageFile file;
    private final AtomicInteger refs = new AtomicInteger(1);

    SharedFile(StorageFile file) {
        this.file = file;
    }

    /** The file; reads need a reference held, writes are the owner's. */
    public StorageFile file() {
        return file;
    }

    /** Takes a reference; false once the file was closed (or its last reference is being dropped). */
    public boolean tryAcquire() {
        while (true) {
            int n = refs.get();
            if (n == 0) {
                return false;
            }
            if (refs.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Drops a reference; the last one closes the file. */
    public void release() throws IOException {
        int n = refs.decrementAndGet();
        if (n == 0) {
            file.close();
        }
        assert n >= 0 : "released more often than acquired";
    }

    /** References held now (owner included): for tests. */
    int references() {
        return refs.get();
    }
}
