package io.semel.cli;

import io.semel.client.Admin;
import io.semel.client.Consumer;
import io.semel.client.Message;
import io.semel.client.PartitionRead;
import io.semel.client.PartitionRecord;
import io.semel.client.PartitionReader;
import io.semel.client.Producer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The Semel passes of {@code semel bench latency}, each on a fresh topic: send → confirm alone; send → delivered
 * through a consumer group with an ack per message; send → delivered through {@link PartitionReader}s (one per
 * partition, no group). The producer is idempotent with linger 0, so each record is its own batch. Not thread-safe.
 */
final class SemelLatency {
    private static final int REQUEST_TIMEOUT_MS = 30_000;
    /** A receiver's long poll; it also bounds how long a pass takes to stop. */
    private static final int POLL_WAIT_MS = 200;

    private final BenchTarget target;
    private final String bootstrap;
    private final int partitions;
    private final int size;
    private final int warmup;
    private final int count;

    SemelLatency(BenchTarget target, String bootstrap, int partitions, int size, int warmup, int count) {
        this.target = target;
        this.bootstrap = bootstrap;
        this.partitions = partitions;
        this.size = size;
        this.warmup = warmup;
        this.count = count;
    }

    private String newTopic() {
        try (Admin admin = target.security.configure(Admin.builder(bootstrap)).requestTimeoutMs(REQUEST_TIMEOUT_MS)
                .build()) {
            String name = "bench-lat-" + UUID.randomUUID().toString().substring(0, 8);
            admin.createTopic(name, partitions);
            return name;
        }
    }

    private Producer producer() {
        return target.security.configure(Producer.builder(bootstrap)).clientId("semel-bench-latency").lingerMs(0)
                .requestTimeoutMs(REQUEST_TIMEOUT_MS).build();
    }

    private OneAtATime.Sender sender(Producer p, String topic) {
        return (i, v) -> p.send(topic, v).get(REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    OneAtATime confirmOnly() throws Exception {
        String topic = newTopic();
        OneAtATime pass = new OneAtATime(warmup, count);
        try (Producer p = producer()) {
            pass.run(sender(p, topic), size, false);
        }
        return pass;
    }

    /** A group member polls and acks each message by itself; the next send waits for that ack. */
    OneAtATime group() throws Exception {
        String topic = newTopic();
        OneAtATime pass = new OneAtATime(warmup, count);
        String group = "bench-lat-" + UUID.randomUUID().toString().substring(0, 8);
        try (Producer p = producer(); Consumer c = target.security.configure(Consumer.builder(bootstrap))
                .clientId("semel-bench-latency").group(group).topic(topic).requestTimeoutMs(REQUEST_TIMEOUT_MS).build()) {
            pass.run(sender(p, topic), size, "semel-bench-group", stop -> {
                while (!stop.get()) {
                    pass.received(c.poll(Duration.ofMillis(POLL_WAIT_MS)), Message::value, c::ack);
                }
            });
        }
        return pass;
    }

    /** One reader per partition, each long-polling FETCH from the offset after its last record. */
    OneAtATime reader() throws Exception {
        String topic = newTopic();
        OneAtATime pass = new OneAtATime(warmup, count);
        List<Receiver> readers = new ArrayList<>();
        try (Producer p = producer()) {
            for (int part = 0; part < partitions; part++) {
                int partition = part;
                PartitionReader reader = target.security.configure(PartitionReader.builder(bootstrap))
                        .requestTimeoutMs(REQUEST_TIMEOUT_MS).build();
                readers.add(Receiver.start("semel-bench-reader-" + part, stop -> {
                    try (PartitionReader rd = reader) {
                        long next = 0;
                        while (!stop.get()) {
                            PartitionRead read = rd.read(topic, partition, next, POLL_WAIT_MS);
                            pass.received(read.records(), PartitionRecord::value, null);
                            next = read.nextOffset();
                        }
                    }
                }));
            }
            pass.run(sender(p, topic), size, true);
        } finally {
            for (Receiver r : readers) {
                r.stop();
            }
        }
        return pass;
    }
}
