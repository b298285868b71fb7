package io.semel.processor;

/** The processor contract on PostgreSQL, deduplicating by message id (an inbox row per message). */
class PostgresMessageIdProcessorTest extends PostgresProcessorTest {
    @Override
    protected Dedup dedup() {
        return Dedup.MESSAGE_ID;
    }
}
