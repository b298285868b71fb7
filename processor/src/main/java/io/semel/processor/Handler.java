package io.semel.processor;

import io.semel.processor.store.HandlerException;
import java.sql.SQLException;

/**
 * The application's work for one message, run inside the processor's store transaction: its SQL on
 * {@link ProcessorTransaction#connection()} and its {@link ProcessorTransaction#send} commit together
 * with the inbox record and the position, or not at all.
 *
 * <p>It may run more than once for one message (a rolled-back attempt is re-run), so it must have no
 * effects outside the transaction. Any exception rolls back: wrap your own checked exceptions in
 * {@link HandlerException}. Called from one processor thread at a time per transaction; with
 * {@code concurrency > 1} in STORE_THEN_PROCESS mode, from several threads at once.
 */
@FunctionalInterface
public interface Handler {
    void handle(ProcessorMessage message, ProcessorTransaction tx) throws SQLException, HandlerException;
}
