package io.semel.cli;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The output topic of {@code bench e2e --engine kafka}'s chain, as a {@code read_committed} reader sees it: while a
 * run goes, a {@link Receiver} stamps each message "applied" when its output record becomes visible; after the run,
 * the whole topic is read from the start to check that every message was published exactly once. Stateless.
 */
final class KafkaOutput {
    /** How long reading the whole output topic may take. */
    static final long READ_ALL_TIMEOUT_MS = 120_000;
    private static final int POLL_MS = 20;

    private KafkaOutput() {
    }

    /** What a read_committed reader finds in the whole output topic. */
    record Check(long records, long distinct) {
        boolean exactlyOnce(long expected) {
            return records == expected && distinct == expected;
        }

        String describe(long expected) {
            return String.format("output topic (read_committed, whole): %,d records for %,d distinct messages", records,
                    distinct) + (exactlyOnce(expected) ? " (each message published once)"
                            : " (" + (records - distinct) + " duplicates, " + (expected - distinct) + " missing)");
        }
    }

    /** Starts the reader that stamps {@code progress} as output records become visible; stop it after the run. */
    static Receiver stampApplied(BenchKafka kafka, String output, int partitions, BenchE2eCommand.Tally progress) {
        return Receiver.start("kafka-bench-e2e-output", stop -> {
            try (KafkaConsumer<byte[], byte[]> c = kafka.consumer(Map.of())) {
                List<TopicPartition> tps = BenchKafka.partitionsOf(output, partitions);
                c.assign(tps);
                c.seekToBeginning(tps);
                while (!stop.get()) {
                    ConsumerRecords<byte[], byte[]> rs = c.poll(Duration.ofMillis(POLL_MS));
                    long now = System.nanoTime();
                    rs.forEach(r -> progress.applied(BenchE2eCommand.indexOf(r.value()), now));
                }
            }
        });
    }

    /** Reads every partition from its start to its last stable offset and counts records and distinct messages. */
    static Check readAll(BenchKafka kafka, String output, int partitions) throws IOException {
        List<TopicPartition> tps = BenchKafka.partitionsOf(output, partitions);
        Set<Integer> seen = new HashSet<>();
        long records = 0;
        try (KafkaConsumer<byte[], byte[]> c = kafka.consumer(Map.of())) {
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            long deadline = System.nanoTime() + READ_ALL_TIMEOUT_MS * 1_000_000L;
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("reading the output topic " + output + " to its end " + end + " took over "
                            + READ_ALL_TIMEOUT_MS + " ms");
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    records++;
                    seen.add(BenchE2eCommand.indexOf(r.value()));
                }
            }
        }
        return new Check(records, seen.size());
    }
}
