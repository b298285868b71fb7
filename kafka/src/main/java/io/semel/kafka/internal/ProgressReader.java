package io.semel.kafka.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a relay's last committed progress record: the whole (compacted, single-partition) progress
 * topic with {@code read_committed}, up to its last stable offset. Call it after
 * {@code initTransactions}, which resolved the relay's own earlier transaction. Stateless.
 */
public final class ProgressReader {
    private ProgressReader() {
    }

    /**
     * @return the last record for {@code relayName}, empty when there is none
     * @throws IllegalStateException the end was not reached within {@code readTimeoutMs}
     */
    public static Optional<RelayProgress> read(String bootstrap, Map<String, Object> clientExtra, String topic,
            String relayName, long readTimeoutMs) {
        Map<String, Object> c = new HashMap<>(clientExtra);
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp), Duration.ofMillis(readTimeoutMs)).get(tp);
            long deadline = System.nanoTime() + readTimeoutMs * 1_000_000L;
            RelayProgress last = null;
            while (consumer.position(tp, Duration.ofMillis(readTimeoutMs)) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading relay progress from " + tp + " did not reach its end "
                            + end + " within readTimeoutMs " + readTimeoutMs + "; is a transaction on it still open?");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100)).records(tp)) {
                    if (relayName.equals(r.key()) && r.value() != null) {
                        last = RelayProgress.decode(r.value());
                    }
                }
            }
            return Optional.ofNullable(last);
        }
    }
}
