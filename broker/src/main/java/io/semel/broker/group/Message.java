package io.semel.broker.group;

import io.semel.protocol.Header;
import io.semel.protocol.LogRecord;
import io.semel.protocol.RecordSlice;
import java.util.List;
import java.util.Objects;

/**
 * One message as the log holds it: its record stays in the stored layout, usually a view of the
 * stored batch (no copy), so a poll can pass it to the member without decoding it. The core never
 * looks inside; {@link #decoded} decodes it for those that do (the dead-letter copier).
 *
 * @param record exactly one record
 */
public record Message(long offset, long timestampMs, RecordSlice record) {
    public Message {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, was " + offset);
        }
        Objects.requireNonNull(record, "record");
        if (record.count() != 1) {
            throw new IllegalArgumentException("a message holds one record, not " + record.count());
        }
    }

    /** A message of a record encoded here, not read from a batch (tests). */
    public Message(long offset, long timestampMs, byte[] key, byte[] value, List<Header> headers) {
        this(offset, timestampMs, RecordSlice.of(List.of(new LogRecord(key, value, headers))));
    }

    /** The record, decoded anew on each call: decode once and keep it. */
    public LogRecord decoded() {
        return record.records().get(0);
    }
}
