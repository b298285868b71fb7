package io.semel.processor.outbox;

import io.semel.processor.store.JdbcStore;
import java.nio.file.Path;

/**
 * Child JVM for {@link RelayKillTest}: runs a relay over a SQLite file until killed, or with
 * {@code drain} until nothing is pending (then exits 0). Prints "SENT n" after each pass.
 */
public final class RelayChild {
    private RelayChild() {
    }

    public static void main(String[] args) throws Exception {
        Path db = Path.of(args[0]);
        String bootstrap = args[1];
        boolean drain = args.length > 2 && args[2].equals("drain");
        try (JdbcStore store = JdbcStore.sqlite(db);
                OutboxRelay relay = OutboxRelay.builder(store, bootstrap).relayName(RelayFixture.RELAY)
                        .relayBatchMax(25).build()) {
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
