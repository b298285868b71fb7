package io.semel.log;

import io.semel.protocol.RecordBatch;
import io.semel.protocol.config.ConfigDef;
import io.semel.protocol.config.ConfigValues;
import io.semel.protocol.config.Setting;

/**
 * Limits and policies of one {@link PartitionLog}. Immutable and validated on {@link Builder#build()};
 * thread-safe. Every size is in bytes and every duration in milliseconds, as the names say. Each
 * setting is declared once below ({@link #DEF}); the broker includes this definition in its own, so
 * the same keys are broker properties (docs/broker.md).
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

    // A segment smaller than one batch is allowed: each batch then gets its own segment.
    public static final Setting<Integer> SEGMENT_BYTES = Setting.bytesInt("segmentBytes", DEFAULT_SEGMENT_BYTES,
            "a log segment is rolled before it would exceed this; a larger single batch gets a segment of its own")
            .range(1, Integer.MAX_VALUE);
    public static final Setting<Integer> INDEX_INTERVAL_BYTES = Setting.bytesInt("indexIntervalBytes",
            DEFAULT_INDEX_INTERVAL_BYTES, "log bytes between two entries of the sparse offset index")
            .range(1, Integer.MAX_VALUE);
    public static final Setting<Integer> MAX_BATCH_BYTES = Setting.bytesInt("maxBatchBytes", DEFAULT_MAX_BATCH_BYTES,
            "largest record batch, length field included (PRODUCE answers MESSAGE_TOO_LARGE above)")
            .range(MIN_BATCH_BYTES, RecordBatch.BATCH_BYTES_LIMIT);
    public static final Setting<Integer> MAX_RECORD_BYTES = Setting.bytesInt("maxRecordBytes",
            DEFAULT_MAX_RECORD_BYTES, "largest encoded record (key, value, headers)")
            .range(RecordBatch.RECORD_MIN_BYTES, RecordBatch.BATCH_BYTES_LIMIT);
    public static final Setting<Long> RETENTION_BYTES = Setting.bytes("retentionBytes", DEFAULT_RETENTION_BYTES,
            "per-partition size retention: whole old segments are deleted above it").unlimited();
    public static final Setting<Long> RETENTION_MS = Setting.millis("retentionMs", DEFAULT_RETENTION_MS,
            "age retention by a batch's largest timestamp: whole old segments are deleted after it").unlimited();

    /** The log's settings; a record limit above the batch limit could never be reached. */
    public static final ConfigDef DEF = ConfigDef.of("log", SEGMENT_BYTES, INDEX_INTERVAL_BYTES, MAX_BATCH_BYTES,
                    MAX_RECORD_BYTES, RETENTION_BYTES, RETENTION_MS)
            .rule(ConfigDef.Rule.atMost(MAX_RECORD_BYTES, MAX_BATCH_BYTES, 0, "a record must fit a batch"));

    private final ConfigValues values;

    private LogConfig(ConfigValues values) {
        this.values = values;
    }

    public static LogConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder(ConfigValues.empty());
    }

    /**
     * The log settings among {@code values} (others are ignored), validated.
     *
     * @throws IllegalArgumentException naming the setting, its value and what is allowed
     */
    public static LogConfig from(ConfigValues values) {
        return new LogConfig(DEF.validate(values));
    }

    public Builder toBuilder() {
        return new Builder(values);
    }

    public int segmentBytes() {
        return values.get(SEGMENT_BYTES);
    }

    public int indexIntervalBytes() {
        return values.get(INDEX_INTERVAL_BYTES);
    }

    public int maxRecordBytes() {
        return values.get(MAX_RECORD_BYTES);
    }

    public int maxBatchBytes() {
        return values.get(MAX_BATCH_BYTES);
    }

    /** {@link #UNLIMITED} or the size above which whole old segments are deleted. */
    public long retentionBytes() {
        return values.get(RETENTION_BYTES);
    }

    /** {@link #UNLIMITED} or the age after which whole old segments are deleted. */
    public long retentionMs() {
        return values.get(RETENTION_MS);
    }

    @Override
    public String toString() {
        return "LogConfig{" + DEF.describe(values) + "}";
    }

    /** Mutable, not thread-safe; starts from the defaults. */
    public static final class Builder {
        private ConfigValues values;

        private Builder(ConfigValues values) {
            this.values = values;
        }

        public Builder segmentBytes(int v) {
            values = values.with(SEGMENT_BYTES, v);
            return this;
        }

        public Builder indexIntervalBytes(int v) {
            values = values.with(INDEX_INTERVAL_BYTES, v);
            return this;
        }

        public Builder maxRecordBytes(int v) {
            values = values.with(MAX_RECORD_BYTES, v);
            return this;
        }

        public Builder maxBatchBytes(int v) {
            values = values.with(MAX_BATCH_BYTES, v);
            return this;
        }

        public Builder retentionBytes(long v) {
            values = values.with(RETENTION_BYTES, v);
            return this;
        }

        public Builder retentionMs(long v) {
            values = values.with(RETENTION_MS, v);
            return this;
        }

        /** @throws IllegalArgumentException naming the setting, its value and the allowed range */
        public LogConfig build() {
            return from(values);
        }
    }
}
