package io.semel.kafka;

import io.semel.processor.ExactlyOnceProcessor;
import io.semel.processor.store.JdbcStore;
import io.semel.processor.testing.Applied;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

/**
 * Child JVM for {@link KafkaProcessorKillTest}: an exactly-once processor on a {@link KafkaSource}
 * over PostgreSQL applying non-idempotent increments ({@code accounts.balance += value}), until it is
 * killed, halts at a crash point ({@code -Dsemel.crashPoints}), or the inbox holds {@code target}
 * processed messages (then exits 0). Args: jdbcUrl bootstrap topic group target.
 */
public final class KafkaProcessorChild {
    private KafkaProcessorChild() {
    }

    public static void main(String[] args) throws Exception {
        String group = args[3];
        long target = Long.parseLong(args[4]);
        try (JdbcStore store = JdbcStore.postgres(args[0], "postgres", "", 4)) {
            KafkaSource source = KafkaSource.builder(args[1], group, args[2]).sessionTimeoutMs(2_000)
                    .maxPollIntervalMs(20_000).maxPollRecords(50).build();
            ExactlyOnceProcessor p = ExactlyOnceProcessor.builder().source(source).store(store).consumer(group)
                    .batchSize(20).inboxRetentionMs(TimeUnit.DAYS.toMillis(1))
                    .handler((m, tx) -> increment(tx.connection(), m.key(), m.value())).build();
            p.start();
            while (Applied.count(store, group) < target) {
                Thread.sleep(20);
            }
            p.stop();
        }
    }

    static void increment(java.sql.Connection c, byte[] key, byte[] value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?")) {
            ps.setLong(1, Long.parseLong(new String(value, StandardCharsets.UTF_8)));
            ps.setString(2, new String(key, StandardCharsets.UTF_8));
            if (ps.executeUpdate() != 1) {
                throw new SQLException("no account " + new String(key, StandardCharsets.UTF_8));
            }
        }
    }
}
