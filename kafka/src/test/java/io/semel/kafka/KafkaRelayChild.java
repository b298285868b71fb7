package io.semel.kafka;

import io.semel.processor.store.JdbcStore;

/**
 * Child JVM for {@link KafkaRelayKillTest}: runs a {@link KafkaOutboxRelay} over a PostgreSQL store
 * until killed or halted at a crash point ({@code -Dsemel.crashPoints}), or with {@code drain} until
 * nothing is pending (then exits 0). Prints "SENT n" after each pass.
 * Args: jdbcUrl bootstrap relayName progressTopic [drain].
 */
public final class KafkaRelayChild {
    private KafkaRelayChild() {
    }

    public static void main(String[] args) throws Exception {
        boolean drain = args.length > 4 && args[4].equals("drain");
        try (JdbcStore store = JdbcStore.postgres(args[0], "postgres", "", 2);
                KafkaOutboxRelay relay = KafkaOutboxRelay.builder(store, args[1], args[2]).progressTopic(args[3])
                        .progressReplicationFactor(1).relayBatchMax(25).relayPassRowsMax(25)
                        .transactionTimeoutMs(60_000).build()) {
            long total = 0;
            while (true) {
                int n = relay.runOnce();
                total += n;
                System.out.println("SENT " + total);
                System.out.flush();
                if (n == 0) {
                    if (drain) {
                        return;
                    }
                    Thread.sleep(20);
                }
            }
        }
    }
}
