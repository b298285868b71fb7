package io.semel.cli;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The Kafka passes of {@code semel bench latency}, the counterparts of {@link SemelLatency}'s, each on a fresh
 * topic: send → confirm (idempotent producer, acks=all, linger 0); send → delivered with a plain consumer
 * assigned every partition (no group, like a {@code PartitionReader}); send → delivered in a consumer group with
 * {@code commitSync} of each record's offset before the next send (the nearest a classic group gets to a
 * per-message ack); and, when the cluster has share groups (KIP-932), a share consumer that acknowledges and
 * commits each record by itself. Not thread-safe.
 */
final class KafkaLatency {
    private static final int POLL_WAIT_MS = 200;
    private static final long CONFIRM_TIMEOUT_MS = 30_000;

    private final BenchKafka kafka;
    private final int partitions;
    private final int size;
    private final int warmup;
    private final int count;

    KafkaLatency(BenchKafka kafka, int partitions, int size, int warmup, int count) {
        this.kafka = kafka;
        this.partitions = partitions;
        this.size = size;
        this.warmup = warmup;
        this.count = count;
    }

    private String newTopic() throws java.io.IOException {
        String name = "bench-lat-" + UUID.randomUUID().toString().substring(0, 8);
        kafka.createTopic(name, partitions);
        return name;
    }

    private KafkaProducer<byte[], byte[]> producer() {
        return kafka.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 0));
    }

    private static OneAtATime.Sender sender(KafkaProducer<byte[], byte[]> p, String topic) {
        return (i, v) -> p.send(new ProducerRecord<>(topic, v)).get(CONFIRM_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    OneAtATime confirmOnly() throws Exception {
        String topic = newTopic();
        OneAtATime pass = new OneAtATime(warmup, count);
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            pass.run(sender(p, topic), size, false);
        }
        return pass;
    }

    /** A consumer without a group, assigned every partition from offset 0 (the topic is new). */
    OneAtATime plain() throws Exception {
        String topic = newTopic();
        OneAtATime pass = new OneAtATime(warmup, count);
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            pass.run(sender(p, topic), size, "kafka-bench-plain", stop -> {
                try (KafkaConsumer<byte[], byte[]> c = kafka.consumer(Map.of())) {
                    List<TopicPartition> tps = BenchKafka.partitionsOf(topic, partitions);
                    c.assign(tps);
                    c.seekToBeginning(tps);
                    while (!stop.get()) {
                        pass.received(c.poll(Duration.ofMillis(POLL_WAIT_MS)), ConsumerRecord::value, null);
                    }
                }
            });
        }
        return pass;
    }

    /** A classic group member; each record's offset is committed (commitSync) before the next send. */
    OneAtATime group() throws Exception {
        String topic = newTopic();
        OneAtATime pass = new OneAtATime(warmup, count);
        String group = "bench-lat-" + UUID.randomUUID().toString().substring(0, 8);
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            pass.run(sender(p, topic), size, "kafka-bench-group", stop -> {
                try (KafkaConsumer<byte[], byte[]> c = kafka.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, group))) {
                    c.subscribe(List.of(topic));
                    while (!stop.get()) {
                        pass.received(c.poll(Duration.ofMillis(POLL_WAIT_MS)), ConsumerRecord::value,
                                rec -> c.commitSync(Map.of(new TopicPartition(rec.topic(), rec.partition()),
                                        new OffsetAndMetadata(rec.offset() + 1))));
                    }
                }
            });
        }
        return pass;
    }

    /** A share-group member (KIP-932): each record acknowledged (ACCEPT) and committed by itself. */
    OneAtATime share() throws Exception {
        String topic = newTopic();
        OneAtATime pass = new OneAtATime(warmup, count);
        String group = "bench-lat-share-" + UUID.randomUUID().toString().substring(0, 8);
        kafka.shareGroupFromEarliest(group);
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            pass.run(sender(p, topic), size, "kafka-bench-share", stop -> {
                try (KafkaShareConsumer<byte[], byte[]> c = kafka.shareConsumer(group)) {
                    c.subscribe(List.of(topic));
                    while (!stop.get()) {
                        pass.received(c.poll(Duration.ofMillis(POLL_WAIT_MS)), ConsumerRecord::value, rec -> {
                            c.acknowledge(rec, AcknowledgeType.ACCEPT);
                            c.commitSync();
                        });
                    }
                }
            });
        }
        return pass;
    }
}
