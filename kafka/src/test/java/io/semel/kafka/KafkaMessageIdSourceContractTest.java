package io.semel.kafka;

import io.semel.processor.Dedup;

/** The source contract over {@link KafkaSource}, deduplicating by message id (an inbox row per message). */
class KafkaMessageIdSourceContractTest extends KafkaSourceContractTest {
    @Override
    protected Dedup dedup() {
        return Dedup.MESSAGE_ID;
    }
}
