package io.semel.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * Coverage-guided fuzzing of {@link RecordBatch#decode}: the only exception it may throw for any
 * input is {@link CorruptBatchException}, and a batch it accepts must be fully readable
 * ({@link RecordBatch#records()}, {@link RecordBatch#recordSizes()}) with sizes that add up.
 *
 * <p>Input: byte 0 chooses whether the CRC is restamped before decoding (odd: yes), so the fuzzer
 * reaches the content checks behind the CRC instead of dying at it; bytes 1.. are the batch.
 * Regression mode (the default suite) replays {@code RecordBatchFuzzTestInputs/}; see
 * docs/fuzzing.md for a fuzzing run.
 */
class RecordBatchFuzzTest {
    /** Small enough that the fuzzer meets the size limit, large enough for many records. */
    private static final int MAX_BATCH_BYTES = 64 * 1024;

    @FuzzTest(maxDuration = "20s")
    void decodeAcceptsOrThrowsCorruptBatch(byte[] input) {
        if (input.length == 0) {
            return;
        }
        byte[] bytes = Arrays.copyOfRange(input, 1, input.length);
        if ((input[0] & 1) == 1) {
            restampCrcOverDeclaredLength(bytes);
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        RecordBatch batch;
        try {
            batch = RecordBatch.decode(buf, MAX_BATCH_BYTES);
        } catch (CorruptBatchException e) {
            assertThat(buf.position()).as("position after a rejected batch").isZero();
            return;
        }
        assertThat(buf.position()).isEqualTo(batch.sizeInBytes());
        List<LogRecord> records = batch.records();
        int[] sizes = batch.recordSizes();
        assertThat(records).hasSize(batch.recordCount());
        assertThat(Arrays.stream(sizes).asLongStream().sum() + RecordBatch.HEADER_BYTES)
                .as("record sizes fill the batch").isEqualTo(batch.sizeInBytes());
        for (int i = 0; i < sizes.length; i++) {
            assertThat(records.get(i).encodedSize()).as("encoded size of record %d", i).isEqualTo(sizes[i]);
        }
        assertThat(batch.toString()).isNotEmpty();
    }

    /** Stamps a CRC32C over [8, 4 + length) when the input holds that many bytes. */
    private static void restampCrcOverDeclaredLength(byte[] bytes) {
        if (bytes.length < Batches.CRC_START) {
            return;
        }
        long end = (long) ByteBuffer.wrap(bytes).getInt(0) + RecordBatch.LENGTH_FIELD_BYTES;
        if (end < Batches.CRC_START || end > bytes.length) {
            return;
        }
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, Batches.CRC_START, (int) end - Batches.CRC_START);
        ByteBuffer.wrap(bytes).putInt(Batches.CRC_OFFSET, (int) crc.getValue());
    }
}
