package io.semel.log;

import io.semel.protocol.LogRecord;
import io.semel.protocol.RecordBatch;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Batch and clock helpers for log tests. */
final class TestBatches {
    private TestBatches() {
    }

    /** A batch of {@code records} records whose values are {@code valueBytes} bytes of {@code fill}. */
    static RecordBatch batch(int records, int valueBytes, long timestampMs, char fill) {
        List<LogRecord> list = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            byte[] value = new byte[valueBytes];
            Arrays.fill(value, (byte) fill);
            list.add(LogRecord.of(("k" + i).getBytes(StandardCharsets.UTF_8), value));
        }
        return RecordBatch.of(timestampMs, list);
    }

    static RecordBatch batch(int records, int valueBytes) {
        return batch(records, valueBytes, 1_000L, 'v');
    }

    /** A clock tests move by hand. Not thread-safe. */
    static final class ManualClock extends Clock {
        private long millis;

        ManualClock(long millis) {
            this.millis = millis;
        }

        void advanceMs(long ms) {
            millis += ms;
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("tests use UTC");
        }
    }
}
