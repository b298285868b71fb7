package io.semel.sample.bank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.semel.client.PartitionRecord;
import io.semel.client.Producer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.sqlite.SQLiteDataSource;

/**
 * The sample application stopped mid-stream and started again on the same database file while
 * deposits keep arriving: each deposit's effect is in the balances exactly once, each is in the
 * inbox once, and each receipt is in the outbox once and published once.
 */
class BankRestartTest {
    private static final int DEPOSITS = 600;
    private static final int CHUNK = 10;
    private static final long CHUNK_PAUSE_MS = 25;

    @TempDir
    Path dir;

    private static String[] args(SampleBroker broker, Path db) {
        String[] props = broker.properties(db);
        String[] args = new String[props.length];
        for (int i = 0; i < props.length; i++) {
            args[i] = "--" + props[i]; // command-line arguments win over application.properties
        }
        return args;
    }

    private static ConfigurableApplicationContext startApp(SampleBroker broker, Path db) {
        return new SpringApplicationBuilder(BankApplication.class).web(WebApplicationType.NONE).run(args(broker, db));
    }

    @Test
    void aRestartMidStreamAppliesAndRelaysEachDepositExactlyOnce() throws Exception {
        Path db = dir.resolve("bank.db");
        SQLiteDataSource reader = new SQLiteDataSource();
        reader.setUrl("jdbc:sqlite:" + db);
        List<String> deposits = Ledger.deposits(0, DEPOSITS, 13);
        try (SampleBroker broker = SampleBroker.start(dir.resolve("broker"))) {
            ConfigurableApplicationContext first = startApp(broker, db);
            CompletableFuture<Void> sending;
            long appliedAtStop;
            try (Producer producer = Producer.builder(broker.bootstrap()).build()) {
                sending = CompletableFuture.runAsync(() -> sendSlowly(producer, deposits));
                await().atMost(Duration.ofSeconds(60)).until(() -> inbox(reader) >= 100);
                SpringApplication.exit(first); // graceful: the batch in flight commits and is acked
                appliedAtStop = inbox(reader);
                assertThat(appliedAtStop).as("stopped mid-stream").isLessThan(DEPOSITS);

                ConfigurableApplicationContext second = startApp(broker, db);
                try {
                    sending.get(120, TimeUnit.SECONDS);
                    await().atMost(Duration.ofSeconds(60)).until(() -> inbox(reader) >= DEPOSITS);
                    await().atMost(Duration.ofSeconds(60)).until(() ->
                            Ledger.count(reader, "SELECT count(*) FROM semel_outbox WHERE sent_at_ms IS NULL") == 0);
                    await().atMost(Duration.ofSeconds(60)).until(() ->
                            broker.readAll(DepositHandler.RECEIPTS).size() >= DEPOSITS);
                } finally {
                    SpringApplication.exit(second);
                }
            }

            assertThat(Ledger.balances(reader)).isEqualTo(Ledger.expected(deposits));
            assertThat(inbox(reader)).isEqualTo(DEPOSITS);
            assertThat(Ledger.count(reader, "SELECT count(*) FROM semel_outbox")).isEqualTo(DEPOSITS);
            List<PartitionRecord> receipts = broker.readAll(DepositHandler.RECEIPTS);
            assertThat(receipts).hasSize(DEPOSITS);
            Set<String> receiptIds = receipts.stream().map(r -> r.header("semel.id")).collect(Collectors.toSet());
            assertThat(receiptIds).isEqualTo(inboxIds(reader));
        }
    }

    /** Sends the deposits in small chunks with pauses, so the stream is still flowing across the restart. */
    private static void sendSlowly(Producer producer, List<String> deposits) {
        try {
            for (int i = 0; i < deposits.size(); i += CHUNK) {
                Ledger.send(producer, deposits.subList(i, Math.min(deposits.size(), i + CHUNK)));
                Thread.sleep(CHUNK_PAUSE_MS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("sending deposits failed: " + e, e);
        }
    }

    private static long inbox(SQLiteDataSource ds) throws Exception {
        // One receipt per applied deposit, in the same transaction (sequence dedup keeps no inbox row per message).
        return Ledger.count(ds, "SELECT count(*) FROM semel_outbox");
    }

    /** Each processed message's outgoing id: {@code <message id>#0}. */
    private static Set<String> inboxIds(SQLiteDataSource ds) throws Exception {
        Set<String> ids = new HashSet<>();
        try (var c = ds.getConnection(); var st = c.createStatement();
                var rs = st.executeQuery("SELECT message_id FROM semel_outbox")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

}
