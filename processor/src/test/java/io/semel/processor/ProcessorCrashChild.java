package io.semel.processor;

import io.semel.client.Consumer;
import io.semel.processor.store.JdbcStore;
import io.semel.processor.testing.Applied;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Child JVM for {@link ProcessorCrashTest}: runs a TRANSACTIONAL processor with the increment handler
 * on a SQLite file until killed (SIGKILL from the parent, or a crash point's halt(137)), or until
 * the inbox holds {@code expected} PROCESSED rows, then exits 0.
 *
 * <p>Args: bootstrap, store file, topic, group, expected count.
 */
public final class ProcessorCrashChild {
    static final long HANDLER_PAUSE_MS = 2;

    private ProcessorCrashChild() {
    }

    private static void sleepMs(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        Path file = Path.of(args[1]);
        String topic = args[2];
        String group = args[3];
        long expected = Long.parseLong(args[4]);
        try (JdbcStore store = JdbcStore.sqlite(file)) {
            Bank.createTables(store);
            SemelSource source = new SemelSource(Consumer.builder(bootstrap).group(group).topic(topic)
                    .sessionTimeoutMs(600).maxPollMessages(20).build(), BrokerFixture.REDELIVERY);
            ExactlyOnceProcessor p = ExactlyOnceProcessor.builder().source(source).store(store).consumer(group)
                    .handler((m, tx) -> {
                        Bank.increment(tx.connection(), m);
                        // Slow enough that a SIGKILL at a random second lands in the middle of the work.
                        sleepMs(HANDLER_PAUSE_MS);
                    }).batchSize(7).inboxRetentionMs(Duration.ofHours(1).toMillis()).build();
            p.start();
            while (Applied.count(store, group) < expected) {
                Thread.sleep(50);
            }
            p.stop();
            System.out.println("DONE " + p.status());
        }
        System.exit(0);
    }
}
