package io.semel.verify.run;

import io.semel.verify.history.LogRecord;
import io.semel.verify.run.child.KafkaRecords;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The Kafka engine's log reader for the final drain and the quiet wait: a fresh consumer with no group
 * ({@code assign}), {@code read_committed}, straight to the brokers' internal listener (no proxy), reading each
 * partition from a given offset to its end. Stateless; each call opens and closes its own consumer.
 */
final class KafkaLogReader implements LogDrain {
    /** How long one drain may take before it fails (a node restarting, a leader election). */
    static final long DRAIN_TIMEOUT_MS = 120_000;

    private final String bootstrap;
    private final String topic;
    private final int partitions;

    KafkaLogReader(String bootstrap, String topic, int partitions) {
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.partitions = partitions;
    }

    @Override
    public List<LogRecord> drain(long[] nextOffset) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<LogRecord> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int i = 0; i < partitions; i++) {
                tps.add(new TopicPartition(topic, i));
            }
            c.assign(tps);
            for (TopicPartition tp : tps) {
                c.seek(tp, nextOffset[tp.partition()]);
            }
            Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofMillis(DRAIN_TIMEOUT_MS));
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_TIMEOUT_MS);
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("draining " + topic + " did not reach the end offsets " + end
                            + " within " + DRAIN_TIMEOUT_MS + " ms");
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    out.add(new LogRecord(r.partition(), r.offset(), KafkaRecords.id(r)));
                    nextOffset[r.partition()] = Math.max(nextOffset[r.partition()], r.offset() + 1);
                }
            }
        }
        return out;
    }
}
