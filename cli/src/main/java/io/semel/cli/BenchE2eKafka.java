package io.semel.cli;

import io.semel.kafka.KafkaOutboxRelay;
import io.semel.kafka.KafkaSource;
import io.semel.processor.ExactlyOnceProcessor;
import io.semel.processor.Handler;
import io.semel.processor.ProcessingMode;
import io.semel.processor.store.JdbcStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code semel bench e2e --engine kafka}: the exactly-once processor with Kafka as its source, against Kafka-only
 * baselines, on one {@link BenchKafka} node, per batch size; producers send concurrently (idempotent, acks=all).
 *
 * <p><b>Into the database</b> ({@code db}): {@link KafkaSource} + {@link ExactlyOnceProcessor} (TRANSACTIONAL,
 * sequence dedup: position and processed offsets in the store transaction) with {@code bench e2e}'s ledger handler,
 * against a plain at-least-once {@code KafkaConsumer} (poll up to the batch, apply it in one store transaction,
 * then {@code commitSync}) writing the same rows into the same database. "Applied" = the applying transaction
 * committed (stamped at the processor's ack, right after its commit; after the commit in the baseline).
 *
 * <p><b>Chain</b> ({@code chain}): Kafka → database → Kafka. The processor applies the ledger rows and writes
 * one outbox row per message in the same transaction; {@link KafkaOutboxRelay} publishes the outbox to an output
 * topic in Kafka transactions. Against it: Kafka transactions alone (consume-transform-produce: a
 * {@code read_committed} consumer and a transactional producer, one transaction per poll with
 * {@code sendOffsetsToTransaction}), which writes no database. "Applied" = the output record is visible to a
 * {@code read_committed} reader.
 *
 * <p>Every exactly-once run is checked: the ledger ({@link BenchLedger#check}) for the database, and the whole
 * output topic read {@code read_committed} from the start (every message exactly once) for the chain. Not
 * thread-safe.
 */
final class BenchE2eKafka {
    private static final long STALL_MS = 120_000;
    private static final int POLL_MS = 20;
    private static final String PROGRESS_TOPIC = "semel-bench-relay-progress";

    /** One run's figures. */
    record Result(double msgsPerSecond, long p50Nanos) {
    }

    private final BenchKafka kafka;
    private final JdbcStore store;
    private final String storeDescription;
    private final int count;
    private final int size;
    private final int partitions;
    private final int producers;
    private final BenchLedger.Style style;
    private final int relayPassRowsMax;
    /** batch.size of both transactional producers (the relay's and the baseline's): the same for both, to be fair. */
    private final int txBatchBytes;
    private final PrintWriter out;

    BenchE2eKafka(BenchKafka kafka, JdbcStore store, String storeDescription, int count, int size, int partitions,
            int producers, BenchLedger.Style style, int relayPassRowsMax, int txBatchBytes, PrintWriter out) {
        this.kafka = kafka;
        this.store = store;
        this.storeDescription = storeDescription;
        this.count = count;
        this.size = size;
        this.partitions = partitions;
        this.producers = producers;
        this.style = style;
        this.relayPassRowsMax = relayPassRowsMax;
        this.txBatchBytes = txBatchBytes;
        this.out = out;
    }

    private String newTopic(String prefix) throws IOException {
        String name = prefix + UUID.randomUUID().toString().substring(0, 8);
        kafka.createTopic(name, partitions);
        return name;
    }

    private void setup(String what, String topic, int batch, int runCount) {
        out.printf("setup: bench e2e --engine kafka, %s, %d messages x %d B, topic %s (%d partition(s)), %d producer(s) "
                + "(idempotent, acks=all), batch %d, handler %s, store %s, %s%n", what, runCount, size, topic, partitions,
                producers, batch, style.name().toLowerCase(java.util.Locale.ROOT), storeDescription, kafka.description());
        out.flush();
    }

    /** The processor with a {@link KafkaSource}, into the store. */
    Result exactlyOnceIntoDb(int batch, int runCount) throws Exception {
        String topic = newTopic("bench-e2e-");
        setup("exactly-once into the database (KafkaSource + ExactlyOnceProcessor TRANSACTIONAL, sequence dedup: "
                + "position and processed offsets committed with the handler's rows, then ack)", topic, batch, runCount);
        return runProcessor(topic, batch, runCount, BenchLedger.handler(style), null);
    }

    /** A plain KafkaConsumer: poll, apply the batch in one store transaction, commitSync. */
    Result atLeastOnceIntoDb(int batch, int runCount) throws Exception {
        String topic = newTopic("bench-e2e-");
        setup("at-least-once into the database (KafkaConsumer: poll, apply the batch in one transaction, then "
                + "commitSync; no dedup record, no position in the store)", topic, batch, runCount);
        BenchLedger.reset(store);
        BenchE2eCommand.Tally progress = new BenchE2eCommand.Tally(runCount);
        Started run = consumeAll(topic, batch, runCount, progress, (c, rs) -> {
            List<Integer> indexes = new ArrayList<>(rs.count());
            rs.forEach(r -> indexes.add(BenchE2eCommand.indexOf(r.value())));
            store.inTransaction(tx -> {
                BenchLedger.apply(tx.connection(), indexes, style);
                return null;
            });
            long now = System.nanoTime();
            indexes.forEach(i -> progress.applied(i, now));
            c.commitSync();
        });
        return finish(run.startNanos(), run.senders(), progress, runCount, false, true, null);
    }

    /** Kafka → processor (ledger rows + one outbox row per message) → KafkaOutboxRelay → Kafka. */
    Result exactlyOnceChain(int batch, int runCount) throws Exception {
        String topic = newTopic("bench-e2e-");
        String output = newTopic("bench-e2e-out-");
        setup("exactly-once chain Kafka -> database -> Kafka (KafkaSource + ExactlyOnceProcessor TRANSACTIONAL with "
                + "the ledger rows and one outbox row per message in one transaction; KafkaOutboxRelay publishes the "
                + "outbox to " + output + " in Kafka transactions of up to " + relayPassRowsMax + " rows, read in chunks "
                + "of 500, producer batch.size " + txBatchBytes + ")", topic, batch,
                runCount);
        Handler ledger = BenchLedger.handler(style);
        Handler handler = (m, tx) -> {
            ledger.handle(m, tx);
            tx.send(output, m.key(), m.value());
        };
        String relayName = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        try (KafkaOutboxRelay relay = KafkaOutboxRelay.builder(store, kafka.bootstrap(), relayName)
                .progressTopic(PROGRESS_TOPIC).progressReplicationFactor(1).relayPassRowsMax(relayPassRowsMax)
                .clientProperty(ProducerConfig.BATCH_SIZE_CONFIG, txBatchBytes).build()) {
            relay.start();
            awaitActive(relay);
            Result r = runProcessor(topic, batch, runCount, handler, output);
            out.printf("relay: %s%n", relay.passStats().describe());
            out.flush();
            return r;
        }
    }

    /**
     * Waits until the consumer has every partition (it joined its group), so the clock starts with the consumer
     * ready, as it does for the processor ({@link #awaitClaimed}). Nothing is sent yet, so these polls return nothing.
     */
    private void awaitAssigned(KafkaConsumer<byte[], byte[]> c) throws IOException {
        long deadline = System.nanoTime() + STALL_MS * 1_000_000L;
        while (c.assignment().size() < partitions) {
            if (System.nanoTime() > deadline) {
                throw new IOException("the consumer got " + c.assignment() + " of " + partitions + " partitions in "
                        + STALL_MS + " ms");
            }
            c.poll(Duration.ofMillis(POLL_MS));
        }
    }

    /**
     * Waits until the processor's {@link KafkaSource} claimed every partition of {@code topic} (its position rows
     * exist: it joined the group and ran its claim transactions), so the clock starts with the processor ready.
     */
    private void awaitClaimed(String topic) throws Exception {
        long deadline = System.nanoTime() + STALL_MS * 1_000_000L;
        while (true) {
            long claimed = store.inTransaction(tx -> {
                try (java.sql.PreparedStatement ps = tx.connection().prepareStatement(
                        "SELECT COUNT(*) FROM semel_position WHERE consumer = ? AND topic = ?")) {
                    ps.setString(1, topic);
                    ps.setString(2, topic);
                    try (java.sql.ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return rs.getLong(1);
                    }
                }
            });
            if (claimed >= partitions) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("the processor claimed " + claimed + " of " + partitions + " partitions of "
                        + topic + " in " + STALL_MS + " ms");
            }
            Thread.sleep(10);
        }
    }

    /**
     * Waits until the relay holds the store lock and has run its first pass, i.e. its session is open
     * ({@code initTransactions}, the progress read, reconciliation), so the clock starts with it ready, as the
     * baseline's producer is ({@code initTransactions} before its clock).
     */
    private static void awaitActive(KafkaOutboxRelay relay) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + STALL_MS * 1_000_000L;
        while (relay.state() != KafkaOutboxRelay.State.ACTIVE
                || relay.passStats().passes() + relay.passStats().emptyPasses() == 0) {
            if (relay.state() == KafkaOutboxRelay.State.DIVERGED || System.nanoTime() > deadline) {
                throw new IOException("the outbox relay is " + relay.state() + ", not ACTIVE with a first pass run: "
                        + relay.failure());
            }
            Thread.sleep(10);
        }
    }

    /** Kafka transactions alone: consume, produce the same record to the output, commit offsets in the transaction. */
    Result kafkaTransactionsChain(int batch, int runCount) throws Exception {
        String topic = newTopic("bench-e2e-");
        String output = newTopic("bench-e2e-out-");
        setup("Kafka transactions chain Kafka -> Kafka (read_committed KafkaConsumer + transactional producer: one "
                + "transaction per poll with the output records and sendOffsetsToTransaction; no database; producer "
                + "batch.size " + txBatchBytes + ")", topic,
                batch, runCount);
        BenchE2eCommand.Tally progress = new BenchE2eCommand.Tally(runCount);
        Receiver reader = KafkaOutput.stampApplied(kafka, output, partitions, progress);
        Started run;
        // retry.backoff.ms 10, as the outbox relay's producer: at the 100 ms default each transaction's first
        // request after the previous commit waits out CONCURRENT_TRANSACTIONS retries (the markers are still being
        // written), which would handicap the baseline.
        try (KafkaProducer<byte[], byte[]> p = kafka.producer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                "bench-eos-" + UUID.randomUUID(), ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 10, ProducerConfig.BATCH_SIZE_CONFIG, txBatchBytes))) {
            // Ready before the clock starts, as the relay is in the exactly-once chain.
            p.initTransactions();
            run = consumeAll(topic, batch, runCount, progress, (c, rs) -> {
                p.beginTransaction();
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : rs) {
                    p.send(new ProducerRecord<>(output, r.key(), r.value()));
                    offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                }
                p.sendOffsetsToTransaction(offsets, c.groupMetadata());
                p.commitTransaction();
            });
        } finally {
            reader.stop();
        }
        return finish(run.startNanos(), run.senders(), progress, runCount, true, false, output);
    }

    /** What a Kafka-only baseline does with one non-empty poll. */
    @FunctionalInterface
    private interface PollStep {
        void apply(KafkaConsumer<byte[], byte[]> consumer, ConsumerRecords<byte[], byte[]> records) throws Exception;
    }

    /** When a run's clock started, and its producer threads. */
    private record Started(long startNanos, Thread[] senders) {
    }

    /**
     * The loop of both Kafka-only baselines: a consumer in group {@code topic} polling up to {@code batch} records;
     * once it has every partition the clock and the producers start, and each non-empty poll goes to {@code step}
     * until every message is applied.
     */
    private Started consumeAll(String topic, int batch, int runCount, BenchE2eCommand.Tally progress, PollStep step)
            throws Exception {
        try (KafkaConsumer<byte[], byte[]> c = kafka.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, topic,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, batch))) {
            c.subscribe(List.of(topic));
            awaitAssigned(c);
            long start = System.nanoTime();
            Thread[] senders = startProducers(topic, runCount, progress);
            while (!progress.done()) {
                ConsumerRecords<byte[], byte[]> rs = c.poll(Duration.ofMillis(POLL_MS));
                if (rs.isEmpty()) {
                    progress.checkStall(STALL_MS);
                    continue;
                }
                step.apply(c, rs);
            }
            return new Started(start, senders);
        }
    }

    private Result runProcessor(String topic, int batch, int runCount, Handler handler, String output)
            throws Exception {
        BenchLedger.reset(store);
        BenchE2eCommand.Tally progress = new BenchE2eCommand.Tally(runCount);
        Receiver reader = output != null ? KafkaOutput.stampApplied(kafka, output, partitions, progress) : null;
        KafkaSource source = KafkaSource.builder(kafka.bootstrap(), topic, topic).maxPollRecords(batch).build();
        // Into the database, "applied" is the commit (stamped at the ack); in the chain, the output reader stamps.
        ExactlyOnceProcessor processor = ExactlyOnceProcessor.builder()
                .source(output == null ? new BenchE2eCommand.StampingSource(source, progress) : source)
                .store(store).consumer(topic).mode(ProcessingMode.TRANSACTIONAL).batchSize(batch)
                .pollTimeout(Duration.ofMillis(POLL_MS)).handler(handler).build();
        processor.start();
        long start;
        Thread[] senders;
        try {
            awaitClaimed(topic);
            start = System.nanoTime();
            senders = startProducers(topic, runCount, progress);
            progress.await(STALL_MS);
        } finally {
            processor.stop();
            if (reader != null) {
                reader.stop();
            }
        }
        return finish(start, senders, progress, runCount, true, true, output);
    }

    /** Prints the result line; checks the ledger ({@code ledger}) and the output topic (when there is one). */
    private Result finish(long start, Thread[] senders, BenchE2eCommand.Tally progress, int runCount,
            boolean exactlyOnce, boolean ledger, String output) throws Exception {
        long elapsed = progress.lastNanos() - start;
        for (Thread s : senders) {
            s.join();
        }
        if (progress.failedSends.get() > 0) {
            throw new IOException(progress.failedSends.get() + " Kafka sends failed");
        }
        double seconds = elapsed / 1e9;
        double rate = runCount / seconds;
        List<String> checks = new ArrayList<>();
        boolean once = true;
        if (ledger) {
            BenchLedger.Check c = BenchLedger.check(store);
            checks.add(c.describe(runCount));
            once = c.exactlyOnce(runCount);
        }
        if (output != null) {
            KafkaOutput.Check c = KafkaOutput.readAll(kafka, output, partitions);
            checks.add(c.describe(runCount));
            once &= c.exactlyOnce(runCount);
        }
        String check = String.join("; ", checks);
        out.printf("result: %d applied in %.2f s: %,.0f msgs/s; send-to-applied latency %s; %s%n", runCount, seconds,
                rate, progress.latency.summary(), check);
        out.flush();
        if (exactlyOnce && !once) {
            throw new IllegalStateException("the exactly-once run did not apply each message once: " + check);
        }
        return new Result(rate, progress.latency.percentileNanos(0.50));
    }

    private Thread[] startProducers(String topic, int runCount, BenchE2eCommand.Tally progress) {
        AtomicLong next = new AtomicLong();
        Thread[] threads = new Thread[producers];
        for (int i = 0; i < producers; i++) {
            threads[i] = new Thread(() -> {
                try (KafkaProducer<byte[], byte[]> p = kafka.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 1,
                        ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024))) {
                    for (long n = next.getAndIncrement(); n < runCount; n = next.getAndIncrement()) {
                        int index = (int) n;
                        byte[] key = ("acct-" + BenchLedger.account(index)).getBytes(StandardCharsets.UTF_8);
                        progress.sentNanos.set(index, System.nanoTime());
                        p.send(new ProducerRecord<>(topic, key, BenchE2eCommand.value(index, size)), (md, e) -> {
                            if (e != null) {
                                progress.failedSends.incrementAndGet();
                            }
                        });
                    }
                    p.flush();
                }
            }, "kafka-bench-e2e-producer");
            threads[i].start();
        }
        return threads;
    }
}
