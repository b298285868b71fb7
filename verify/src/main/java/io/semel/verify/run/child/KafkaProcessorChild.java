package io.semel.verify.run.child;

import io.semel.kafka.KafkaSource;
import io.semel.processor.CrashPoints;
import io.semel.processor.ExactlyOnceProcessor;
import io.semel.processor.ProcessorStatus;
import io.semel.processor.store.JdbcStore;
import io.semel.verify.history.EventValue;
import io.semel.verify.history.Guarantee;
import io.semel.verify.run.AddMessage;
import io.semel.verify.schedule.FaultKind;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Main class of a processor child JVM on the Kafka engine. Exactly-once: Semel's {@link ExactlyOnceProcessor} over
 * {@link KafkaSource} (position, claim epoch and inbox in the store; {@link RecordingKafkaSource} records the steps),
 * with the workload's handler. The weaker guarantees: a plain Kafka consumer ({@link KafkaConsumerLoop}).
 *
 * <p>Faults the child injects into itself when the harness arms them (over the event channel, or with
 * {@code --armed <fault>} from its first instruction), each recorded as a nemesis start before it acts:
 * <ul>
 *   <li>{@code crash-after-claim}: halt at {@code kafka.afterClaimBeforeSeek} (the claim committed, no seek yet);</li>
 *   <li>{@code crash-after-handler-before-commit}: halt inside the batch transaction, after the handler applied a
 *       message;</li>
 *   <li>{@code crash-after-commit-before-ack}: halt after the commit, before the next poll (in the recorder);</li>
 *   <li>{@code zombie}: SIGSTOP itself inside the batch transaction after the handler; the harness sends SIGCONT
 *       after the group's session timeout has passed.</li>
 * </ul>
 * Arguments as {@link ProcessorChild}'s, plus {@code --armed} and {@code --outbox-topic} (each applied message also
 * writes an outbox row to it, which the relay child publishes). On {@code STOP} (a rebalance storm's leave) it closes
 * the processor, which leaves the group, and exits 0; it exits 3 if the processor stops on its own.
 */
public final class KafkaProcessorChild {
    public static final String READY = "READY";
    static final int MAX_POLL_INTERVAL_MS = 30_000;
    static final int HEARTBEAT_INTERVAL_MS = 1_000;

    private KafkaProcessorChild() {
    }

    public static void main(String[] argv) throws Exception {
        ChildArgs args = ChildArgs.parse(argv);
        String name = args.get("name");
        int generation = args.getInt("generation");
        ChildChannel channel = ChildChannel.connect(args);
        ChildHistory history = new ChildHistory(channel, name, generation);
        Guarantee guarantee = Guarantee.fromWireName(args.get("guarantee"));
        JdbcStore store = ProcessorChild.openStore(args);
        if (guarantee != Guarantee.EXACTLY_ONCE) {
            KafkaConsumerLoop loop = new KafkaConsumerLoop(guarantee, KafkaConsumerLoop.config(args), args.get("topic"),
                    args.get("outbox-topic", null), store, history, channel);
            System.out.println(READY + " " + name + " generation " + generation);
            System.out.flush();
            loop.run();
            return;
        }
        KafkaSource kafka = KafkaSource.builder(args.get("bootstrap"), args.get("group"), args.get("topic"))
                .sessionTimeoutMs(args.getInt("session-timeout-ms"))
                .maxPollIntervalMs(MAX_POLL_INTERVAL_MS)
                .maxPollRecords(100)
                .nackBackoffMaxMs(1_000)
                .maxDeliveries(100)
                .consumerProperty("client.id", name)
                .consumerProperty("heartbeat.interval.ms", HEARTBEAT_INTERVAL_MS)
                .consumerProperty("request.timeout.ms", 5_000)
                .consumerProperty("reconnect.backoff.max.ms", 300)
                .crashHook(step -> {
                    if (step.equals(CrashPoints.KAFKA_AFTER_CLAIM_BEFORE_SEEK)
                            && channel.armed(FaultKind.CRASH_AFTER_CLAIM.wireName())) {
                        history.crashNow(FaultKind.CRASH_AFTER_CLAIM.wireName(), "after the claim, before the seek");
                    }
                    CrashPoints.SYSTEM.reached(step);
                })
                .build();
        RecordingKafkaSource source = new RecordingKafkaSource(kafka, history);
        String outboxTopic = args.get("outbox-topic", null);
        ExactlyOnceProcessor processor = ExactlyOnceProcessor.builder()
                .source(source).store(store).consumer(args.get("group"))
                .clock(ControlledInstantSource.systemOrControlled())
                .batchSize(100)
                .pollTimeout(Duration.ofMillis(300))
                .handler((message, tx) -> {
                    AddMessage add = AddMessage.decodeValue(message.value());
                    source.applying(add.id());
                    Accounts.apply(tx.connection(), add);
                    if (outboxTopic != null) {
                        // The outgoing copy, published by the relay: effect and message commit together.
                        tx.send(outboxTopic, message.key(), message.value());
                    }
                    inTransaction(channel, history);
                })
                .build();
        // Ready before start: a crash armed from the start may fire at the first claim, right after it.
        System.out.println(READY + " " + name + " generation " + generation);
        System.out.flush();
        processor.start();
        while (true) {
            Thread.sleep(200);
            if (channel.stopRequested()) {
                processor.close();
                System.out.println("STOPPED " + name);
                System.out.flush();
                Runtime.getRuntime().halt(0);
            }
            ProcessorStatus s = processor.status();
            if (s.state() != ProcessorStatus.State.RUNNING) {
                System.err.println("processor stopped on its own: " + s);
                System.err.flush();
                Runtime.getRuntime().halt(3);
            }
        }
    }

    /** The faults injected inside the batch transaction, right after the handler applied a message. */
    static void inTransaction(ChildChannel channel, ChildHistory history) {
        // The zombie first: when both are armed, the zombie comes back and the crash fires at a later handler call.
        if (channel.armed(FaultKind.ZOMBIE.wireName())) {
            channel.disarm(FaultKind.ZOMBIE.wireName());
            history.injected(FaultKind.ZOMBIE.wireName());
            stopSelf();
            return;
        }
        if (channel.armed(FaultKind.CRASH_AFTER_HANDLER_BEFORE_COMMIT.wireName())) {
            history.crashNow(FaultKind.CRASH_AFTER_HANDLER_BEFORE_COMMIT.wireName(),
                    "after the handler, before the commit");
        }
    }

    /** SIGSTOP to this JVM: every thread stops, heartbeats too, until the harness sends SIGCONT. */
    static void stopSelf() {
        long pid = ProcessHandle.current().pid();
        System.err.println("SELF-STOP: stopping pid " + pid + " inside the transaction");
        System.err.flush();
        try {
            Process p = new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start();
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            System.err.println("could not stop this JVM: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.err.println("SELF-STOP: continued");
        System.err.flush();
    }
}
