package io.semel.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.client.Consumer;
import io.semel.client.PartitionReader;
import io.semel.client.PartitionRecord;
import io.semel.client.Producer;
import io.semel.processor.store.HandlerException;
import io.semel.processor.store.JdbcStore;
import io.semel.processor.testing.Applied;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The chained pipeline of the end-to-end tests: processor A consumes {@value #IN}, adds each amount to
 * its own table {@code a_totals} and sends the message on to {@value #MID} through its outbox; an outbox
 * relay publishes A's outbox; processor B consumes {@value #MID} and applies the non-idempotent
 * increment ({@link Bank}) to its own store. Both stores are SQLite files; the broker is real.
 */
final class Chain implements AutoCloseable {
    static final String IN = "in";
    static final String MID = "mid";
    static final String GROUP_A = "chain-a";
    static final String GROUP_B = "chain-b";
    static final int PARTITIONS = 3;
    /** A's pause per message: slow enough that the relay streams while A still works. */
    static final long A_PAUSE_MS = 1;

    final BrokerFixture broker;
    final Path storeAFile;
    final JdbcStore storeA;
    final JdbcStore storeB;
    final Map<String, Long> expected = new HashMap<>();
    int sent;

    Chain(Path dir) throws Exception {
        broker = BrokerFixture.start(dir.resolve("broker"));
        broker.createTopic(IN, PARTITIONS);
        broker.createTopic(MID, PARTITIONS);
        storeAFile = dir.resolve("a.db");
        storeA = JdbcStore.sqlite(storeAFile);
        storeB = JdbcStore.sqlite(dir.resolve("b.db"));
        storeA.inTransaction(tx -> {
            try (Statement st = tx.connection().createStatement()) {
                st.executeUpdate("CREATE TABLE IF NOT EXISTS a_totals (id VARCHAR(64) PRIMARY KEY, total BIGINT NOT NULL)");
            }
            return null;
        });
        Bank.createTables(storeB);
        for (int i = 0; i < Bank.ACCOUNTS; i++) {
            expected.put(Bank.account(i), 0L);
        }
    }

    /** Sends {@code n} confirmed deposits to {@value #IN}. */
    void send(int n, Random random) {
        try (Producer producer = Producer.builder(broker.bootstrap()).build()) {
            List<CompletableFuture<?>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String acct = Bank.account(random.nextInt(Bank.ACCOUNTS));
                long amount = 1 + random.nextInt(1000);
                fs.add(producer.send(IN, Bank.utf8(acct), Bank.utf8(Long.toString(amount))));
                expected.merge(acct, amount, Long::sum);
            }
            producer.flush();
            fs.forEach(CompletableFuture::join);
        }
        sent += n;
    }

    /** A: the running total per account in its own table, and the message on to {@value #MID}. */
    ExactlyOnceProcessor startA() {
        SemelSource source = new SemelSource(Consumer.builder(broker.bootstrap()).group(GROUP_A).topic(IN)
                .sessionTimeoutMs(600).maxPollMessages(20).build(), BrokerFixture.REDELIVERY);
        ExactlyOnceProcessor a = ExactlyOnceProcessor.builder().source(source).store(storeA).consumer(GROUP_A)
                .handler((m, tx) -> {
                    try (PreparedStatement ps = tx.connection().prepareStatement("INSERT INTO a_totals (id, total) "
                            + "VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET total = a_totals.total + excluded.total")) {
                        ps.setString(1, new String(m.key(), StandardCharsets.UTF_8));
                        ps.setLong(2, Long.parseLong(new String(m.value(), StandardCharsets.UTF_8)));
                        ps.executeUpdate();
                    }
                    tx.send(MID, m.key(), m.value());
                    sleepMs(A_PAUSE_MS);
                }).batchSize(10).inboxRetentionMs(Duration.ofHours(1).toMillis()).build();
        a.start();
        return a;
    }

    /** B: the non-idempotent increment, deduplicating by the {@code semel.id} the relay carries. */
    ExactlyOnceProcessor startB() {
        SemelSource source = new SemelSource(Consumer.builder(broker.bootstrap()).group(GROUP_B).topic(MID)
                .sessionTimeoutMs(600).maxPollMessages(50).build(), BrokerFixture.REDELIVERY);
        ExactlyOnceProcessor b = ExactlyOnceProcessor.builder().source(source).store(storeB).consumer(GROUP_B)
                .handler(Bank.INCREMENT).batchSize(50).inboxRetentionMs(Duration.ofHours(1).toMillis()).build();
        b.start();
        return b;
    }

    long processedA() {
        return Applied.count(storeA, GROUP_A);
    }

    long processedB() {
        return Applied.count(storeB, GROUP_B);
    }

    boolean outboxEmpty() {
        return storeA.pendingOutbox(0, 1).isEmpty();
    }

    void awaitTrue(String what, long timeoutMs, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("%s within %d ms", what, timeoutMs).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /**
     * The end-to-end claim: A's totals and B's balances both equal the sums of the inputs, and
     * {@value #MID} holds each outgoing id ({@code <input id>#0}) exactly once.
     */
    void assertExactlyOnceEndToEnd(String context) throws HandlerException {
        assertThat(totalsA()).as("A's totals (%s)", context).isEqualTo(expected);
        assertThat(Bank.balances(storeB)).as("B's balances (%s)", context).isEqualTo(expected);
        Set<String> expectedIds = new HashSet<>();
        List<String> midIds = new ArrayList<>();
        try (PartitionReader reader = PartitionReader.builder(broker.bootstrap()).build()) {
            for (int p = 0; p < PARTITIONS; p++) {
                for (PartitionRecord r : reader.readToEnd(IN, p, 0, 1_000_000)) {
                    expectedIds.add(SourceMessage.messageIdOf(IN, p, r.offset(), r.headers()) + "#0");
                }
                for (PartitionRecord r : reader.readToEnd(MID, p, 0, 1_000_000)) {
                    midIds.add(r.header(SourceMessage.ID_HEADER));
                }
            }
        }
        assertThat(expectedIds).hasSize(sent);
        assertThat(midIds).as("every outgoing id in '%s' exactly once (%s)", MID, context)
                .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expectedIds);
        assertThat(processedB()).isEqualTo(sent);
    }

    Map<String, Long> totalsA() throws HandlerException {
        return storeA.inTransaction(tx -> {
            Map<String, Long> out = new HashMap<>();
            for (int i = 0; i < Bank.ACCOUNTS; i++) {
                out.put(Bank.account(i), 0L);
            }
            try (Statement st = tx.connection().createStatement();
                    ResultSet rs = st.executeQuery("SELECT id, total FROM a_totals")) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
            return out;
        });
    }

    static void sleepMs(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        storeA.close();
        storeB.close();
        broker.close();
    }
}
