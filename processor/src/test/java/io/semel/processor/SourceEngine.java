package io.semel.processor;

import io.semel.processor.store.JdbcStore;
import io.semel.protocol.Header;
import java.util.List;

/**
 * What {@link SourceContractTest} needs from a messaging engine, so the same tests run over every
 * {@link Source}: the Semel broker ({@link SemelSourceContractTest}) and Kafka (the kafka module's
 * {@code KafkaSourceContractTest}). One engine serves a whole test class; tests use fresh topic and
 * group names. Thread-safe.
 */
public interface SourceEngine extends AutoCloseable {

    /** One record to send: key, value, headers (nullable key and value). */
    record Outgoing(byte[] key, byte[] value, List<Header> headers) {
    }

    /** A dead-lettered copy as the engine stores it: the original value and the handler's error text. */
    record DeadLetterCopy(byte[] value, String error) {
    }

    void createTopic(String topic, int partitions);

    /** A new member of {@code group} reading {@code topic}; the processor that gets it closes it. */
    Source member(String topic, String group);

    /** Sends the records in order to {@code topic} (partitioned by key) and waits until each is confirmed. */
    void send(String topic, List<Outgoing> records);

    /** The dead letters of {@code topic}, in order, from wherever this engine puts them. */
    List<DeadLetterCopy> deadLetters(JdbcStore store, String topic) throws Exception;

    /** Deliveries before a failing message is dead-lettered. */
    int maxDeliveries();

    /**
     * Makes {@code member}, whose poll thread is stalled holding a batch, lose its partitions the way
     * this engine takes them from a stalled member (Semel: the member leaves; Kafka: nothing to do,
     * its {@code max.poll.interval.ms} runs out while it stalls).
     */
    void expel(Source member);

    @Override
    void close();
}
