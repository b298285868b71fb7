package io.semel.processor.store.internal;

import io.semel.processor.store.InboxEntry;
import io.semel.processor.store.InboxRow;
import io.semel.processor.store.InboxStatus;
import io.semel.processor.store.OutboxAssignment;
import io.semel.processor.store.OutboxMessage;
import io.semel.processor.store.OutboxRow;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.OptionalLong;

/** Column lists and row mappers shared by the transaction and the maintenance queries. */
final class Rows {
    static final String INBOX_COLUMNS = "message_id, topic, partition, msg_offset, received_at_ms, msg_key, "
            + "msg_value, headers, status, attempts, processed_at_ms, last_error";
    static final String OUTBOX_COLUMNS = "id, topic, msg_key, msg_value, headers, message_id, created_at_ms, sent_at_ms, "
            + "partition, sequence";

    private Rows() {
    }

    static InboxRow inbox(ResultSet rs) throws SQLException {
        InboxEntry entry = new InboxEntry(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getLong(4), rs.getLong(5),
                rs.getBytes(6), rs.getBytes(7), HeaderCodec.decode(rs.getBytes(8)));
        InboxStatus status = InboxStatus.valueOf(rs.getString(9));
        // Checked right after reading: the CHECK constraint should make this impossible.
        assert status.stored() : status;
        return new InboxRow(entry, status, rs.getInt(10), optionalLong(rs, 11), rs.getString(12));
    }

    static OutboxRow outbox(ResultSet rs) throws SQLException {
        OutboxMessage m = new OutboxMessage(rs.getString(2), rs.getBytes(3), rs.getBytes(4),
                HeaderCodec.decode(rs.getBytes(5)), rs.getString(6), rs.getLong(7));
        OptionalLong partition = optionalLong(rs, 9);
        OptionalLong sequence = optionalLong(rs, 10);
        // Checked right after reading: the relay writes both columns together or neither.
        if (partition.isPresent() != sequence.isPresent()) {
            throw new IllegalStateException("outbox row " + rs.getLong(1) + " has partition " + partition
                    + " but sequence " + sequence + "; both or neither must be set");
        }
        Optional<OutboxAssignment> assignment = sequence.isPresent()
                ? Optional.of(new OutboxAssignment(rs.getLong(1), m.topic(), (int) partition.getAsLong(),
                        sequence.getAsLong()))
                : Optional.empty();
        return new OutboxRow(rs.getLong(1), m, optionalLong(rs, 8), assignment);
    }

    static OptionalLong optionalLong(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(v);
    }
}
