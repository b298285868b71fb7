package io.semel.cli;

import io.semel.client.Admin;
import io.semel.client.Consumer;
import io.semel.client.Message;
import io.semel.client.Producer;
import io.semel.processor.ExactlyOnceProcessor;
import io.semel.processor.ForwardingSource;
import io.semel.processor.ProcessingMode;
import io.semel.processor.RedeliverySettings;
import io.semel.processor.SemelSource;
import io.semel.processor.Source;
import io.semel.processor.SourceMessage;
import io.semel.processor.store.HandlerException;
import io.semel.processor.store.JdbcStore;
import io.semel.processor.store.StoreOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
    private static final int ACCOUNTS = 100;
    /** Smallest value: the message index is written in decimal at its start. */
    private static final int SIZE_MIN = 12;
    private static final String TABLE = "semel_bench_accounts";

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

    @Option(names = "--modes", paramLabel = "M,M", split = ",",
            description = "exactly-once, at-least-once or both (default both).")
    List<String> modes = new ArrayList<>(List.of("exactly-once", "at-least-once"));

    @Mixin
    BenchTarget target;

    @Spec
    CommandSpec spec;

    /** One run's figures. */
    record Result(double msgsPerSecond, String latency, long p50Nanos) {
    }

    @Override
    public Integer call() throws Exception {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        try (BenchTarget t = target; BenchStore db = openStore()) {
            String bootstrap = t.start();
            createTable(db.store());
            for (int batch : batchSizes) {
                Result eo = null;
                Result alo = null;
                for (String mode : modes) {
                    String topic;
                    try (Admin admin = target.security.configure(Admin.builder(bootstrap)).requestTimeoutMs(REQUEST_TIMEOUT_MS).build()) {
                        topic = "bench-e2e-" + UUID.randomUUID().toString().substring(0, 8);
                        admin.createTopic(topic, partitions);
                    }
                    boolean exactlyOnce = mode.equals("exactly-once");
                    out.printf("setup: bench e2e, %s, %d messages x %d B, topic %s (%d partition(s)), %d producer(s), "
                            + "batch %d, store %s, durability broker %s, broker %s%n", exactlyOnce
                            ? "exactly-once (ExactlyOnceProcessor TRANSACTIONAL: inbox row + position + increment "
                            + "per message, one transaction per batch, then ack)"
                            : "at-least-once (Consumer: poll, increment in one transaction per batch, then ack; no inbox)",
                            count, size, topic, partitions, producers, batch, db.description(), target.durability(),
                            target.brokerDescription());
                    out.flush();
                    Result r = run(bootstrap, topic, batch, exactlyOnce, db.store(), out);
                    if (exactlyOnce) {
                        eo = r;
                    } else {
                        alo = r;
                    }
                }
                if (eo != null && alo != null) {
                    out.printf("ratio at batch %d: exactly-once runs at %.2fx the at-least-once throughput (%,.0f vs "
                            + "%,.0f msgs/s), p50 latency %.2fx (%s store)%n", batch, eo.msgsPerSecond / alo.msgsPerSecond,
                            eo.msgsPerSecond, alo.msgsPerSecond, (double) eo.p50Nanos / Math.max(1, alo.p50Nanos),
                            storeKind);
                }
                out.flush();
            }
            return 0;
        }
    }

    private void validate() {
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
        if (jdbcUrl != null && !storeKind.equals("postgres")) {
            throw new ParameterException(spec.commandLine(), "--jdbc-url needs --store postgres");
        }
    }

    private BenchStore openStore() throws IOException, HandlerException {
        return storeKind.equals("sqlite") ? BenchStore.sqlite(sqliteSync)
                : BenchStore.postgres(jdbcUrl, dbUser, dbPassword);
    }

    private Result run(String bootstrap, String topic, int batch, boolean exactlyOnce, JdbcStore store, PrintWriter out)
            throws HandlerException, InterruptedException, IOException {
        resetAccounts(store);
        Tally progress = new Tally(count);
        String name = topic; // consumer group and processor consumer: fresh per run
        long start = System.nanoTime();
        Thread[] senders = startProducers(bootstrap, topic, progress);
        if (exactlyOnce) {
            SemelSource semel = new SemelSource(target.security.configure(Consumer.builder(bootstrap)).clientId("semel-bench").group(name)
                    .topic(topic).maxPollMessages(batch).requestTimeoutMs(REQUEST_TIMEOUT_MS).build(),
                    // The embedded broker's defaults; only the retention check reads them.
                    new RedeliverySettings(30_000, 5, 10_000));
            ExactlyOnceProcessor processor = ExactlyOnceProcessor.builder().source(new StampingSource(semel, progress))
                    .store(store).consumer(name).mode(ProcessingMode.TRANSACTIONAL).batchSize(batch)
                    .pollTimeout(Duration.ofMillis(20))
                    .handler((m, tx) -> increment(tx.connection(), m.key())).build();
            processor.start();
            try {
                progress.await(STALL_MS);
            } finally {
                processor.stop();
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
        long sum = balanceSum(store);
        double seconds = elapsed / 1e9;
        double rate = count / seconds;
        String latency = progress.latency.summary();
        out.printf("result: %d applied in %.2f s: %,.0f msgs/s; send-to-applied latency %s; balances sum %d (%s)%n",
                count, seconds, rate, latency, sum, sum == count ? "each message applied once"
                        : (sum - count) + " applied more than once");
        out.flush();
        return new Result(rate, latency, progress.latency.percentileNanos(0.50));
    }

    private Thread[] startProducers(String bootstrap, String topic, Tally progress) {
        AtomicLong next = new AtomicLong();
        Thread[] threads = new Thread[producers];
        for (int i = 0; i < producers; i++) {
            threads[i] = new Thread(() -> {
                try (Producer p = target.security.configure(Producer.builder(bootstrap)).clientId("semel-bench").requestTimeoutMs(REQUEST_TIMEOUT_MS)
                        .build()) {
                    for (long n = next.getAndIncrement(); n < count; n = next.getAndIncrement()) {
                        int index = (int) n;
                        byte[] key = ("acct-" + index % ACCOUNTS).getBytes(StandardCharsets.UTF_8);
                        progress.sentNanos.set(index, System.nanoTime());
                        p.send(topic, key, value(index)).whenComplete((r, e) -> {
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
                store.inTransaction(tx -> {
                    for (Message m : polled) {
                        increment(tx.connection(), m.key());
                    }
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

    private byte[] value(int index) {
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

    private static void increment(Connection c, byte[] key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + TABLE + " SET balance = balance + 1 WHERE id = ?")) {
            ps.setString(1, new String(key, StandardCharsets.UTF_8));
            if (ps.executeUpdate() != 1) {
                throw new SQLException("no account " + new String(key, StandardCharsets.UTF_8) + " in " + TABLE);
            }
        }
    }

    private static void createTable(JdbcStore store) throws HandlerException {
        store.inTransaction(tx -> {
            try (Statement st = tx.connection().createStatement()) {
                st.executeUpdate("CREATE TABLE IF NOT EXISTS " + TABLE
                        + " (id VARCHAR(64) PRIMARY KEY, balance BIGINT NOT NULL)");
            }
            return null;
        });
    }

    private static void resetAccounts(JdbcStore store) throws HandlerException {
        store.inTransaction(tx -> {
            try (Statement st = tx.connection().createStatement()) {
                st.executeUpdate("DELETE FROM " + TABLE);
            }
            try (PreparedStatement ps = tx.connection().prepareStatement("INSERT INTO " + TABLE
                    + " (id, balance) VALUES (?, 0)")) {
                for (int i = 0; i < ACCOUNTS; i++) {
                    ps.setString(1, "acct-" + i);
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    private static long balanceSum(JdbcStore store) throws HandlerException {
        return store.inTransaction(tx -> {
            try (Statement st = tx.connection().createStatement();
                    ResultSet rs = st.executeQuery("SELECT SUM(balance) FROM " + TABLE)) {
                rs.next();
                return rs.getLong(1);
            }
        });
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
    private static final class StampingSource extends ForwardingSource {
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
