package io.semel.processor;

import io.semel.processor.store.JdbcStore;

/** The processor contract on a SQLite file store. */
class SqliteProcessorTest extends ProcessorContractTest {
    @Override
    protected JdbcStore openStore() {
        return JdbcStore.sqlite(dir.resolve("processor.db"));
    }
}
