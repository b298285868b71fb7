package io.semel.log;

import io.semel.protocol.RecordBatch;

/**
 * Limits and policies of one {@link PartitionLog}. Immutable and validated on {@link Builder#build()};
 * thread-safe. Every size is in bytes and every duration in milliseconds, as the names say.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>segmentBytes</td><td>64 MiB</td><td>a segment is rolled before it would exceed this; a
 *       larger single batch gets a segment of its own</td></tr>
 *   <tr><td>indexIntervalBytes</td><td>4096</td><td>log bytes between two sparse index entries</td></tr>
 *   <tr><td>maxRecordBytes</td><td>1 MiB</td><td>largest encoded record (key, value, headers)</td></tr>
 *   <tr><td>maxBatchBytes</td><td>4 MiB</td><td>largest batch, length field included</td></tr>
 *   <tr><td>retentionBytes</td><td>-1 (unlimited)</td><td>size-based retention, whole segments</td></tr>
 *   <tr><td>retentionMs</td><td>7 days</td><td>age-based retention by batch max timestamp; -1
 *       unlimited</td></tr>
 * </table>
 */
public final class LogConfig {
    public static final int DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
    public static final int DEFAULT_INDEX_INTERVAL_BYTES = 4096;
    public static final int DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;
    public static final int DEFAULT_MAX_BATCH_BYTES = 4 * 1024 * 1024;
    public static final long DEFAULT_RETENTION_BYTES = -1;
    public static final long DEFAULT_RETENTION_MS = 7L * 24 * 60 * 60 * 1000;
    /** Value of {@code retentionBytes} and {@code retentionMs} that turns that retention off. */
    public static final long UNLIMITED = -1;

    private static final int MIN_BATCH_BYTES = RecordBatch.HEADER_BYTES + RecordBatch.RECORD_MIN_BYTES;

    private final int segmentBytes;
    private final int indexIntervalBytes;
    private final int maxRecordBytes;
    private final int maxBatchBytes;
    private final long retentionBytes;
    private final long retentionMs;

    private LogConfig(Builder b) {
        this.segmentBytes = b.segmentBytes;
        this.indexIntervalBytes = b.indexIntervalBytes;
        this.maxRecordBytes = b.maxRecordBytes;
        this.maxBatchBytes = b.maxBatchBytes;
        this.retentionBytes = b.retentionBytes;
        this.retentionMs = b.retentionMs;
    }

    public static LogConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().segmentBytes(segmentBytes).indexIntervalBytes(indexIntervalBytes)
                .maxRecordBytes(maxRecordBytes).maxBatchBytes(maxBatchBytes)
                .retentionBytes(retentionBytes).retentionMs(retentionMs);
    }

    public int segmentBytes() {
        return segmentBytes;
    }

    public int indexIntervalBytes() {
        return indexIntervalBytes;
    }

    public int maxRecordBytes() {
        return maxRecordBytes;
    }

    public int maxBatchBytes() {
        return maxBatchBytes;
    }

    /** {@link #UNLIMITED} or the size above which whole old segments are deleted. */
    public long retentionBytes() {
        return retentionBytes;
    }

    /** {@link #UNLIMITED} or the age after which whole old segments are deleted. */
    public long retentionMs() {
        return retentionMs;
    }

    @Override
    public String toString() {
        return "LogConfig{segmentBytes=" + segmentBytes + ", indexIntervalBytes=" + indexIntervalBytes
                + ", maxRecordBytes=" + maxRecordBytes + ", maxBatchBytes=" + maxBatchBytes
                + ", retentionBytes=" + retentionBytes + ", retentionMs=" + retentionMs + "}";
    }

    /** Mutable, not thread-safe; starts from the defaults. */
    public static final class Builder {
        private int segmentBytes = DEFAULT_SEGMENT_BYTES;
        private int indexIntervalBytes = DEFAULT_INDEX_INTERVAL_BYTES;
        private int maxRecordBytes = DEFAULT_MAX_RECORD_BYTES;
        private int maxBatchBytes = DEFAULT_MAX_BATCH_BYTES;
        private long retentionBytes = DEFAULT_RETENTION_BYTES;
        private long retentionMs = DEFAULT_RETENTION_MS;

        private Builder() {
        }

        public Builder segmentBytes(int segmentBytes) {
            this.segmentBytes = segmentBytes;
            return this;
        }

        public Builder indexIntervalBytes(int indexIntervalBytes) {
            this.indexIntervalBytes = indexIntervalBytes;
            return this;
        }

        public Builder maxRecordBytes(int maxRecordBytes) {
            this.maxRecordBytes = maxRecordBytes;
            return this;
        }

        public Builder maxBatchBytes(int maxBatchBytes) {
            this.maxBatchBytes = maxBatchBytes;
            return this;
        }

        public Builder retentionBytes(long retentionBytes) {
            this.retentionBytes = retentionBytes;
            return this;
        }

        public Builder retentionMs(long retentionMs) {
            this.retentionMs = retentionMs;
            return this;
        }

        /** @throws IllegalArgumentException naming the setting, its value and the allowed range */
        public LogConfig build() {
            // A segment smaller than one batch is allowed: each batch then gets its own segment.
            require("segmentBytes", segmentBytes, 1, Integer.MAX_VALUE);
            require("indexIntervalBytes", indexIntervalBytes, 1, Integer.MAX_VALUE);
            require("maxBatchBytes", maxBatchBytes, MIN_BATCH_BYTES, RecordBatch.BATCH_BYTES_LIMIT);
            // A record limit above the batch limit could never be reached: a misconfiguration.
            require("maxRecordBytes", maxRecordBytes, RecordBatch.RECORD_MIN_BYTES, maxBatchBytes);
            if (retentionBytes != UNLIMITED) {
                require("retentionBytes", retentionBytes, 0, Long.MAX_VALUE);
            }
            if (retentionMs != UNLIMITED) {
                require("retentionMs", retentionMs, 0, Long.MAX_VALUE);
            }
            return new LogConfig(this);
        }

        private static void require(String name, long value, long min, long max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + " is " + value + "; allowed " + min + ".." + max
                        + (name.startsWith("retention") ? " or -1 for unlimited" : ""));
            }
        }
    }
}
