package io.semel.protocol;

import io.semel.protocol.CorruptBatchException.Reason;
import io.semel.protocol.internal.Crc32cPatch;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * A record batch: the unit of write, checksum and deduplication, identical on the wire and on
 * disk. Immutable; thread-safe. All integers are big-endian.
 *
 * <pre>
 * offset size field            meaning
 * ------ ---- ---------------- -----------------------------------------------------------
 *      0    4 length           bytes after this field (so the batch is 4 + length bytes)
 *      4    4 crc              CRC32C over bytes [8, 4 + length): everything below
 *      8    1 version          format version, {@value #VERSION}
 *      9    1 attributes       reserved, 0
 *     10    8 baseOffset       offset of the first record; assigned by the log on append
 *     18    4 recordCount      number of records, at least 1
 *     22    8 producerId       idempotent producer id, or -1 for none
 *     30    2 producerEpoch    producer epoch, or -1
 *     32    8 baseSequence     sequence of the first record (one per record), or -1
 *     40    8 firstTimestamp   ms since the epoch, producer's clock
 *     48    8 maxTimestamp     ms since the epoch, greatest record time in the batch
 *     56    * records          recordCount times:
 *                                4  keyLength (-1 = null key)   keyLength bytes key
 *                                4  valueLength (-1 = null)     valueLength bytes value
 *                                4  headerCount
 *                                headerCount times: 4 keyLength, key (UTF-8, checked), 4 valueLength
 *                                (not -1: a header value is never null), value
 * </pre>
 *
 * <p>What this format does <em>not</em> protect against: a CRC32C detects every burst error up to
 * 32 bits and random corruption with probability 1 - 2^-32, but not deliberate tampering (no
 * MAC); it cannot tell a batch that was written intact but is <em>stale</em> (an old copy of a
 * file restored from backup); and the length field is outside the CRC, so a corrupted length is
 * caught only indirectly (by the CRC of the wrong span, or a size limit). Positions in a log are
 * not covered either: the log checks that base offsets are contiguous when it recovers.
 *
 * <p>The base offset is inside the CRC, so the log re-stamps the CRC when it assigns offsets
 * ({@link #withBaseOffset}); the producer's CRC is checked first, so corruption on the way in is
 * never blessed with a fresh checksum.
 */
public final class RecordBatch {
    /** The only format version this code reads and writes. */
    public static final byte VERSION = 1;
    /** Size of the length field that prefixes every batch. */
    public static final int LENGTH_FIELD_BYTES = 4;
    /** Size of the fixed header, length field included; records follow. */
    public static final int HEADER_BYTES = 56;
    /** Smallest encoded record: null key, null value, no headers. */
    public static final int RECORD_MIN_BYTES = 12;
    /** Hard upper bound for any batch, whatever the configuration: 64 MiB. */
    public static final int BATCH_BYTES_LIMIT = 64 * 1024 * 1024;

    public static final long NO_PRODUCER_ID = -1L;
    public static final short NO_PRODUCER_EPOCH = -1;
    public static final long NO_SEQUENCE = -1L;

    private static final int CRC_OFFSET = 4;
    private static final int CRC_START = 8;
    private static final int VERSION_OFFSET = 8;
    private static final int ATTRIBUTES_OFFSET = 9;
    private static final int BASE_OFFSET_OFFSET = 10;
    private static final int RECORD_COUNT_OFFSET = 18;
    private static final int PRODUCER_ID_OFFSET = 22;
    private static final int PRODUCER_EPOCH_OFFSET = 30;
    private static final int BASE_SEQUENCE_OFFSET = 32;
    private static final int FIRST_TIMESTAMP_OFFSET = 40;
    private static final int MAX_TIMESTAMP_OFFSET = 48;

    /** Exactly one encoded batch; never modified after construction. */
    private final byte[] bytes;

    private RecordBatch(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * Encodes a batch with base offset 0 (the log assigns the real one).
     *
     * @param producerId {@link #NO_PRODUCER_ID} for a non-idempotent batch
     * @param baseSequence {@link #NO_SEQUENCE} for a non-idempotent batch
     * @throws IllegalArgumentException if there are no records, the batch exceeds
     *     {@link #BATCH_BYTES_LIMIT}, or the sequence range is one {@link #decode} would reject
     */
    public static RecordBatch of(long producerId, short producerEpoch, long baseSequence,
            long timestampMs, List<LogRecord> records) {
        Objects.requireNonNull(records, "records");
        if (records.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one record");
        }
        // Never write what decode would reject: the log would accept it and recovery would cut it.
        if (!sequenceFits(baseSequence, records.size())) {
            throw new IllegalArgumentException("base sequence " + baseSequence + " with " + records.size()
                    + " records is out of range; use " + NO_SEQUENCE + " or 0.." + (Long.MAX_VALUE - records.size()));
        }
        long size = HEADER_BYTES;
        for (LogRecord r : records) {
            size += r.encodedSize();
        }
        if (size > BATCH_BYTES_LIMIT) {
            throw new IllegalArgumentException("batch of " + size + " bytes exceeds the format limit of "
                    + BATCH_BYTES_LIMIT + " bytes; send fewer or smaller records");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) size);
        buf.putInt((int) size - LENGTH_FIELD_BYTES).putInt(0).put(VERSION).put((byte) 0)
                .putLong(0L).putInt(records.size()).putLong(producerId).putShort(producerEpoch)
                .putLong(baseSequence).putLong(timestampMs).putLong(timestampMs);
        for (LogRecord r : records) {
            putRecord(buf, r);
        }
        assert !buf.hasRemaining();
        byte[] bytes = buf.array();
        stampCrc(bytes);
        return new RecordBatch(bytes);
    }

    /** Writes one record in the layout above ({@code r.encodedSize()} bytes). */
    static void putRecord(ByteBuffer buf, LogRecord r) {
        putBytes(buf, r.key());
        putBytes(buf, r.value());
        buf.putInt(r.headers().size());
        for (Header h : r.headers()) {
            putBytes(buf, h.key().getBytes(StandardCharsets.UTF_8));
            putBytes(buf, h.value());
        }
    }

    /** Convenience for a non-idempotent batch. */
    public static RecordBatch of(long timestampMs, List<LogRecord> records) {
        return of(NO_PRODUCER_ID, NO_PRODUCER_EPOCH, NO_SEQUENCE, timestampMs, records);
    }

    /**
     * Reads and fully validates one batch starting at {@code buf.position()}. On success the
     * position moves past the batch; on failure it is unchanged.
     *
     * @param maxBatchBytes the largest total size (length field included) to accept
     * @throws CorruptBatchException for any bad input; never another exception type
     */
    public static RecordBatch decode(ByteBuffer buf, int maxBatchBytes) throws CorruptBatchException {
        int start = buf.position();
        int total = checkedTotal(buf, maxBatchBytes);
        byte[] bytes = new byte[total];
        buf.get(start, bytes);
        validate(bytes);
        buf.position(start + bytes.length);
        return new RecordBatch(bytes);
    }

    /**
     * As {@link #decode}, for an array that holds exactly one batch and that the caller hands over:
     * the batch keeps it rather than a copy, so the caller must neither change nor keep it. Saves a
     * copy of every batch a broker reads from its log (40% of the group coordinator's samples when
     * a consumer fetched 4,000 messages a poll).
     *
     * @throws CorruptBatchException if {@code bytes} is not exactly one valid batch of at most
     *     {@code maxBatchBytes}
     */
    public static RecordBatch decodeOwned(byte[] bytes, int maxBatchBytes) throws CorruptBatchException {
        int total = checkedTotal(ByteBuffer.wrap(bytes), maxBatchBytes);
        if (total != bytes.length) {
            throw new CorruptBatchException(Reason.BAD_LENGTH, "a batch of " + total + " bytes in an array of "
                    + bytes.length);
        }
        validate(bytes);
        return new RecordBatch(bytes);
    }

    /**
     * The total size (length field included) of the batch at {@code buf.position()}, once its length
     * field is within bounds and that many bytes are there; the position does not move.
     */
    private static int checkedTotal(ByteBuffer buf, int maxBatchBytes) throws CorruptBatchException {
        int start = buf.position();
        int available = buf.remaining();
        if (available < LENGTH_FIELD_BYTES) {
            throw new CorruptBatchException(Reason.TRUNCATED,
                    "need " + LENGTH_FIELD_BYTES + " bytes for the length field, have " + available);
        }
        // Absolute read in big-endian whatever the caller's buffer order: the format is big-endian.
        int length = buf.duplicate().order(ByteOrder.BIG_ENDIAN).getInt(start);
        long total = (long) length + LENGTH_FIELD_BYTES;
        int limit = Math.min(maxBatchBytes, BATCH_BYTES_LIMIT);
        if (total < HEADER_BYTES + RECORD_MIN_BYTES || total > limit) {
            throw new CorruptBatchException(Reason.BAD_LENGTH, "length field " + length + " gives a batch of "
                    + total + " bytes; allowed " + (HEADER_BYTES + RECORD_MIN_BYTES) + ".." + limit);
        }
        if (available < total) {
            throw new CorruptBatchException(Reason.TRUNCATED,
                    "batch of " + total + " bytes but only " + available + " available");
        }
        return (int) total;
    }

    private static void validate(byte[] bytes) throws CorruptBatchException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int storedCrc = b.getInt(CRC_OFFSET);
        int actualCrc = crc(bytes);
        if (storedCrc != actualCrc) {
            throw new CorruptBatchException(Reason.BAD_CRC, String.format(
                    "stored CRC32C %08x, computed %08x over %d bytes", storedCrc, actualCrc, bytes.length - CRC_START));
        }
        if (b.get(VERSION_OFFSET) != VERSION) {
            throw new CorruptBatchException(Reason.UNKNOWN_VERSION,
                    "format version " + b.get(VERSION_OFFSET) + ", this code reads " + VERSION);
        }
        int count = b.getInt(RECORD_COUNT_OFFSET);
        if (count < 1 || count > (bytes.length - HEADER_BYTES) / RECORD_MIN_BYTES) {
            throw new CorruptBatchException(Reason.BAD_CONTENT,
                    "record count " + count + " impossible in " + bytes.length + " bytes");
        }
        long baseOffset = b.getLong(BASE_OFFSET_OFFSET);
        if (!offsetFits(baseOffset, count)) {
            throw new CorruptBatchException(Reason.BAD_CONTENT,
                    "base offset " + baseOffset + " with " + count + " records is out of range");
        }
        long baseSequence = b.getLong(BASE_SEQUENCE_OFFSET);
        if (!sequenceFits(baseSequence, count)) {
            throw new CorruptBatchException(Reason.BAD_CONTENT, "base sequence " + baseSequence + " out of range");
        }
        b.position(HEADER_BYTES);
        try {
            for (int i = 0; i < count; i++) {
                skipRecord(b);
            }
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptBatchException(Reason.BAD_CONTENT, "records overrun the batch: " + e);
        }
        if (b.hasRemaining()) {
            throw new CorruptBatchException(Reason.BAD_CONTENT,
                    b.remaining() + " bytes left after " + count + " records");
        }
    }

    /** Whether every offset of the batch, and the next offset after it, is a non-negative long. */
    private static boolean offsetFits(long baseOffset, int count) {
        return baseOffset >= 0 && baseOffset <= Long.MAX_VALUE - count;
    }

    /** Whether the batch has no sequence, or every sequence of it is a non-negative long. */
    private static boolean sequenceFits(long baseSequence, int count) {
        return baseSequence == NO_SEQUENCE || (baseSequence >= 0 && baseSequence <= Long.MAX_VALUE - count);
    }

    /** Moves past one record, checking its lengths and header keys (underflow past the limit). */
    static void skipRecord(ByteBuffer b) throws CorruptBatchException {
        skipBytes(b);
        skipBytes(b);
        int headers = b.getInt();
        if (headers < 0 || headers > b.remaining() / 8) {
            throw new CorruptBatchException(Reason.BAD_CONTENT, "header count " + headers + " impossible");
        }
        for (int h = 0; h < headers; h++) {
            int keyLength = b.getInt();
            if (keyLength < 0 || keyLength > b.remaining()) {
                throw new CorruptBatchException(Reason.BAD_CONTENT, "header key length " + keyLength + ", "
                        + b.remaining() + " bytes left");
            }
            requireUtf8(b.slice().limit(keyLength), keyLength);
            b.position(b.position() + keyLength);
            if (b.getInt() < 0) {
                throw new CorruptBatchException(Reason.BAD_CONTENT, "negative header value length");
            }
            b.position(b.position() - 4);
            skipBytes(b);
        }
    }

    /**
     * A header key is a String to every reader ({@link #records()}); bytes that are not UTF-8 would
     * come out as U+FFFD, a key other than the one written, of another size.
     */
    private static void requireUtf8(ByteBuffer key, int keyLength) throws CorruptBatchException {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(key);
        } catch (CharacterCodingException e) {
            throw new CorruptBatchException(Reason.BAD_CONTENT, "header key of " + keyLength + " bytes is not valid UTF-8");
        }
    }

    private static void skipBytes(ByteBuffer b) throws CorruptBatchException {
        int n = b.getInt();
        if (n < -1) {
            throw new CorruptBatchException(Reason.BAD_CONTENT, "field length " + n);
        }
        if (n > 0) {
            b.position(b.position() + n); // IllegalArgumentException past the limit
        }
    }

    /**
     * A copy of this batch with its base offset set: the header is patched, the records are neither
     * re-encoded nor re-read. The CRC is updated from the stored one for the 8 changed bytes
     * ({@link Crc32cPatch}), so a batch whose stored CRC was wrong stays wrong: corruption that
     * slipped past a check is never blessed with a fresh checksum.
     */
    public RecordBatch withBaseOffset(long baseOffset) {
        // nextOffset() must stay representable, or the log's offset arithmetic wraps negative.
        if (!offsetFits(baseOffset, recordCount())) {
            throw new IllegalArgumentException("base offset " + baseOffset + " with " + recordCount()
                    + " records is out of range 0.." + (Long.MAX_VALUE - recordCount()));
        }
        byte[] copy = bytes.clone();
        ByteBuffer header = ByteBuffer.wrap(copy);
        long oldBaseOffset = header.getLong(BASE_OFFSET_OFFSET);
        header.putLong(BASE_OFFSET_OFFSET, baseOffset);
        long bytesAfter = copy.length - (BASE_OFFSET_OFFSET + Long.BYTES);
        header.putInt(CRC_OFFSET, Crc32cPatch.patch(header.getInt(CRC_OFFSET), oldBaseOffset, baseOffset, bytesAfter));
        return new RecordBatch(copy);
    }

    public long baseOffset() {
        return getLong(BASE_OFFSET_OFFSET);
    }

    public long lastOffset() {
        return baseOffset() + recordCount() - 1;
    }

    /** The offset after this batch. */
    public long nextOffset() {
        return baseOffset() + recordCount();
    }

    public int recordCount() {
        return ByteBuffer.wrap(bytes).getInt(RECORD_COUNT_OFFSET);
    }

    public long producerId() {
        return getLong(PRODUCER_ID_OFFSET);
    }

    public short producerEpoch() {
        return ByteBuffer.wrap(bytes).getShort(PRODUCER_EPOCH_OFFSET);
    }

    public long baseSequence() {
        return getLong(BASE_SEQUENCE_OFFSET);
    }

    /** Sequence of the last record, or {@link #NO_SEQUENCE} when the batch has none. */
    public long lastSequence() {
        long base = baseSequence();
        return base == NO_SEQUENCE ? NO_SEQUENCE : base + recordCount() - 1;
    }

    public boolean hasProducer() {
        return producerId() != NO_PRODUCER_ID;
    }

    public long firstTimestampMs() {
        return getLong(FIRST_TIMESTAMP_OFFSET);
    }

    public long maxTimestampMs() {
        return getLong(MAX_TIMESTAMP_OFFSET);
    }

    /** Total encoded size, length field included. */
    public int sizeInBytes() {
        return bytes.length;
    }

    /** The stored CRC32C. */
    public int crc() {
        return ByteBuffer.wrap(bytes).getInt(CRC_OFFSET);
    }

    /** A read-only view of the encoded bytes, positioned at 0. */
    public ByteBuffer buffer() {
        return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    /**
     * The encoded size of each record ({@link LogRecord#encodedSize()}), found by walking the
     * lengths without decoding: for limit checks on the append path.
     */
    public int[] recordSizes() {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        b.position(HEADER_BYTES);
        int[] sizes = new int[recordCount()];
        for (int i = 0; i < sizes.length; i++) {
            int start = b.position();
            skipLengths(b); // validated on construction: the header keys' UTF-8 need no second check
            sizes[i] = b.position() - start;
        }
        return sizes;
    }

    /**
     * Records {@code from} (inclusive) to {@code to} (exclusive), in offset order, as one
     * {@link RecordSlice} over this batch's own bytes (no copy): for readers that pass records on
     * without decoding them. All of the batch needs no walk; a cut walks the record lengths up to it.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= from < to <= recordCount()}
     */
    public RecordSlice records(int from, int to) {
        int count = recordCount();
        if (from < 0 || from >= to || to > count) {
            throw new IndexOutOfBoundsException("records " + from + " to " + to + " of a batch of " + count);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        b.position(HEADER_BYTES);
        for (int i = 0; i < from; i++) {
            skipLengths(b); // validated on construction
        }
        int start = b.position();
        int end = bytes.length;
        if (to < count) {
            for (int i = from; i < to; i++) {
                skipLengths(b);
            }
            end = b.position();
        }
        return RecordSlice.trusted(bytes, start, end - start, to - from);
    }

    /** Moves past one record of a validated batch: lengths only, no checks. */
    static void skipLengths(ByteBuffer b) {
        skipLength(b);
        skipLength(b);
        int headers = b.getInt();
        for (int h = 0; h < headers; h++) {
            skipLength(b);
            skipLength(b);
        }
    }

    private static void skipLength(ByteBuffer b) {
        int n = b.getInt();
        if (n > 0) {
            b.position(b.position() + n);
        }
    }

    /** Decodes the records; the batch was validated on construction, so this cannot fail. */
    public List<LogRecord> records() {
        return RecordSlice.trusted(bytes, HEADER_BYTES, bytes.length - HEADER_BYTES, recordCount()).records();
    }

    private long getLong(int offset) {
        return ByteBuffer.wrap(bytes).getLong(offset);
    }

    private static void putBytes(ByteBuffer buf, byte[] b) {
        if (b == null) {
            buf.putInt(-1);
        } else {
            buf.putInt(b.length).put(b);
        }
    }

    /** An int32-length bytes field; null for length -1. */
    static byte[] getBytes(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0) {
            return null;
        }
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    private static void stampCrc(byte[] bytes) {
        ByteBuffer.wrap(bytes).putInt(CRC_OFFSET, crc(bytes));
    }

    private static int crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, CRC_START, bytes.length - CRC_START);
        return (int) crc.getValue();
    }

    static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecordBatch other && java.util.Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "RecordBatch{offsets " + baseOffset() + ".." + lastOffset() + ", producer " + producerId()
                + "/" + producerEpoch() + ", seq " + baseSequence() + ".." + lastSequence() + ", "
                + bytes.length + " bytes}";
    }
}
