package io.semel.kafka.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive OS file lock beside a SQLite store ({@code <db>.kafka-source.lock}), held while a Kafka
 * source uses the store. A consumer group spreads partitions over members that must all see every
 * position row; a SQLite file is local to one machine and one writer, so a second member on the same
 * file is refused instead of half-working. The OS drops the lock when the process dies. Thread-safe.
 */
public final class SqliteInstanceLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private SqliteInstanceLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** @throws IllegalStateException another Kafka source (this process or another) holds the store */
    public static SqliteInstanceLock acquire(Path dbFile, String group) {
        Path lockFile = dbFile.resolveSibling(dbFile.getFileName() + ".kafka-source.lock");
        FileChannel ch = null;
        try {
            ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l = ch.tryLock();
            if (l == null) {
                throw refused(dbFile, lockFile, group, "another process holds " + lockFile, null);
            }
            return new SqliteInstanceLock(ch, l);
        } catch (OverlappingFileLockException e) {
            closeQuietly(ch);
            throw refused(dbFile, lockFile, group, "another Kafka source in this JVM holds " + lockFile, e);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new IllegalStateException("cannot lock " + lockFile + " for the Kafka source of group " + group + ": "
                    + e.getMessage(), e);
        } catch (IllegalStateException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private static IllegalStateException refused(Path db, Path lockFile, String group, String why, Throwable cause) {
        return new IllegalStateException("SQLite store " + db + " is already used by a Kafka source (" + why + "). A "
                + "Kafka consumer group moves partitions between members, and every member must read the positions "
                + "the others committed: SQLite serves one instance only. Run one processor for group " + group
                + " on this file, or put the processors of the group on one PostgreSQL store", cause);
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // The channel close below releases it as well.
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // Nothing to do: the lock dies with the channel or the process.
            }
        }
    }
}
