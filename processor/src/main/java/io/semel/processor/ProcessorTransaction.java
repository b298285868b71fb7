package io.semel.processor;

import io.semel.protocol.Header;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * What a {@link Handler} gets besides the message: the store transaction it runs in. Valid only
 * during the handler call; not thread-safe.
 */
public interface ProcessorTransaction {

    /**
     * The transaction's JDBC connection, for the handler's own SQL. Do not commit, roll back or close
     * it (those throw {@link IllegalStateException}); savepoints work.
     */
    Connection connection();

    /**
     * A statement for {@code sql}, prepared once per transaction (the same SQL returns the same
     * statement): set parameters and {@code addBatch()}; the processor executes every batch statement's
     * rows, in first-use order, after the last handler of the batch and before the dedup record and the
     * commit, in one round trip each. Do not close it (the batch would fail). Use it for writes whose result the
     * handler does not need: a failure surfaces for the whole batch, which is then re-run one message per
     * transaction, so the failing message is still found and nacked alone.
     */
    PreparedStatement batch(String sql) throws SQLException;

    /** {@link #send(String, byte[], byte[], List)} without headers. */
    String send(String topic, byte[] key, byte[] value) throws SQLException;

    /**
     * Enqueues an outgoing message in the outbox, in this transaction: it exists if and only if the
     * transaction commits, and the outbox relay publishes it afterwards. Its id is
     * {@code <incoming message id>#<n>} (n = 0, 1, … per handler call), deterministic across
     * redeliveries, and is carried as header {@link SourceMessage#ID_HEADER} (replacing one given in
     * {@code headers}). Returns that id.
     */
    String send(String topic, byte[] key, byte[] value, List<Header> headers) throws SQLException;
}
