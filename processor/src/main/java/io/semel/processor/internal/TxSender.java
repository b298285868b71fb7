package io.semel.processor.internal;

import io.semel.processor.ProcessorTransaction;
import io.semel.processor.SourceMessage;
import io.semel.processor.store.OutboxMessage;
import io.semel.processor.store.StoreTransaction;
import io.semel.protocol.Header;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The {@link ProcessorTransaction} of one handler call: numbers outgoing messages {@code <id>#0, #1, …}
 * and enqueues them in the outbox of the same store transaction. Not thread-safe; one per call.
 */
final class TxSender implements ProcessorTransaction {
    private final StoreTransaction tx;
    private final String incomingId;
    private final long nowMs;
    private int next;

    TxSender(StoreTransaction tx, String incomingId, long nowMs) {
        this.tx = tx;
        this.incomingId = incomingId;
        this.nowMs = nowMs;
    }

    @Override
    public Connection connection() {
        return tx.connection();
    }

    @Override
    public PreparedStatement batch(String sql) throws SQLException {
        return tx.batch(sql);
    }

    @Override
    public String send(String topic, byte[] key, byte[] value) throws SQLException {
        return send(topic, key, value, List.of());
    }

    @Override
    public String send(String topic, byte[] key, byte[] value, List<Header> headers) throws SQLException {
        Objects.requireNonNull(topic, "topic");
        // Deterministic: a re-run of the same message after a rollback produces the same ids, so
        // the outbox and the downstream consumer's inbox see one message, not a new one per attempt.
        String id = incomingId + "#" + next++;
        List<Header> withId = new ArrayList<>(headers == null ? 0 : headers.size() + 1);
        if (headers != null) {
            for (Header h : headers) {
                if (!SourceMessage.ID_HEADER.equals(h.key())) {
                    withId.add(h);
                }
            }
        }
        withId.add(Header.of(SourceMessage.ID_HEADER, id));
        // Written with the batch's other outbox rows in a few multi-row inserts (its id is not needed here).
        tx.addOutbox(new OutboxMessage(topic, key, value, withId, id, nowMs));
        return id;
    }
}
