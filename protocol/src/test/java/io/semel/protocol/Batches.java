package io.semel.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/** Test helpers that build batch bytes by hand, so tests can forge content behind a valid CRC. */
final class Batches {
    /** Offsets of header fields, repeated here on purpose: a test must not trust the code under test. */
    static final int CRC_OFFSET = 4;
    static final int CRC_START = 8;
    static final int VERSION_OFFSET = 8;
    static final int BASE_OFFSET_OFFSET = 10;
    static final int RECORD_COUNT_OFFSET = 18;
    static final int BASE_SEQUENCE_OFFSET = 32;

    private Batches() {
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A small batch with keys, values, a null, and headers. */
    static RecordBatch small() {
        return RecordBatch.of(42L, (short) 3, 100L, 1_700_000_000_000L, List.of(
                new LogRecord(utf8("k"), utf8("v"), List.of(Header.of("h", "x"))),
                LogRecord.of(null, utf8("only value"))));
    }

    static RecordBatch ofRecords(int count) {
        List<LogRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(LogRecord.of(utf8("key-" + i), utf8("value-" + i)));
        }
        return RecordBatch.of(1L, records);
    }

    static byte[] bytes(RecordBatch batch) {
        ByteBuffer b = batch.buffer();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** Recomputes the CRC32C over [8, end), as a writer would: makes forged content look intact. */
    static byte[] restampCrc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, CRC_START, bytes.length - CRC_START);
        ByteBuffer.wrap(bytes).putInt(CRC_OFFSET, (int) crc.getValue());
        return bytes;
    }

    /** Decodes with the format's hard limit. */
    static RecordBatch decode(byte[] bytes) throws CorruptBatchException {
        return RecordBatch.decode(ByteBuffer.wrap(bytes), RecordBatch.BATCH_BYTES_LIMIT);
    }
}
