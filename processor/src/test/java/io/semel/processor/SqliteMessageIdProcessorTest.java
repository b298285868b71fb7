package io.semel.processor;

/** The processor contract on a SQLite file store, deduplicating by message id (an inbox row per message). */
class SqliteMessageIdProcessorTest extends SqliteProcessorTest {
    @Override
    protected Dedup dedup() {
        return Dedup.MESSAGE_ID;
    }
}
