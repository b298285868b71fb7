package io.semel.protocol;

import static io.semel.protocol.Batches.bytes;
import static io.semel.protocol.Batches.decode;
import static io.semel.protocol.Batches.restampCrc;
import static io.semel.protocol.Batches.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.semel.protocol.CorruptBatchException.Reason;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordBatchTest {
    /** First record of {@link Batches#small()}: key length at 56, value length at 61, header count at 66. */
    private static final int FIRST_KEY_LENGTH = 56;
    private static final int FIRST_HEADER_COUNT = 66;

    @Test
    void roundTripKeepsNullAndEmptyKeysValuesAndHeaders() throws Exception {
        List<LogRecord> records = List.of(
                LogRecord.of(null, null),
                LogRecord.of(new byte[0], new byte[0]),
                LogRecord.of(utf8("key"), null),
                LogRecord.of(null, utf8("value")),
                new LogRecord(utf8("k"), utf8("v"), List.of(Header.of("trace", "abc"),
                        new Header("empty", new byte[0]), Header.of("ünïcødé", "✓"))));
        RecordBatch batch = RecordBatch.of(7L, (short) 2, 10L, 1234L, records);

        RecordBatch decoded = decode(bytes(batch));

        assertThat(decoded).isEqualTo(batch);
        assertThat(decoded.records()).containsExactlyElementsOf(records);
        assertThat(decoded.records().get(0).key()).isNull();
        assertThat(decoded.records().get(1).key()).isEmpty();
        assertThat(decoded.producerId()).isEqualTo(7L);
        assertThat(decoded.producerEpoch()).isEqualTo((short) 2);
        assertThat(decoded.baseSequence()).isEqualTo(10L);
        assertThat(decoded.firstTimestampMs()).isEqualTo(1234L);
        assertThat(decoded.maxTimestampMs()).isEqualTo(1234L);
        assertThat(decoded.hasProducer()).isTrue();
        assertThat(decoded.sizeInBytes()).isEqualTo(bytes(batch).length);
    }

    @Test
    void roundTripOfManyRecords() throws Exception {
        RecordBatch batch = Batches.ofRecords(10_000);

        RecordBatch decoded = decode(bytes(batch));

        assertThat(decoded.recordCount()).isEqualTo(10_000);
        assertThat(decoded.records()).hasSize(10_000);
        assertThat(decoded.records().get(9_999).value()).isEqualTo(utf8("value-9999"));
    }

    @Test
    void nonIdempotentBatchHasNoProducerAndNoSequence() throws Exception {
        RecordBatch decoded = decode(bytes(RecordBatch.of(5L, List.of(LogRecord.of(null, utf8("x"))))));

        assertThat(decoded.hasProducer()).isFalse();
        assertThat(decoded.producerId()).isEqualTo(RecordBatch.NO_PRODUCER_ID);
        assertThat(decoded.producerEpoch()).isEqualTo(RecordBatch.NO_PRODUCER_EPOCH);
        assertThat(decoded.baseSequence()).isEqualTo(RecordBatch.NO_SEQUENCE);
        assertThat(decoded.lastSequence()).isEqualTo(RecordBatch.NO_SEQUENCE);
    }

    @Test
    void lastOffsetAndLastSequenceCountEveryRecord() {
        RecordBatch batch = Batches.small().withBaseOffset(1000L);

        assertThat(batch.baseOffset()).isEqualTo(1000L);
        assertThat(batch.lastOffset()).isEqualTo(1001L);
        assertThat(batch.nextOffset()).isEqualTo(1002L);
        assertThat(batch.baseSequence()).isEqualTo(100L);
        assertThat(batch.lastSequence()).isEqualTo(101L);
        assertThat(Batches.ofRecords(1).lastOffset()).isZero();
    }

    @Test
    void withBaseOffsetChangesOnlyTheOffsetAndStaysValid() throws Exception {
        RecordBatch original = Batches.small();

        RecordBatch moved = original.withBaseOffset(77L);

        assertThat(original.baseOffset()).isZero();
        assertThat(moved.baseOffset()).isEqualTo(77L);
        assertThat(moved.crc()).isNotEqualTo(original.crc());
        assertThat(moved.records()).isEqualTo(original.records());
        assertThat(decode(bytes(moved))).isEqualTo(moved);
        assertThatThrownBy(() -> original.withBaseOffset(-1L)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void offsetsThatWouldOverflowAreRefused() {
        RecordBatch two = Batches.ofRecords(2);

        assertThatThrownBy(() -> two.withBaseOffset(Long.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class);
        byte[] forged = bytes(two);
        ByteBuffer.wrap(forged).putLong(Batches.BASE_OFFSET_OFFSET, Long.MAX_VALUE);
        assertThat(reasonOf(restampCrc(forged))).isEqualTo(Reason.BAD_CONTENT);
    }

    @Test
    void encoderRefusesWhatTheDecoderWouldReject() {
        List<LogRecord> one = List.of(LogRecord.of(null, null));

        assertThatThrownBy(() -> RecordBatch.of(1L, (short) 0, -2L, 0L, one))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-2");
        assertThatThrownBy(() -> RecordBatch.of(1L, List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyTruncationIsReportedAsTruncated() {
        byte[] full = bytes(Batches.small());
        for (int length = 0; length < full.length; length++) {
            byte[] prefix = Arrays.copyOf(full, length);
            assertThat(reasonOf(prefix)).as("prefix of %d of %d bytes", length, full.length)
                    .isEqualTo(Reason.TRUNCATED);
        }
    }

    @Test
    void lengthFieldBelowTheMinimumIsBadLength() {
        for (int length : new int[] {Integer.MIN_VALUE, -4, -1, 0, 1, RecordBatch.HEADER_BYTES + 7}) {
            byte[] bytes = bytes(Batches.small());
            ByteBuffer.wrap(bytes).putInt(0, length);
            assertThat(reasonOf(bytes)).as("length %d", length).isEqualTo(Reason.BAD_LENGTH);
        }
    }

    @Test
    void lengthFieldAboveTheLimitIsBadLength() throws Exception {
        byte[] bytes = bytes(Batches.small());
        ByteBuffer.wrap(bytes).putInt(0, Integer.MAX_VALUE);
        assertThat(reasonOf(bytes)).isEqualTo(Reason.BAD_LENGTH);

        byte[] intact = bytes(Batches.small());
        CorruptBatchException e = catchThrowableOfType(CorruptBatchException.class,
                () -> RecordBatch.decode(ByteBuffer.wrap(intact), intact.length - 1));
        assertThat(e.reason()).isEqualTo(Reason.BAD_LENGTH);
        assertThat(e.getMessage()).contains(String.valueOf(intact.length), String.valueOf(intact.length - 1));
        assertThat(RecordBatch.decode(ByteBuffer.wrap(intact), intact.length)).isEqualTo(Batches.small());
    }

    @Test
    void lengthFieldLargerThanTheBytesIsTruncatedAndShorterIsBadCrc() {
        byte[] longer = bytes(Batches.small());
        ByteBuffer.wrap(longer).putInt(0, longer.length);
        assertThat(reasonOf(longer)).isEqualTo(Reason.TRUNCATED);

        // A length that lands inside the buffer but spans the wrong bytes: only the CRC can tell.
        byte[] withTail = Arrays.copyOf(bytes(Batches.small()), longer.length + 8);
        ByteBuffer.wrap(withTail).putInt(0, longer.length);
        assertThat(reasonOf(withTail)).isEqualTo(Reason.BAD_CRC);
        byte[] shorter = bytes(Batches.small());
        ByteBuffer.wrap(shorter).putInt(0, shorter.length - 5);
        assertThat(reasonOf(shorter)).isEqualTo(Reason.BAD_CRC);
    }

    @Test
    void everySingleBitFlipUnderTheCrcIsBadCrc() {
        byte[] intact = bytes(Batches.small());
        // Bytes [4, 8) hold the CRC itself; flipping them must fail the same way.
        for (int bit = 4 * 8; bit < intact.length * 8; bit++) {
            byte[] flipped = intact.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(reasonOf(flipped)).as("bit %d", bit).isEqualTo(Reason.BAD_CRC);
        }
    }

    @Test
    void unknownVersionBehindAValidCrcIsUnknownVersion() {
        for (int version : new int[] {0, 2, 127, -1}) {
            byte[] bytes = bytes(Batches.small());
            bytes[Batches.VERSION_OFFSET] = (byte) version;
            CorruptBatchException e = catchThrowableOfType(CorruptBatchException.class, () -> decode(restampCrc(bytes)));
            assertThat(e.reason()).as("version %d", version).isEqualTo(Reason.UNKNOWN_VERSION);
            assertThat(e.errorCode()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
        }
    }

    @Test
    void recordCountThatDoesNotMatchTheRecordsIsBadContent() {
        for (int count : new int[] {0, -1, 1, 3, 1000, Integer.MAX_VALUE}) {
            byte[] bytes = bytes(Batches.small()); // really holds 2 records
            ByteBuffer.wrap(bytes).putInt(Batches.RECORD_COUNT_OFFSET, count);
            assertThat(reasonOf(restampCrc(bytes))).as("count %d", count).isEqualTo(Reason.BAD_CONTENT);
        }
    }

    @Test
    void trailingBytesInsideTheLengthAreBadContent() {
        byte[] intact = bytes(Batches.small());
        byte[] padded = Arrays.copyOf(intact, intact.length + 3);
        ByteBuffer.wrap(padded).putInt(0, padded.length - RecordBatch.LENGTH_FIELD_BYTES);

        CorruptBatchException e = catchThrowableOfType(CorruptBatchException.class, () -> decode(restampCrc(padded)));

        assertThat(e.reason()).isEqualTo(Reason.BAD_CONTENT);
        assertThat(e.getMessage()).contains("3 bytes left");
    }

    @Test
    void impossibleFieldLengthsAreBadContent() {
        int[][] forgeries = {
            {FIRST_KEY_LENGTH, -2}, {FIRST_KEY_LENGTH, Integer.MIN_VALUE}, {FIRST_KEY_LENGTH, 1_000},
            {FIRST_KEY_LENGTH, Integer.MAX_VALUE}, {FIRST_KEY_LENGTH + 5, -7},
            {FIRST_HEADER_COUNT, -1}, {FIRST_HEADER_COUNT, 1_000_000}, {FIRST_HEADER_COUNT, Integer.MAX_VALUE},
            {FIRST_HEADER_COUNT + 4, -1}, {FIRST_HEADER_COUNT + 4, Integer.MAX_VALUE},
            {FIRST_HEADER_COUNT + 9, -1}, {FIRST_HEADER_COUNT + 9, Integer.MAX_VALUE},
        };
        for (int[] forgery : forgeries) {
            byte[] bytes = bytes(Batches.small());
            ByteBuffer.wrap(bytes).putInt(forgery[0], forgery[1]);
            assertThat(reasonOf(restampCrc(bytes))).as("int %d at %d", forgery[1], forgery[0])
                    .isEqualTo(Reason.BAD_CONTENT);
        }
    }

    @Test
    void aHeaderKeyThatIsNotUtf8BehindAValidCrcIsBadContent() {
        // Found by RecordBatchFuzzTest: decode accepted it, then records() turned the key into U+FFFD,
        // so a consumer read another key than was written and encodedSize() disagreed with the bytes.
        byte[] bytes = bytes(Batches.small());
        assertThat(bytes[FIRST_HEADER_COUNT + 8]).isEqualTo((byte) 'h');
        bytes[FIRST_HEADER_COUNT + 8] = (byte) 0xBC;
        CorruptBatchException e = catchThrowableOfType(CorruptBatchException.class, () -> decode(restampCrc(bytes)));
        assertThat(e.reason()).isEqualTo(Reason.BAD_CONTENT);
        assertThat(e.getMessage()).contains("header key of 1 bytes is not valid UTF-8");
    }

    @Test
    void negativeBaseOffsetOrSequenceBehindAValidCrcIsBadContent() {
        byte[] offset = bytes(Batches.small());
        ByteBuffer.wrap(offset).putLong(Batches.BASE_OFFSET_OFFSET, -1L);
        assertThat(reasonOf(restampCrc(offset))).isEqualTo(Reason.BAD_CONTENT);

        byte[] sequence = bytes(Batches.small());
        ByteBuffer.wrap(sequence).putLong(Batches.BASE_SEQUENCE_OFFSET, -2L);
        assertThat(reasonOf(restampCrc(sequence))).isEqualTo(Reason.BAD_CONTENT);
    }

    @Test
    void failedDecodeLeavesThePositionWhereItWas() {
        byte[] bytes = bytes(Batches.small());
        bytes[20] ^= 1;
        ByteBuffer buf = ByteBuffer.allocate(bytes.length + 10);
        buf.position(10);
        buf.put(bytes).position(10);

        assertThatThrownBy(() -> RecordBatch.decode(buf, RecordBatch.BATCH_BYTES_LIMIT))
                .isInstanceOf(CorruptBatchException.class);
        assertThat(buf.position()).isEqualTo(10);
    }

    @Test
    void backToBackBatchesDecodeInSequenceAndAdvanceThePosition() throws Exception {
        RecordBatch first = Batches.small().withBaseOffset(0L);
        RecordBatch second = Batches.ofRecords(3).withBaseOffset(2L);
        ByteBuffer buf = ByteBuffer.allocate(first.sizeInBytes() + second.sizeInBytes());
        buf.put(first.buffer()).put(second.buffer()).flip();

        assertThat(RecordBatch.decode(buf, RecordBatch.BATCH_BYTES_LIMIT)).isEqualTo(first);
        assertThat(buf.position()).isEqualTo(first.sizeInBytes());
        assertThat(RecordBatch.decode(buf, RecordBatch.BATCH_BYTES_LIMIT)).isEqualTo(second);
        assertThat(buf.hasRemaining()).isFalse();
        CorruptBatchException end = catchThrowableOfType(CorruptBatchException.class,
                () -> RecordBatch.decode(buf, RecordBatch.BATCH_BYTES_LIMIT));
        assertThat(end.reason()).isEqualTo(Reason.TRUNCATED);
    }

    @Test
    void decodeReadsBigEndianWhateverTheBufferOrder() throws Exception {
        ByteBuffer little = ByteBuffer.wrap(bytes(Batches.small())).order(ByteOrder.LITTLE_ENDIAN);

        assertThat(RecordBatch.decode(little, RecordBatch.BATCH_BYTES_LIMIT)).isEqualTo(Batches.small());
        assertThat(little.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void decodeWorksOnReadOnlyAndDirectBuffers() throws Exception {
        RecordBatch batch = Batches.small();
        ByteBuffer direct = ByteBuffer.allocateDirect(batch.sizeInBytes()).put(batch.buffer()).flip();

        assertThat(RecordBatch.decode(batch.buffer(), RecordBatch.BATCH_BYTES_LIMIT)).isEqualTo(batch);
        assertThat(RecordBatch.decode(direct, RecordBatch.BATCH_BYTES_LIMIT)).isEqualTo(batch);
    }

    @Test
    void recordsListIsImmutable() {
        List<LogRecord> records = Batches.small().records();
        assertThatThrownBy(() -> records.add(LogRecord.of(null, null)))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(new ArrayList<>(records)).hasSize(2);
    }

    @Test
    void decodeOwnedAcceptsExactlyWhatDecodeAccepts() throws Exception {
        byte[] full = bytes(Batches.small());
        assertThat(RecordBatch.decodeOwned(full.clone(), RecordBatch.BATCH_BYTES_LIMIT)).isEqualTo(Batches.small());
        for (int at = 0; at < full.length; at++) {
            for (int bit = 0; bit < 8; bit += 3) {
                byte[] flipped = full.clone();
                flipped[at] ^= (byte) (1 << bit);
                RecordBatch viaCopy = decodeOrNull(flipped);
                RecordBatch owned;
                try {
                    owned = RecordBatch.decodeOwned(flipped.clone(), RecordBatch.BATCH_BYTES_LIMIT);
                } catch (CorruptBatchException e) {
                    owned = null;
                }
                assertThat(owned).as("bit %d of byte %d flipped", bit, at).isEqualTo(viaCopy);
            }
        }
        for (int length = 0; length < full.length; length++) {
            byte[] prefix = Arrays.copyOf(full, length);
            assertThatThrownBy(() -> RecordBatch.decodeOwned(prefix, RecordBatch.BATCH_BYTES_LIMIT))
                    .as("prefix of %d bytes", length).isInstanceOf(CorruptBatchException.class);
        }
        // One batch and a byte more is not "exactly one batch": decode would leave the byte for the next.
        CorruptBatchException e = catchThrowableOfType(CorruptBatchException.class,
                () -> RecordBatch.decodeOwned(Arrays.copyOf(full, full.length + 1), RecordBatch.BATCH_BYTES_LIMIT));
        assertThat(e.reason()).isEqualTo(Reason.BAD_LENGTH);
        e = catchThrowableOfType(CorruptBatchException.class,
                () -> RecordBatch.decodeOwned(full.clone(), full.length - 1));
        assertThat(e.reason()).isEqualTo(Reason.BAD_LENGTH);
    }

    private static RecordBatch decodeOrNull(byte[] bytes) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            RecordBatch batch = RecordBatch.decode(b, RecordBatch.BATCH_BYTES_LIMIT);
            return b.hasRemaining() ? null : batch;
        } catch (CorruptBatchException e) {
            return null;
        }
    }

    private static Reason reasonOf(byte[] bytes) {
        CorruptBatchException e = catchThrowableOfType(CorruptBatchException.class, () -> decode(bytes));
        assertThat(e).as("decode of %d bytes should fail", bytes.length).isNotNull();
        return e.reason();
    }

    @Test
    void recordSizesMatchTheEncodedSizeOfEachRecord() {
        List<LogRecord> records = List.of(LogRecord.of(null, null), LogRecord.of("k".getBytes(), new byte[300]),
                new LogRecord(new byte[0], "v".getBytes(), List.of(Header.of("h", "value"), Header.of("é", ""))));
        RecordBatch batch = RecordBatch.of(7, (short) 1, 0, 1_000L, records);
        assertThat(batch.recordSizes()).containsExactly(records.stream().mapToInt(LogRecord::encodedSize).toArray());
    }
}
