package io.semel.broker.internal;

import io.semel.log.FileStorage;
import io.semel.log.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The metadata file of one topic, {@value #FILE_NAME} in the topic's directory. Not a cache: it
 * is the only record of the partition count, so a corrupt file stops the broker rather than being
 * guessed. Stateless; thread-safe for distinct topics.
 *
 * <pre>
 * offset size field           meaning
 * ------ ---- --------------- ---------------------------------------------
 *      0    4 magic           "SMTM"
 *      4    1 version         1
 *      5    4 partitionCount  int32, 1..10,000
 *      9    8 createdMs       int64, wall-clock ms since the epoch
 *     17    4 crc             CRC32C of bytes 0..16
 * </pre>
 *
 * Written as {@value #TEMP_NAME}, forced, renamed over {@value #FILE_NAME}, directory synced: the
 * rename is the commit point of topic creation. Not protected against: a bit flip that keeps the
 * CRC valid (1 in 2^32), or the file being deleted (the topic directory is then ignored as an
 * unfinished creation).
 */
public final class TopicMetadata {
    public static final String FILE_NAME = "topic.meta";
    static final String TEMP_NAME = FILE_NAME + ".tmp";
    static final int BYTES = 21;
    private static final int MAGIC = 0x534D544D; // "SMTM"
    private static final byte VERSION = 1;

    private TopicMetadata() {
    }

    /** What the file holds. */
    public record Contents(int partitionCount, long createdMs) {
    }

    public static void write(FileStorage dir, Contents c) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(BYTES);
        buf.putInt(MAGIC).put(VERSION).putInt(c.partitionCount()).putLong(c.createdMs());
        buf.putInt(crc(buf.array()));
        buf.flip();
        try (StorageFile f = dir.open(TEMP_NAME)) {
            f.truncate(0);
            f.write(0, buf);
            f.force(); // 1. content durable
        }
        dir.rename(TEMP_NAME, FILE_NAME); // 2. visible whole
        dir.syncDirectory(); // 3. the rename durable: the topic now exists
    }

    /** @throws IOException naming the file when it is corrupt or of an unknown version */
    public static Contents read(FileStorage dir) throws IOException {
        String where = dir.directory().resolve(FILE_NAME).toString();
        ByteBuffer buf = ByteBuffer.allocate(BYTES);
        try (StorageFile f = dir.open(FILE_NAME)) {
            if (f.size() != BYTES) {
                throw new IOException(where + ": " + f.size() + " bytes, expected " + BYTES);
            }
            while (buf.hasRemaining()) {
                if (f.read(buf.position(), buf) < 0) {
                    throw new IOException(where + ": ended at byte " + buf.position());
                }
            }
        }
        byte[] b = buf.array();
        buf.flip();
        int magic = buf.getInt();
        byte version = buf.get();
        int partitions = buf.getInt();
        long createdMs = buf.getLong();
        int stored = buf.getInt();
        if (magic != MAGIC || stored != crc(b)) {
            throw new IOException(where + ": bad magic or CRC (stored " + Integer.toHexString(stored) + ", computed "
                    + Integer.toHexString(crc(b)) + "); the topic's partition count is unknown, restore the file");
        }
        if (version != VERSION) {
            throw new IOException(where + ": version " + version + ", this broker reads " + VERSION);
        }
        if (partitions < 1) {
            throw new IOException(where + ": partition count " + partitions + " is not positive");
        }
        return new Contents(partitions, createdMs);
    }

    private static int crc(byte[] b) {
        CRC32C crc = new CRC32C();
        crc.update(b, 0, BYTES - 4);
        return (int) crc.getValue();
    }
}
