package io.semel.cli;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The Kafka side of {@code semel bench produce|consume --kafka}: the same workload as the Semel run, on a fresh
 * topic of a {@link BenchKafka} node. Produce: {@code producers} idempotent producers (acks=all) with the same
 * batch bytes and linger, one thread each, sharing the count. Consume: prefill (not timed), then one consumer
 * reads {@code count} records — a classic group member that commits its offsets once per poll, or a share-group
 * member (KIP-932) that acknowledges every record (ACCEPT) and commits once per poll, the counterpart of a Semel
 * member acking each message of a poll in one request. Not thread-safe.
 */
final class KafkaThroughput {
    /** A consume run fails when nothing arrives for this long. */
    static final long STALL_MS = 60_000;
    private static final int POLL_WAIT_MS = 500;

    /**
     * One run's figures.
     *
     * @param jvm what the bench's JVM did around the clock (consume only, else empty)
     */
    record Result(long records, double seconds, String latency, long failed, String jvm) {
        double perSecond() {
            return records / seconds;
        }
    }

    private final BenchKafka kafka;

    KafkaThroughput(BenchKafka kafka) {
        this.kafka = kafka;
    }

    String newTopic(int partitions) throws IOException {
        String name = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        kafka.createTopic(name, partitions);
        return name;
    }

    Result produce(String topic, long count, int size, int producers, int batchBytes, long lingerMs)
            throws InterruptedException {
        byte[] value = new byte[size];
        Arrays.fill(value, (byte) 'b');
        LatencySample latency = new LatencySample(count);
        AtomicLong failed = new AtomicLong();
        AtomicLong next = new AtomicLong();
        List<KafkaProducer<byte[], byte[]>> ps = new ArrayList<>();
        for (int i = 0; i < producers; i++) {
            ps.add(kafka.producer(Map.of(ProducerConfig.BATCH_SIZE_CONFIG, batchBytes, ProducerConfig.LINGER_MS_CONFIG,
                    (int) lingerMs)));
        }
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (KafkaProducer<byte[], byte[]> p : ps) {
            Thread t = new Thread(() -> {
                for (long i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    long index = i;
                    long sentAt = System.nanoTime();
                    p.send(new ProducerRecord<>(topic, value), (md, e) -> {
                        if (e == null) {
                            latency.record(index, System.nanoTime() - sentAt);
                        } else {
                            failed.incrementAndGet();
                        }
                    });
                }
                p.flush();
            }, "kafka-bench-producer");
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        ps.forEach(KafkaProducer::close);
        return new Result(count - failed.get(), seconds, latency.summary(), failed.get(), "");
    }

    /** Fills {@code topic} with {@code count} records of {@code size} bytes; throws if any send fails. */
    void prefill(String topic, long count, int size) throws InterruptedException {
        Result r = produce(topic, count, size, 1, 64 * 1024, 5);
        if (r.failed() > 0) {
            throw new IllegalStateException("Kafka prefill: " + r.failed() + " of " + count + " sends failed");
        }
    }

    /**
     * A plain consumer without a group (issue 10's consume anchor): every partition assigned from its start, polls up
     * to {@code maxPoll}, commits nothing, acks nothing. Its "commit latency" is 0 by construction.
     */
    Result consumePlain(String topic, long warmup, long count, int maxPoll) throws IOException, InterruptedException {
        LatencySample commit = new LatencySample(count);
        try (KafkaConsumer<byte[], byte[]> c = kafka.consumer(Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPoll))) {
            List<org.apache.kafka.common.TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(i -> new org.apache.kafka.common.TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            return consume(warmup, count, commit, () -> {
                ConsumerRecords<byte[], byte[]> rs = c.poll(Duration.ofMillis(POLL_WAIT_MS));
                return new Polled(rs.count(), 0);
            });
        }
    }

    /** A classic group member: poll up to {@code maxPoll}, commitSync once per poll. */
    Result consumeGroup(String topic, long warmup, long count, int maxPoll) throws IOException, InterruptedException {
        String group = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        LatencySample commit = new LatencySample(count);
        try (KafkaConsumer<byte[], byte[]> c = kafka.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPoll))) {
            c.subscribe(List.of(topic));
            return consume(warmup, count, commit, () -> {
                ConsumerRecords<byte[], byte[]> rs = c.poll(Duration.ofMillis(POLL_WAIT_MS));
                if (!rs.isEmpty()) {
                    long t0 = System.nanoTime();
                    c.commitSync();
                    return new Polled(rs.count(), System.nanoTime() - t0);
                }
                return new Polled(0, 0);
            });
        }
    }

    /** A share-group member: every record acknowledged (ACCEPT), then commitSync once per poll. */
    Result consumeShare(String topic, long warmup, long count, int maxPoll) throws IOException, InterruptedException {
        String group = "bench-share-" + UUID.randomUUID().toString().substring(0, 8);
        kafka.shareGroupFromEarliest(group);
        LatencySample commit = new LatencySample(count);
        try (KafkaShareConsumer<byte[], byte[]> c = kafka.shareConsumer(group, maxPoll)) {
            c.subscribe(List.of(topic));
            return consume(warmup, count, commit, () -> {
                ConsumerRecords<byte[], byte[]> rs = c.poll(Duration.ofMillis(POLL_WAIT_MS));
                if (!rs.isEmpty()) {
                    long t0 = System.nanoTime();
                    for (ConsumerRecord<byte[], byte[]> r : rs) {
                        c.acknowledge(r, AcknowledgeType.ACCEPT);
                    }
                    c.commitSync();
                    return new Polled(rs.count(), System.nanoTime() - t0);
                }
                return new Polled(0, 0);
            });
        }
    }

    private record Polled(int records, long settleNanos) {
    }

    @FunctionalInterface
    private interface PollOnce {
        Polled poll();
    }

    /** Counts of one phase of a consume: the warm-up, then the timed part. */
    private static final class Phase {
        long received;
        long polls;
    }

    /**
     * Polls until {@code warmup + count} records arrived; the clock and the samples start after the first
     * {@code warmup} (the poll that crosses it ends the warm-up), once this JVM's JIT went quiet.
     */
    private static Result consume(long warmup, long count, LatencySample commit, PollOnce once) throws IOException,
            InterruptedException {
        long total = warmup + count;
        Phase warm = new Phase();
        if (warmup > 0) {
            // A discarded sample of the timed part's size: recording takes the same branches in both phases.
            pollUntil(warmup, warm, new LatencySample(count), once, total);
        }
        BenchClock clock = BenchClock.start(warmup > 0);
        Phase timed = new Phase();
        pollUntil(total - warm.received, timed, commit, once, total);
        BenchClock.Stopped stopped = clock.stop();
        return new Result(timed.received, stopped.seconds(), commit.summary() + " over " + timed.polls + " polls", 0,
                stopped.jvmLine());
    }

    /**
     * Polls until {@code n} records arrived. The warm-up and the timed part both run this, so the clock times the code
     * the JIT compiled while warming up (not a branch first taken when the clock starts).
     */
    private static void pollUntil(long n, Phase p, LatencySample commit, PollOnce once, long total) throws IOException {
        long lastProgress = System.nanoTime();
        while (p.received < n) {
            Polled r = once.poll();
            if (r.records() == 0) {
                if (System.nanoTime() - lastProgress > STALL_MS * 1_000_000L) {
                    throw new IOException("Kafka consume: only " + p.received + " of " + n + " records of this phase "
                            + "(" + total + " in all) arrived; none for " + STALL_MS + " ms");
                }
                continue;
            }
            lastProgress = System.nanoTime();
            p.received += r.records();
            commit.record(p.polls++, r.settleNanos());
        }
    }
}
