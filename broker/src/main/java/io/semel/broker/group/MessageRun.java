package io.semel.broker.group;

import io.semel.protocol.RecordSlice;
import java.util.List;
import java.util.Objects;

/**
 * Consecutive messages of one partition as the log stores them: records of one stored batch from
 * {@code firstOffset} on, kept in the stored layout (a view, no copy), with the batch's timestamp.
 * What the core reads to hand out many messages without an object per message; {@link #message}
 * makes one where one is needed.
 *
 * @param records at least one record; the run covers {@code firstOffset .. firstOffset + records.count() - 1}
 */
public record MessageRun(long firstOffset, long timestampMs, RecordSlice records) {
    public MessageRun {
        if (firstOffset < 0) {
            throw new IllegalArgumentException("firstOffset must be >= 0, was " + firstOffset);
        }
        Objects.requireNonNull(records, "records");
    }

    /** A run of one message. */
    public static MessageRun of(Message m) {
        return new MessageRun(m.offset(), m.timestampMs(), m.record());
    }

    public int count() {
        return records.count();
    }

    /** The offset after the run's last. */
    public long nextOffset() {
        return firstOffset + records.count();
    }

    /** The run's messages, in order (one walk over the records). */
    public List<Message> messages() {
        RecordSlice[] each = records.split();
        Message[] out = new Message[each.length];
        for (int i = 0; i < each.length; i++) {
            out[i] = new Message(firstOffset + i, timestampMs, each[i]);
        }
        return List.of(out);
    }

    /** The {@code index}-th message of the run (walks the records before it: for one, not for all). */
    public Message message(int index) {
        return new Message(firstOffset + index, timestampMs, records.record(index));
    }
}
