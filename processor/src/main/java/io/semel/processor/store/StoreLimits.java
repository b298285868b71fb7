package io.semel.processor.store;

/**
 * Every limit the store enforces, with its unit in its name. Exceeding one is an
 * {@link IllegalArgumentException} naming the limit and the value.
 */
public final class StoreLimits {
    /** Inbox and outbox message ids, consumer, topic and relay names: UTF-8 bytes. */
    public static final int MESSAGE_ID_BYTES_MAX = 255;
    /** Consumer, topic and relay names: UTF-8 bytes. */
    public static final int NAME_BYTES_MAX = 255;
    /** key + value + encoded headers of one inbox or outbox message, bytes (1 MiB). */
    public static final int PAYLOAD_BYTES_MAX = 1024 * 1024;
    /** Headers of one message. */
    public static final int HEADERS_COUNT_MAX = 1024;
    /** Rows per {@code pendingOutbox} read and ids per {@code markSent}. */
    public static final int OUTBOX_BATCH_MAX = 10_000;
    /** Rows per {@code receivedBatch} and {@code inboxPage}. */
    public static final int INBOX_BATCH_MAX = 10_000;
    /** Rows per retention delete call (keeps each delete transaction short). */
    public static final int RETENTION_BATCH_MAX = 10_000;
    /** Upper bound for {@link StoreOptions#txRetriesMax()}. */
    public static final int TX_RETRIES_MAX = 100;
    /** Default for {@link StoreOptions#txRetriesMax()}: retries after the first attempt. */
    public static final int TX_RETRIES_DEFAULT = 5;
    /** Upper bound for the PostgreSQL connection pool size, connections. */
    public static final int POOL_SIZE_MAX = 256;
    /** Characters of a failure reason kept with a FAILED inbox or outbox row; longer ones are cut. */
    public static final int ERROR_CHARS_MAX = 2_000;
    /** Upper bound for {@link StoreOptions#busyTimeoutMs()}, milliseconds. */
    public static final int BUSY_TIMEOUT_MS_MAX = 600_000;

    /**
     * Ranges of processed offsets above a partition's sequence-dedup watermark ({@link ProcessedOffsets}):
     * each is a gap below processed offsets, i.e. a message never processed here (dead-lettered at the
     * broker, or still being retried). 16 bytes each in the position row.
     */
    public static final int SEQUENCE_RANGES_MAX = 10_000;

    private StoreLimits() {
    }

    /** Throws IllegalArgumentException naming {@code limitName} when {@code value > max}. */
    public static void check(String what, long value, String limitName, long max) {
        if (value > max) {
            throw new IllegalArgumentException(what + " is " + value + "; the limit " + limitName + " is " + max);
        }
    }
}
