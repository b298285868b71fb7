package io.semel.processor.store;

import java.sql.SQLException;

/**
 * A unit of work run inside one store transaction by {@link JdbcStore#inTransaction}.
 *
 * <p>It may be run <b>more than once</b> (the store retries on SQLite busy / PostgreSQL serialization
 * failures), so it must have no effects outside the transaction. Throw {@link HandlerException} to
 * wrap the handler's own checked exception; any exception rolls the transaction back.
 */
@FunctionalInterface
public interface TransactionWork<T> {
    T run(StoreTransaction tx) throws SQLException, HandlerException;
}
