package io.semel.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.protocol.internal.Crc32cPatch;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Decoding is total over bad input: whatever bytes arrive, the answer is a batch or a
 * {@link CorruptBatchException}. jqwik prints the seed of any failing run; replay it with
 * {@code @Property(seed = "...")}.
 */
class RecordBatchProperties {

    @Property(tries = 2000)
    void randomBytesDecodeToABatchOrCorruptBatchException(@ForAll @Size(max = 300) byte[] bytes) {
        assertDecodesOrFailsCleanly(bytes);
    }

    /** Random bytes behind a plausible length field and a valid CRC: exercises the content checks. */
    @Property(tries = 2000)
    void randomBodiesBehindAValidCrcDecodeOrFailCleanly(@ForAll @Size(min = 56, max = 300) byte[] bytes,
            @ForAll @IntRange(min = 0, max = 4) int recordCount) {
        ByteBuffer.wrap(bytes).putInt(0, bytes.length - RecordBatch.LENGTH_FIELD_BYTES)
                .put(Batches.VERSION_OFFSET, RecordBatch.VERSION)
                .putInt(Batches.RECORD_COUNT_OFFSET, recordCount);
        assertDecodesOrFailsCleanly(Batches.restampCrc(bytes));
    }

    @Property(tries = 3000)
    void mutatedBatchesDecodeOrFailWithCorruptBatchException(@ForAll("batches") RecordBatch batch,
            @ForAll("mutations") List<int[]> mutations, @ForAll boolean restampCrc) {
        byte[] bytes = Batches.bytes(batch);
        for (int[] m : mutations) {
            int at = Math.floorMod(m[0], bytes.length - 3);
            if (m[2] == 0) {
                bytes[at] = (byte) m[1];
            } else {
                ByteBuffer.wrap(bytes).putInt(at, m[1]); // whole ints reach length and count fields
            }
        }
        assertDecodesOrFailsCleanly(restampCrc ? Batches.restampCrc(bytes) : bytes);
    }

    @Property(tries = 1000)
    void aPatchedBaseOffsetGivesTheCrcOfAFullRecomputation(@ForAll("batches") RecordBatch batch,
            @ForAll("offsets") long baseOffset) throws CorruptBatchException {
        RecordBatch stamped = batch.withBaseOffset(baseOffset);
        byte[] recomputed = Batches.restampCrc(Batches.bytes(stamped));
        assertThat(stamped.crc()).isEqualTo(ByteBuffer.wrap(recomputed).getInt(4));
        assertThat(Batches.decode(Batches.bytes(stamped)).baseOffset()).isEqualTo(baseOffset);
    }

    @Property(tries = 300)
    void aPatchedCrcThatWasWrongStaysWrong(@ForAll("batches") RecordBatch batch, @ForAll("offsets") long baseOffset,
            @ForAll @IntRange(min = 0, max = 7) int bit) {
        byte[] bytes = Batches.bytes(batch);
        bytes[bytes.length - 1] ^= (byte) (1 << bit); // damaged after its CRC was computed
        ByteBuffer header = ByteBuffer.wrap(bytes);
        int patched = Crc32cPatch.patch(header.getInt(4), header.getLong(10), baseOffset, bytes.length - 18);
        header.putLong(10, baseOffset).putInt(4, patched);
        assertThatThrownBy(() -> Batches.decode(bytes)).isInstanceOf(CorruptBatchException.class)
                .satisfies(e -> assertThat(((CorruptBatchException) e).reason()).isEqualTo(CorruptBatchException.Reason.BAD_CRC));
    }

    @Provide
    Arbitrary<Long> offsets() {
        return Arbitraries.oneOf(Arbitraries.longs().between(0, 1L << 20),
                Arbitraries.longs().between(0, Long.MAX_VALUE / 2));
    }

    @Property(tries = 500)
    void validBatchesRoundTripExactly(@ForAll("batches") RecordBatch batch) throws CorruptBatchException {
        RecordBatch decoded = Batches.decode(Batches.bytes(batch));

        assertThat(decoded).isEqualTo(batch);
        assertThat(decoded.records()).isEqualTo(batch.records());
    }

    @Property(tries = 300)
    void everyStrictPrefixOfABatchIsTruncated(@ForAll("batches") RecordBatch batch, @ForAll int cut) {
        byte[] bytes = Batches.bytes(batch);
        byte[] prefix = Arrays.copyOf(bytes, Math.floorMod(cut, bytes.length));
        try {
            Batches.decode(prefix);
            throw new AssertionError("a prefix of " + prefix.length + " bytes decoded");
        } catch (CorruptBatchException e) {
            assertThat(e.reason()).isEqualTo(CorruptBatchException.Reason.TRUNCATED);
        }
    }

    private static void assertDecodesOrFailsCleanly(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        try {
            RecordBatch batch = RecordBatch.decode(buf, RecordBatch.BATCH_BYTES_LIMIT);
            // A batch that passed validation must be fully readable and re-encodable.
            List<LogRecord> records = batch.records();
            assertThat(records).hasSize(batch.recordCount());
            assertThat(buf.position()).isEqualTo(batch.sizeInBytes());
            assertThat(RecordBatch.of(batch.producerId(), batch.producerEpoch(), batch.baseSequence(),
                    batch.firstTimestampMs(), records).recordCount()).isEqualTo(batch.recordCount());
        } catch (CorruptBatchException e) {
            assertThat(buf.position()).isZero();
            assertThat(e.reason()).isNotNull();
        }
    }

    @Provide
    Arbitrary<RecordBatch> batches() {
        Arbitrary<byte[]> nullableBytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(20).injectNull(0.2);
        Arbitrary<Header> headers = Combinators.combine(Arbitraries.strings().ofMaxLength(8),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(8)).as(Header::new);
        Arbitrary<LogRecord> records = Combinators.combine(nullableBytes, nullableBytes,
                headers.list().ofMaxSize(3)).as(LogRecord::new);
        return Combinators.combine(Arbitraries.longs().between(-1, 1000), Arbitraries.shorts(),
                Arbitraries.longs().between(-1, 1_000_000), Arbitraries.longs(),
                records.list().ofMinSize(1).ofMaxSize(5))
                .as((producerId, epoch, sequence, timestamp, list) ->
                        RecordBatch.of(producerId, epoch, sequence, timestamp, new ArrayList<>(list)));
    }

    /** Each mutation: (position, value, kind) with kind 0 = set one byte, 1 = overwrite an int. */
    @Provide
    Arbitrary<List<int[]>> mutations() {
        Arbitrary<Integer> values = Arbitraries.oneOf(Arbitraries.integers(),
                Arbitraries.of(-2, -1, 0, 1, 2, 255, Integer.MAX_VALUE, Integer.MIN_VALUE));
        return Combinators.combine(Arbitraries.integers().greaterOrEqual(0), values,
                Arbitraries.integers().between(0, 1))
                .as((at, value, kind) -> new int[] {at, value, kind})
                .list().ofMinSize(1).ofMaxSize(4);
    }
}
