package io.semel.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.semel.client.Admin;
import io.semel.client.Consumer;
import io.semel.client.Message;
import io.semel.client.Producer;
import io.semel.processor.Dedup;
import io.semel.processor.ExactlyOnceProcessor;
import io.semel.processor.ForwardingSource;
import io.semel.processor.ProcessingMode;
import io.semel.processor.ProcessorEndpoint;
import io.semel.processor.RedeliverySettings;
import io.semel.processor.SemelSource;
import io.semel.processor.Source;
import io.semel.processor.SourceMessage;
import io.semel.processor.store.HandlerException;
import io.semel.processor.store.JdbcStore;
import io.semel.processor.store.StoreOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code semel bench e2e}: throughput and send-to-applied latency of the exactly-once pipeline
 * (ExactlyOnceProcessor, TRANSACTIONAL, a non-idempotent increment handler) beside the same
 * pipeline at least once (poll, apply in its own transaction, ack; no inbox, no position), per batch
 * size, on SQLite or PostgreSQL. "Applied" is the moment the transaction that applied the message
 * committed: the processor acks right after its commit, so a {@link Source} wrapper stamps the time
 * before forwarding the ack; the at-least-once loop stamps after its commit. Each run uses a fresh
 * topic and consumer name on the same store.
 */
@Command(name = "e2e", mixinStandardHelpOptions = true,
        description = "Exactly-once processor vs at-least-once consumer into SQLite or PostgreSQL: msgs/s, "
                + "send-to-applied latency, and the ratio, per batch size.")
final class BenchE2eCommand implements Callable<Integer> {
    private static final int REQUEST_TIMEOUT_MS = 30_000;
    /** A run fails when nothing is applied for this long. */
    private static final long STALL_MS = 60_000;
    /** Smallest value: the message index is written in decimal at its start ({@link #value}). */
    static final int SIZE_MIN = 12;

    @Option(names = "--count", paramLabel = "N", description = "Messages per run (default ${DEFAULT-VALUE}).")
    int count = 20_000;

    @Option(names = "--size", paramLabel = "BYTES", description = "Value size, >= 12 (default ${DEFAULT-VALUE}).")
    int size = 100;

    @Option(names = "--partitions", paramLabel = "P", description = "Partitions of each run's topic (default ${DEFAULT-VALUE}).")
    int partitions = 4;

    @Option(names = "--producers", paramLabel = "K", description = "Concurrent producers (default ${DEFAULT-VALUE}).")
    int producers = 1;

    @Option(names = "--batch-sizes", paramLabel = "B,B,...", split = ",",
            description = "Messages per poll and per transaction, one pair of runs each (default 1,100,1000).")
    List<Integer> batchSizes = new ArrayList<>(List.of(1, 100, 1000));

    @Option(names = "--store", paramLabel = "sqlite|postgres", description = "Database (default ${DEFAULT-VALUE}).")
    String storeKind = "sqlite";

    @Option(names = "--sqlite-sync", paramLabel = "FULL|NORMAL",
            description = "SQLite synchronous mode (default ${DEFAULT-VALUE}).")
    StoreOptions.SqliteSync sqliteSync = StoreOptions.SqliteSync.FULL;

    @Option(names = "--jdbc-url", paramLabel = "URL",
            description = "PostgreSQL to use; without it an embedded PostgreSQL is started.")
    String jdbcUrl;

    @Option(names = "--db-user", paramLabel = "USER", description = "PostgreSQL user for --jdbc-url.")
    String dbUser;

    @Option(names = "--db-password", paramLabel = "PASSWORD", description = "PostgreSQL password for --jdbc-url.")
    String dbPassword;

    @Option(names = "--handler", paramLabel = "statements|batched",
            description = "How the handler writes its ledger row and balance upsert: one statement execution each "
                    + "(statements) or JDBC batches run once per transaction (batched); default ${DEFAULT-VALUE}.")
    String handlerStyle = "batched";

    @Option(names = "--warmup", paramLabel = "N",
            description = "Messages of one unmeasured run per mode before the measured ones, so the JIT has compiled "
                    + "both paths whichever runs first (default ${DEFAULT-VALUE}; 0: none).")
    int warmup = 10_000;

    @Option(names = "--repeat", paramLabel = "R",
            description = "Measured runs per mode and batch size, interleaved; the median is reported (default ${DEFAULT-VALUE}).")
    int repeat = 1;

    @Option(names = "--modes", paramLabel = "M,M", split = ",",
            description = "exactly-once, at-least-once or both (default both).")
    List<String> modes = new ArrayList<>(List.of("exactly-once", "at-least-once"));

    @Option(names = "--engine", paramLabel = "semel|kafka",
            description = "The message engine: semel (default: the embedded or --broker Semel broker) or kafka (a single "
                    + "Kafka node in a child JVM: KafkaSource + the processor vs a plain Kafka consumer, and the chain "
                    + "Kafka -> database -> Kafka through the outbox relay vs Kafka transactions).")
    String engine = "semel";

    @Option(names = "--pipelines", paramLabel = "P,P", split = ",",
            description = "With --engine kafka: db (into the database), chain (Kafka -> database -> Kafka) or both "
                    + "(default both).")
    List<String> pipelines = new ArrayList<>(List.of("db", "chain"));

    @Option(names = "--relay-pass-rows", paramLabel = "N",
            description = "With --engine kafka, the chain: outbox rows per relay pass (Kafka transaction), "
                    + "KafkaOutboxRelayBuilder.relayPassRowsMax (default ${DEFAULT-VALUE}).")
    int relayPassRows = 5_000;

    @Option(names = "--tx-batch-bytes", paramLabel = "BYTES",
            description = "With --engine kafka, the chain: batch.size of both transactional producers, the outbox "
                    + "relay's and the Kafka-transactions baseline's (default ${DEFAULT-VALUE}: Kafka's default).")
    int txBatchBytes = 16_384;

    @Option(names = "--kafka-durability", paramLabel = "page-cache|fsync-per-append",
            description = "With --engine kafka: the Kafka node's durability (default ${DEFAULT-VALUE}: every append "
                    + "forced before its ack, like Semel's broker and the store's commits).")
    String kafkaDurability = "fsync-per-append";

    @Mixin
    BenchTarget target;

    @Option(names = "--metrics-port", paramLabel = "PORT", description = "Serve the exactly-once processor's "
            + "/metrics and /health/* on 127.0.0.1:PORT while the bench runs (0 picks a free port; docs/operations.md).")
    Integer metricsPort;

    @Spec
    CommandSpec spec;

    /** The processors' meters, served by {@link #endpoint}. */
    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private ProcessorEndpoint endpoint; // null without --metrics-port

    /** One run's figures. */
    record Result(double msgsPerSecond, String latency, long p50Nanos) {
    }

    @Override
    public Integer call() throws Exception {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        if (engine.equals("kafka")) {
            return onKafka(out);
        }
        try (BenchTarget t = target; BenchStore db = openStore(); ProcessorEndpoint ep = startEndpoint(out)) {
            endpoint = ep;
            String bootstrap = t.start();
            BenchLedger.createTables(db.store());
            if (warmup > 0) {
                for (String mode : modes) {
                    out.printf("warm-up (not measured): %s, %d messages, batch %d%n", mode, warmup, batchSizes.get(0));
                    run(bootstrap, newTopic(bootstrap), batchSizes.get(0), warmup, mode.equals("exactly-once"),
                            db.store(), out);
                }
            }
            for (int batch : batchSizes) {
                Map<String, List<Result>> results = new LinkedHashMap<>();
                for (int r = 0; r < repeat; r++) {
                    for (String mode : modes) {
                        boolean exactlyOnce = mode.equals("exactly-once");
                        String topic = newTopic(bootstrap);
                        out.printf("setup: bench e2e, %s, %d messages x %d B, topic %s (%d partition(s)), %d producer(s), "
                                + "batch %d, handler %s, store %s, durability broker %s, broker %s, run %d of %d%n",
                                exactlyOnce ? "exactly-once (ExactlyOnceProcessor TRANSACTIONAL, dedup "
                                        + Dedup.SEQUENCE + ": position + processed offsets per partition, one transaction "
                                        + "per batch with the handler, then ack)"
                                        : "at-least-once (Consumer: poll, apply the batch in one transaction, then ack; "
                                        + "no dedup record, no position)",
                                count, size, topic, partitions, producers, batch, handlerDescription(), db.description(),
                                target.durability(), target.brokerDescription(), r + 1, repeat);
                        out.flush();
                        results.computeIfAbsent(mode, k -> new ArrayList<>())
                                .add(run(bootstrap, topic, batch, count, exactlyOnce, db.store(), out));
                    }
                }
                Result eo = median(results.get("exactly-once"));
                Result alo = median(results.get("at-least-once"));
                if (eo != null && alo != null) {
                    out.printf("ratio at batch %d (%s handler, medians of %d): exactly-once runs at %.2fx the at-least-once "
                            + "throughput (%,.0f vs %,.0f msgs/s), p50 latency %.2fx (%s store)%n", batch, handlerStyle,
                            repeat, eo.msgsPerSecond / alo.msgsPerSecond, eo.msgsPerSecond, alo.msgsPerSecond,
                            (double) eo.p50Nanos / Math.max(1, alo.p50Nanos), storeKind);
                }
                out.flush();
            }
            return 0;
        }
    }

    /** {@code --engine kafka}: per batch size, each pipeline's exactly-once run beside its Kafka-only baseline. */
    private int onKafka(PrintWriter out) throws Exception {
        BenchKafka.Durability d = kafkaDurability.equals("page-cache") ? BenchKafka.Durability.PAGE_CACHE
                : BenchKafka.Durability.FSYNC_PER_APPEND;
        try (BenchStore db = openStore();
                BenchKafka k = BenchKafka.start(Path.of(System.getProperty("java.io.tmpdir")), d)) {
            BenchLedger.createTables(db.store());
            BenchE2eKafka bench = new BenchE2eKafka(k, db.store(), db.description(), count, size, partitions, producers,
                    style(), relayPassRows, txBatchBytes, out);
            if (warmup > 0) {
                int b = batchSizes.stream().max(Integer::compare).orElseThrow();
                out.printf("warm-up (not measured): every mode, %d messages, batch %d%n", warmup, b);
                for (KafkaMode m : kafkaModes()) {
                    m.run(bench, b, warmup);
                }
            }
            for (int batch : batchSizes) {
                Map<KafkaMode, List<Result>> results = new LinkedHashMap<>();
                for (int r = 0; r < repeat; r++) {
                    for (KafkaMode m : kafkaModes()) {
                        BenchE2eKafka.Result x = m.run(bench, batch, count);
                        results.computeIfAbsent(m, key -> new ArrayList<>())
                                .add(new Result(x.msgsPerSecond(), "", x.p50Nanos()));
                    }
                }
                kafkaRatio(out, batch, "into the database: exactly-once (KafkaSource + processor) vs at-least-once "
                        + "(KafkaConsumer + commitSync)", median(results.get(KafkaMode.EXACTLY_ONCE_DB)),
                        median(results.get(KafkaMode.AT_LEAST_ONCE_DB)));
                kafkaRatio(out, batch, "chain Kafka -> database -> Kafka: exactly-once (processor + outbox + "
                        + "KafkaOutboxRelay) vs Kafka transactions (consume-transform-produce, no database)",
                        median(results.get(KafkaMode.EXACTLY_ONCE_CHAIN)),
                        median(results.get(KafkaMode.KAFKA_TRANSACTIONS_CHAIN)));
            }
        }
        out.flush();
        return 0;
    }

    private void kafkaRatio(PrintWriter out, int batch, String what, Result eo, Result base) {
        if (eo == null || base == null) {
            return;
        }
        out.printf("ratio at batch %d (%s handler, %s store, Kafka %s, medians of %d), %s: %.2fx the throughput (%,.0f vs "
                + "%,.0f msgs/s), p50 latency %.2fx%n", batch, handlerStyle, storeKind, kafkaDurability, repeat, what,
                eo.msgsPerSecond / base.msgsPerSecond, eo.msgsPerSecond, base.msgsPerSecond,
                (double) eo.p50Nanos / Math.max(1, base.p50Nanos));
        out.flush();
    }

    /** The runs of {@code --engine kafka}, in the order they run per batch. */
    enum KafkaMode {
        EXACTLY_ONCE_DB, AT_LEAST_ONCE_DB, EXACTLY_ONCE_CHAIN, KAFKA_TRANSACTIONS_CHAIN;

        BenchE2eKafka.Result run(BenchE2eKafka b, int batch, int n) throws Exception {
            return switch (this) {
                case EXACTLY_ONCE_DB -> b.exactlyOnceIntoDb(batch, n);
                case AT_LEAST_ONCE_DB -> b.atLeastOnceIntoDb(batch, n);
                case EXACTLY_ONCE_CHAIN -> b.exactlyOnceChain(batch, n);
                case KAFKA_TRANSACTIONS_CHAIN -> b.kafkaTransactionsChain(batch, n);
            };
        }
    }

    private List<KafkaMode> kafkaModes() {
        List<KafkaMode> ms = new ArrayList<>();
        if (pipelines.contains("db")) {
            ms.add(KafkaMode.EXACTLY_ONCE_DB);
            ms.add(KafkaMode.AT_LEAST_ONCE_DB);
        }
        if (pipelines.contains("chain")) {
            ms.add(KafkaMode.EXACTLY_ONCE_CHAIN);
            ms.add(KafkaMode.KAFKA_TRANSACTIONS_CHAIN);
        }
        return ms;
    }

    private String newTopic(String bootstrap) throws IOException {
        try (Admin admin = target.security.configure(Admin.builder(bootstrap)).requestTimeoutMs(REQUEST_TIMEOUT_MS).build()) {
            String topic = "bench-e2e-" + UUID.randomUUID().toString().substring(0, 8);
            admin.createTopic(topic, partitions);
            return topic;
        }
    }

    private String handlerDescription() {
        return handlerStyle + " (per message: one ledger row + upsert of one of " + BenchLedger.ACCOUNTS
                + " account balances" + (style() == BenchLedger.Style.BATCHED ? ", as JDBC batches run once per "
                + "transaction)" : ", each statement executed by itself)");
    }

    private BenchLedger.Style style() {
        return handlerStyle.equals("batched") ? BenchLedger.Style.BATCHED : BenchLedger.Style.STATEMENTS;
    }

    /** The run with the median throughput (its latency figures with it); null for no runs. */
    static Result median(List<Result> runs) {
        if (runs == null || runs.isEmpty()) {
            return null;
        }
        List<Result> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparingDouble(Result::msgsPerSecond));
        return sorted.get(sorted.size() / 2);
    }

    private ProcessorEndpoint startEndpoint(PrintWriter out) throws IOException {
        if (metricsPort == null) {
            return null;
        }
        ProcessorEndpoint ep = ProcessorEndpoint.start("127.0.0.1", metricsPort, meters);
        out.printf("metrics: http://127.0.0.1:%d/metrics (health: /health/ready)%n", ep.port());
        out.flush();
        return ep;
    }

    private void validate() {
        if (metricsPort != null && (metricsPort < 0 || metricsPort > 65_535)) {
            throw new ParameterException(spec.commandLine(), "--metrics-port " + metricsPort
                    + " is outside 0..65535 (0 picks a free port)");
        }
        if (count < 1 || size < SIZE_MIN || partitions < 1 || producers < 1 || producers > count) {
            throw new ParameterException(spec.commandLine(), "need --count >= 1, --size >= " + SIZE_MIN
                    + ", --partitions >= 1 and 1 <= --producers <= --count");
        }
        for (int b : batchSizes) {
            if (b < 1 || b > ExactlyOnceProcessor.BATCH_SIZE_MAX) {
                throw new ParameterException(spec.commandLine(), "--batch-sizes: " + b + " is out of range 1.."
                        + ExactlyOnceProcessor.BATCH_SIZE_MAX);
            }
        }
        for (String m : modes) {
            if (!m.equals("exactly-once") && !m.equals("at-least-once")) {
                throw new ParameterException(spec.commandLine(), "--modes: '" + m
                        + "' is neither exactly-once nor at-least-once");
            }
        }
        if (!storeKind.equals("sqlite") && !storeKind.equals("postgres")) {
            throw new ParameterException(spec.commandLine(), "--store: '" + storeKind + "' is neither sqlite nor postgres");
        }
        if (!handlerStyle.equals("batched") && !handlerStyle.equals("statements")) {
            throw new ParameterException(spec.commandLine(), "--handler: '" + handlerStyle
                    + "' is neither statements nor batched");
        }
        if (warmup < 0 || repeat < 1) {
            throw new ParameterException(spec.commandLine(), "need --warmup >= 0 and --repeat >= 1");
        }
        if (!engine.equals("semel") && !engine.equals("kafka")) {
            throw new ParameterException(spec.commandLine(), "--engine: '" + engine + "' is neither semel nor kafka");
        }
        for (String pl : pipelines) {
            if (!pl.equals("db") && !pl.equals("chain")) {
                throw new ParameterException(spec.commandLine(), "--pipelines: '" + pl + "' is neither db nor chain");
            }
        }
        if (!kafkaDurability.equals("page-cache") && !kafkaDurability.equals("fsync-per-append")) {
            throw new ParameterException(spec.commandLine(), "--kafka-durability: '" + kafkaDurability
                    + "' is neither page-cache nor fsync-per-append");
        }
        if (engine.equals("kafka") && (target.broker != null || target.topic != null || target.fsyncProbe
                || target.dataDir != null || target.flushIntervalMs != 0 || metricsPort != null || target.security.any())) {
            throw new ParameterException(spec.commandLine(), "--broker, --topic, --data-dir, --flush-interval-ms, "
                    + "--fsync-probe, --metrics-port and the security options (--tls-ca, --user, ...) apply to "
                    + "--engine semel only");
        }
        if (jdbcUrl != null && !storeKind.equals("postgres")) {
            throw new ParameterException(spec.commandLine(), "--jdbc-url needs --store postgres");
        }
    }

    private BenchStore openStore() throws IOException, HandlerException {
        return storeKind.equals("sqlite") ? BenchStore.sqlite(sqliteSync)
                : BenchStore.postgres(jdbcUrl, dbUser, dbPassword);
    }

    private Result run(String bootstrap, String topic, int batch, int count, boolean exactlyOnce, JdbcStore store,
            PrintWriter out) throws HandlerException, InterruptedException, IOException {
        BenchLedger.reset(store);
        Tally progress = new Tally(count);
        String name = topic; // consumer group and processor consumer: fresh per run
        long start = System.nanoTime();
        Thread[] senders = startProducers(bootstrap, topic, count, progress);
        if (exactlyOnce) {
            SemelSource semel = new SemelSource(target.security.configure(Consumer.builder(bootstrap)).clientId("semel-bench").group(name)
                    .topic(topic).maxPollMessages(batch).requestTimeoutMs(REQUEST_TIMEOUT_MS).build(),
                    // The embedded broker's defaults; only the retention check reads them.
                    new RedeliverySettings(30_000, 5, 10_000));
            ExactlyOnceProcessor processor = ExactlyOnceProcessor.builder().source(new StampingSource(semel, progress))
                    .store(store).consumer(name).mode(ProcessingMode.TRANSACTIONAL).dedup(Dedup.SEQUENCE).batchSize(batch)
                    .pollTimeout(Duration.ofMillis(20)).meterRegistry(meters).handler(BenchLedger.handler(style())).build();
            if (endpoint != null) {
                endpoint.add(processor);
            }
            processor.start();
            try {
                progress.await(STALL_MS);
            } finally {
                processor.stop();
                if (endpoint != null) {
                    endpoint.remove(processor);
                }
            }
        } else {
            atLeastOnce(bootstrap, topic, name, batch, store, progress);
        }
        long elapsed = progress.lastNanos() - start;
        for (Thread s : senders) {
            s.join();
        }
        if (progress.failedSends.get() > 0) {
            throw new IOException(progress.failedSends.get() + " sends failed; see the broker");
        }
        BenchLedger.Check check = BenchLedger.check(store);
        double seconds = elapsed / 1e9;
        double rate = count / seconds;
        String latency = progress.latency.summary();
        out.printf("result: %d applied in %.2f s: %,.0f msgs/s; send-to-applied latency %s; %s%n", count, seconds, rate,
                latency, check.describe(count));
        out.flush();
        if (exactlyOnce && !check.exactlyOnce(count)) {
            throw new IllegalStateException("the exactly-once run did not apply each message once: "
                    + check.describe(count));
        }
        return new Result(rate, latency, progress.latency.percentileNanos(0.50));
    }

    private Thread[] startProducers(String bootstrap, String topic, int count, Tally progress) {
        AtomicLong next = new AtomicLong();
        Thread[] threads = new Thread[producers];
        for (int i = 0; i < producers; i++) {
            threads[i] = new Thread(() -> {
                try (Producer p = target.security.configure(Producer.builder(bootstrap)).clientId("semel-bench").requestTimeoutMs(REQUEST_TIMEOUT_MS)
                        .build()) {
                    for (long n = next.getAndIncrement(); n < count; n = next.getAndIncrement()) {
                        int index = (int) n;
                        byte[] key = ("acct-" + BenchLedger.account(index)).getBytes(StandardCharsets.UTF_8);
                        progress.sentNanos.set(index, System.nanoTime());
                        p.send(topic, key, value(index, size)).whenComplete((r, e) -> {
                            if (e != null) {
                                progress.failedSends.incrementAndGet();
                            }
                        });
                    }
                    p.flush();
                }
            }, "semel-bench-producer");
            threads[i].start();
        }
        return threads;
    }

    /** The at-least-once baseline: poll, apply the batch in one transaction, stamp, ack. */
    private void atLeastOnce(String bootstrap, String topic, String group, int batch, JdbcStore store, Tally progress)
            throws HandlerException, InterruptedException {
        try (Consumer c = target.security.configure(Consumer.builder(bootstrap)).clientId("semel-bench").group(group).topic(topic)
                .maxPollMessages(batch).requestTimeoutMs(REQUEST_TIMEOUT_MS).build()) {
            while (!progress.done()) {
                List<Message> polled = c.poll(Duration.ofMillis(20));
                if (polled.isEmpty()) {
                    progress.checkStall(STALL_MS);
                    continue;
                }
                List<Integer> indexes = new ArrayList<>(polled.size());
                for (Message m : polled) {
                    indexes.add(indexOf(m.value()));
                }
                store.inTransaction(tx -> {
                    BenchLedger.apply(tx.connection(), indexes, style());
                    return null;
                });
                long now = System.nanoTime();
                for (Message m : polled) {
                    progress.applied(indexOf(m.value()), now);
                }
                c.ack(polled);
            }
        }
    }

    /** A {@code size}-byte value that starts with {@code index} in decimal, read back by {@link #indexOf}. */
    static byte[] value(int index, int size) {
        byte[] v = new byte[size];
        Arrays.fill(v, (byte) 'x');
        byte[] digits = Integer.toString(index).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(digits, 0, v, 0, digits.length);
        return v;
    }

    static int indexOf(byte[] value) {
        int n = 0;
        for (byte b : value) {
            if (b < '0' || b > '9') {
                break;
            }
            n = n * 10 + (b - '0');
        }
        return n;
    }

    /** Send times, first-applied times, and completion. Thread-safe. */
    static final class Tally {
        final AtomicLongArray sentNanos;
        final AtomicLong failedSends = new AtomicLong();
        final LatencySample latency;
        private final AtomicLongArray appliedNanos;
        private final AtomicLong applied = new AtomicLong();
        private final long count;
        private volatile long lastNanos = System.nanoTime();

        Tally(int count) {
            this.count = count;
            this.sentNanos = new AtomicLongArray(count);
            this.appliedNanos = new AtomicLongArray(count);
            this.latency = new LatencySample(count);
        }

        /** Records the first time message {@code index} was applied; redeliveries do not count again. */
        void applied(int index, long nowNanos) {
            if (index < 0 || index >= count || !appliedNanos.compareAndSet(index, 0, nowNanos)) {
                return;
            }
            latency.record(index, nowNanos - sentNanos.get(index));
            lastNanos = nowNanos;
            if (applied.incrementAndGet() == count) {
                synchronized (this) {
                    notifyAll();
                }
            }
        }

        boolean done() {
            return applied.get() == count;
        }

        long lastNanos() {
            return lastNanos;
        }

        void checkStall(long stallMs) {
            if (System.nanoTime() - lastNanos > stallMs * 1_000_000L) {
                throw new IllegalStateException("only " + applied.get() + " of " + count + " messages applied; none for "
                        + stallMs + " ms");
            }
        }

        synchronized void await(long stallMs) throws InterruptedException {
            while (!done()) {
                wait(100);
                checkStall(stallMs);
            }
        }
    }

    /** Forwards to the real source and stamps "applied" for each message right before its ack (after the commit). */
    static final class StampingSource extends ForwardingSource {
        private final Tally progress;

        StampingSource(Source delegate, Tally progress) {
            super(delegate);
            this.progress = progress;
        }

        @Override
        public int ack(List<SourceMessage> messages) {
            long now = System.nanoTime();
            for (SourceMessage m : messages) {
                progress.applied(indexOf(m.value()), now);
            }
            return delegate.ack(messages);
        }
    }
}
