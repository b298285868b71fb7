package io.semel.processor;

import io.semel.processor.store.JdbcStore;

/** The processor contract on a SQLite file store, deduplicating by sequence. */
class SqliteProcessorTest extends ProcessorContractTest {
    @Override
    protected JdbcStore openStore() {
        return JdbcStore.sqlite(dir.resolve("processor.db"));
    }

    @Override
    protected Dedup dedup() {
        return Dedup.SEQUENCE;
    }
}
