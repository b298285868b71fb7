package io.semel.processor.store.internal;

import io.semel.processor.store.StoreException;
import io.semel.processor.store.StoreLock;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32C;

/**
 * {@link io.semel.processor.store.JdbcStore#tryLockExclusive}: a PostgreSQL session advisory lock
 * (namespace {@link #PG_LOCK_CLASS}, key = CRC32C of the name) on a connection held out of the pool,
 * or an OS file lock beside a SQLite file. Both die with the process. Stateless; the locks are
 * thread-safe.
 */
final class StoreLocks {
    /** First key of the two-int advisory lock: "SEML", apart from the transaction-scoped locks' keys. */
    static final int PG_LOCK_CLASS = 0x53454D4C;

    private StoreLocks() {
    }

    static Optional<StoreLock> postgres(ConnectionSource source, String name) {
        Connection c = null;
        try {
            c = source.acquire();
            c.setAutoCommit(true); // a session lock: it must outlive any transaction on this connection
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
                ps.setInt(1, PG_LOCK_CLASS);
                ps.setInt(2, key(name));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        source.release(c);
                        return Optional.empty();
                    }
                }
            }
            Connection held = c;
            AtomicBoolean closed = new AtomicBoolean();
            return Optional.of(() -> {
                if (closed.compareAndSet(false, true)) {
                    try (PreparedStatement ps = held.prepareStatement("SELECT pg_advisory_unlock(?, ?)")) {
                        ps.setInt(1, PG_LOCK_CLASS);
                        ps.setInt(2, key(name));
                        ps.executeQuery().close();
                    } catch (SQLException e) {
                        // Closing the connection below ends the session, which releases the lock too.
                    }
                    source.release(held);
                }
            });
        } catch (SQLException e) {
            if (c != null) {
                source.release(c);
            }
            throw new StoreException("taking the store lock '" + name + "' failed: " + e.getMessage(), e, true);
        }
    }

    static Optional<StoreLock> sqlite(Path dbFile, String name) {
        Path lockFile = dbFile.resolveSibling(dbFile.getFileName() + ".lock-" + name);
        FileChannel ch = null;
        try {
            ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l = ch.tryLock();
            if (l == null) {
                ch.close();
                return Optional.empty();
            }
            FileChannel held = ch;
            return Optional.of(() -> {
                try {
                    held.close(); // releases the lock
                } catch (IOException e) {
                    // The lock dies with the channel or the process.
                }
            });
        } catch (OverlappingFileLockException e) {
            closeQuietly(ch);
            return Optional.empty();
        } catch (IOException e) {
            closeQuietly(ch);
            throw new StoreException("taking the store lock file " + lockFile + " failed: " + e.getMessage(), e, false);
        }
    }

    private static int key(String name) {
        CRC32C crc = new CRC32C();
        crc.update(name.getBytes(StandardCharsets.UTF_8));
        return (int) crc.getValue();
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // Nothing held.
            }
        }
    }
}
