package io.semel.processor;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.semel.client.Consumer;
import io.semel.client.PartitionRecord;
import io.semel.client.Producer;
import io.semel.processor.outbox.OutboxRelay;
import io.semel.processor.store.HandlerException;
import io.semel.processor.store.JdbcStore;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Use it in your service" code, compiled and run: {@link #startBilling} is the README
 * snippet with the broker address as a parameter.
 */
class ServiceExampleTest {
    @TempDir
    Path dir;

    record Billing(JdbcStore store, ExactlyOnceProcessor processor, OutboxRelay relay) implements AutoCloseable {
        @Override
        public void close() {
            relay.close();
            processor.stop();
            store.close();
        }
    }

    // ---- README: Use it in your service (keep the two in step) ----
    static Billing startBilling(String broker, Path dbFile) throws HandlerException {
        JdbcStore store = JdbcStore.sqlite(dbFile);                        // or JdbcStore.postgres(url, user, pw, 8)
        store.inTransaction(tx -> {                                        // your tables live in the same database
            try (Statement st = tx.connection().createStatement()) {
                st.executeUpdate("CREATE TABLE IF NOT EXISTS balances (account TEXT PRIMARY KEY, cents BIGINT NOT NULL)");
            }
            return null;
        });

        Consumer consumer = Consumer.builder(broker).group("billing").topic("orders").build();
        ExactlyOnceProcessor processor = ExactlyOnceProcessor.builder()
                .source(new SemelSource(consumer, new RedeliverySettings(30_000, 5, 10_000))) // the broker's group settings
                .store(store)
                .consumer("billing")                                       // dedup/position owner: keep it stable
                .handler((message, tx) -> {
                    // Runs in the store transaction that also records the message as processed.
                    try (PreparedStatement ps = tx.connection().prepareStatement(
                            "INSERT INTO balances (account, cents) VALUES (?, ?) "
                                    + "ON CONFLICT (account) DO UPDATE SET cents = balances.cents + excluded.cents")) {
                        ps.setString(1, new String(message.key(), UTF_8));
                        ps.setLong(2, Long.parseLong(new String(message.value(), UTF_8)));
                        ps.executeUpdate();
                    }
                    tx.send("invoices", message.key(), message.value());   // an outbox row in the same transaction
                })
                .build();
        processor.start();

        // Publishes the outbox rows to the broker, each exactly once, beside the processor.
        OutboxRelay relay = OutboxRelay.builder(store, broker).relayName("billing-outbox").build().start();
        return new Billing(store, processor, relay);
    }
    // ---- end of README code ----

    @Test
    void theReadmeServiceAppliesOrdersAndPublishesInvoicesOnce() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(dir.resolve("broker"))) {
            broker.createTopic("orders", 2);
            broker.createTopic("invoices", 2);
            try (Producer producer = Producer.builder(broker.bootstrap()).build()) {
                for (int i = 0; i < 20; i++) {
                    producer.send("orders", ("acct-" + i % 3).getBytes(UTF_8), Integer.toString(i).getBytes(UTF_8));
                }
                producer.flush();
            }
            try (Billing billing = startBilling(broker.bootstrap(), dir.resolve("billing.db"))) {
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (invoices(broker).size() < 20) {
                    assertThat(System.nanoTime()).isLessThan(deadline);
                    Thread.sleep(20);
                }
                long total = billing.store().inTransaction(tx -> {
                    try (Statement st = tx.connection().createStatement();
                            ResultSet rs = st.executeQuery("SELECT SUM(cents) FROM balances")) {
                        rs.next();
                        return rs.getLong(1);
                    }
                });
                assertThat(total).isEqualTo(190); // 0 + 1 + ... + 19
            }
            assertThat(invoices(broker)).hasSize(20).doesNotHaveDuplicates();
        }
    }

    private static List<String> invoices(BrokerFixture broker) {
        List<String> ids = new ArrayList<>();
        try (io.semel.client.PartitionReader r = io.semel.client.PartitionReader.builder(broker.bootstrap()).build()) {
            for (int p = 0; p < 2; p++) {
                for (PartitionRecord rec : r.readToEnd("invoices", p, 0, 1_000)) {
                    ids.add(rec.header(SourceMessage.ID_HEADER));
                }
            }
        }
        return ids;
    }
}
