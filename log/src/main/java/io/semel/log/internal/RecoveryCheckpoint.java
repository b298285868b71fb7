package io.semel.log.internal;

import io.semel.log.Storage;
import io.semel.log.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.OptionalLong;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file {@code recovery-point}: the offset below which the whole log was durable when it was
 * written, so recovery may trust the segments that end at or below it. Stateless; thread-safe.
 *
 * <pre>
 * offset size field      meaning (big-endian)
 * ------ ---- ---------- -------------------------------------------------
 *      0    4 magic      "SMRP"
 *      4    1 version    1
 *      5    8 offset     every offset below this was forced before writing
 *     13    4 crc        CRC32C over bytes [0, 13)
 * </pre>
 *
 * <p>Written to {@code recovery-point.tmp}, forced, renamed over {@code recovery-point}, and the
 * directory synced: a crash leaves either the old or the new file, never a mix. A missing or
 * corrupt file is not an error: recovery then scans the whole log. Not protected against: a
 * checkpoint that is valid but stale or ahead of the data (a restored backup); recovery logs it.
 */
public final class RecoveryCheckpoint {
    private static final Logger LOG = LoggerFactory.getLogger(RecoveryCheckpoint.class);
    public static final String FILE_NAME = "recovery-point";
    static final String TEMP_NAME = FILE_NAME + ".tmp";
    private static final int MAGIC = 0x534D5250; // "SMRP"
    private static final byte VERSION = 1;
    private static final int BODY_BYTES = 13;
    private static final int FILE_BYTES = BODY_BYTES + 4;

    private RecoveryCheckpoint() {
    }

    /** The recorded offset, or empty when the file is missing or corrupt (logged). */
    public static OptionalLong read(Storage storage) throws IOException {
        if (!storage.exists(FILE_NAME)) {
            return OptionalLong.empty();
        }
        ByteBuffer buf = ByteBuffer.allocate(FILE_BYTES + 1); // one extra byte detects a too-long file
        long size;
        try (StorageFile file = storage.open(FILE_NAME)) {
            size = file.size();
            file.read(0, buf);
        }
        buf.flip();
        if (size != FILE_BYTES || buf.remaining() != FILE_BYTES) {
            LOG.warn("{} has {} bytes, expected {}; ignoring it and scanning the whole log", FILE_NAME, size, FILE_BYTES);
            return OptionalLong.empty();
        }
        int stored = buf.getInt(BODY_BYTES);
        int computed = crc(buf);
        long offset = buf.getLong(5);
        if (buf.getInt(0) != MAGIC || buf.get(4) != VERSION || stored != computed || offset < 0) {
            LOG.warn("{} is corrupt (magic {}, version {}, stored CRC32C {}, computed {}, offset {}); "
                    + "ignoring it and scanning the whole log", FILE_NAME, Integer.toHexString(buf.getInt(0)),
                    buf.get(4), Integer.toHexString(stored), Integer.toHexString(computed), offset);
            return OptionalLong.empty();
        }
        return OptionalLong.of(offset);
    }

    /** Durably replaces the checkpoint with {@code offset}. */
    public static void write(Storage storage, long offset) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(FILE_BYTES);
        buf.putInt(MAGIC).put(VERSION).putLong(offset);
        buf.putInt(crc(buf));
        buf.flip();
        try (StorageFile file = storage.open(TEMP_NAME)) {
            file.truncate(0);
            file.write(0, buf);
            file.force();
        }
        // Commit point: the rename, made durable by the directory sync.
        storage.rename(TEMP_NAME, FILE_NAME);
        storage.syncDirectory();
    }

    private static int crc(ByteBuffer buf) {
        CRC32C crc = new CRC32C();
        crc.update(buf.duplicate().position(0).limit(BODY_BYTES));
        return (int) crc.getValue();
    }
}
