package io.semel.processor;

/** The source contract over the Semel broker, deduplicating by message id (an inbox row per message). */
class SemelMessageIdSourceContractTest extends SemelSourceContractTest {
    @Override
    protected Dedup dedup() {
        return Dedup.MESSAGE_ID;
    }
}
