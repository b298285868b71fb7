package io.semel.verify.run.child;

import io.semel.client.Consumer;
import io.semel.processor.ExactlyOnceProcessor;
import io.semel.processor.ProcessorStatus;
import io.semel.processor.RedeliverySettings;
import io.semel.processor.store.JdbcStore;
import io.semel.verify.run.AddMessage;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The exactly-once processor child: Semel's {@link ExactlyOnceProcessor} (TRANSACTIONAL mode) over a
 * {@link RecordingSource}, with a handler that adds the amount and records the id in the processor's own
 * transaction (dedup record and position commit with it). Exits with status 3 if the processor stops on its
 * own, so the harness's watchdog restarts it.
 */
final class ExactlyOnceRunner {
    private static final long NACK_BACKOFF_MAX_MS = 1_000;

    private ExactlyOnceRunner() {
    }

    static void run(ChildArgs args, JdbcStore store, ChildHistory history) throws InterruptedException {
        Supplier<Consumer> connect = () -> Consumer.builder(args.get("bootstrap"))
                .clientId(args.get("name")).group(args.get("group")).topic(args.get("topic"))
                .sessionTimeoutMs(args.getInt("session-timeout-ms"))
                .requestTimeoutMs(5_000).connectTimeoutMs(2_000)
                .maxPollMessages(100)
                .build();
        RedeliverySettings settings = new RedeliverySettings(Long.parseLong(args.get("ack-timeout-ms")),
                args.getInt("max-deliveries"), NACK_BACKOFF_MAX_MS);
        RecordingSource source = new RecordingSource(connect, settings, history);
        source.connect();
        ExactlyOnceProcessor processor = ExactlyOnceProcessor.builder()
                .source(source).store(store).consumer(args.get("group"))
                .clock(ControlledInstantSource.systemOrControlled())
                .batchSize(100)
                .pollTimeout(Duration.ofMillis(300))
                .handler((message, tx) -> {
                    AddMessage add = AddMessage.decodeValue(message.value());
                    source.applying(add.id());
                    Accounts.apply(tx.connection(), add);
                })
                .build();
        processor.start();
        System.out.println(ProcessorChild.READY + " " + args.get("name") + " generation " + args.get("generation"));
        System.out.flush();
        while (true) {
            Thread.sleep(200);
            ProcessorStatus s = processor.status();
            if (s.state() != ProcessorStatus.State.RUNNING) {
                System.err.println("processor stopped on its own: " + s);
                System.err.flush();
                Runtime.getRuntime().halt(3);
            }
        }
    }
}
