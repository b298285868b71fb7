package io.semel.verify.run.child;

import io.semel.kafka.KafkaOutboxRelay;
import io.semel.processor.CrashPoints;
import io.semel.processor.store.JdbcStore;
import io.semel.verify.schedule.FaultKind;

/**
 * Main class of an outbox relay child JVM on the Kafka engine: Semel's {@link KafkaOutboxRelay} publishing the rows
 * the exactly-once handler wrote to the store's outbox (one per applied message, to the output topic) with its
 * transactional producer ({@code semel-relay-<relay>}), one Kafka transaction per pass with its progress record.
 * Every relay child of a run uses the same relay name: a second one stands by on the store lock and takes over when
 * the first dies ({@code initTransactions} fences the older session).
 *
 * <p>Faults it injects into itself when armed (over the event channel or {@code --armed}), each recorded as a nemesis
 * start first: {@code relay-crash-after-send-before-commit} and {@code relay-crash-after-commit-before-mark-sent}
 * halt at the relay's crash points; {@code broker-kill-in-relay-transaction} holds the pass's Kafka transaction open
 * at {@code kafkaRelay.afterSendBeforeCommit} (at most {@value #HOLD_MAX_MS} ms, until disarmed) while the harness
 * SIGKILLs the transaction's coordinator, or (armed with {@code relay-stall-past-transaction-timeout}) SIGSTOPs this
 * JVM past the transaction timeout.
 *
 * <p>Arguments: {@code name generation bootstrap relay events store ...} (the store as {@link ProcessorChild}'s).
 * Exits 5 when the relay stops on a divergence (a finding: the store and Kafka disagree), 0 on {@code STOP}.
 */
public final class KafkaRelayChild {
    public static final String READY = "READY";
    /** The longest a relay holds its transaction open for the broker-kill fault. */
    static final long HOLD_MAX_MS = 20_000;
    /**
     * The relay's Kafka transaction timeout, ms: the coordinator aborts a transaction open longer than this (and
     * fences its producer epoch). Short, so {@code relay-stall-past-transaction-timeout} outlasts it within a run.
     */
    public static final int TRANSACTION_TIMEOUT_MS = 10_000;

    private KafkaRelayChild() {
    }

    public static void main(String[] argv) throws Exception {
        ChildArgs args = ChildArgs.parse(argv);
        String name = args.get("name");
        int generation = args.getInt("generation");
        ChildChannel channel = ChildChannel.connect(args);
        ChildHistory history = new ChildHistory(channel, name, generation);
        JdbcStore store = ProcessorChild.openStore(args);
        KafkaOutboxRelay relay = KafkaOutboxRelay.builder(store, args.get("bootstrap"), args.get("relay"))
                .transactionTimeoutMs(TRANSACTION_TIMEOUT_MS)
                .relayBatchMax(200)
                .pollIntervalMs(50)
                .standbyRetryMs(500)
                .clientProperty("client.id", name)
                .clientProperty("request.timeout.ms", 5_000)
                .clientProperty("reconnect.backoff.max.ms", 300)
                .crashHook(step -> {
                    hook(step, channel, history);
                    CrashPoints.SYSTEM.reached(step);
                })
                .build();
        System.out.println(READY + " " + name + " generation " + generation);
        System.out.flush();
        relay.start();
        while (true) {
            Thread.sleep(200);
            if (channel.stopRequested()) {
                relay.close();
                System.out.println("STOPPED " + name);
                System.out.flush();
                Runtime.getRuntime().halt(0);
            }
            if (relay.state() == KafkaOutboxRelay.State.DIVERGED) {
                System.err.println("relay diverged: " + relay.failure());
                System.err.flush();
                Runtime.getRuntime().halt(5);
            }
        }
    }

    private static void hook(String step, ChildChannel channel, ChildHistory history) {
        String afterSend = FaultKind.RELAY_CRASH_AFTER_SEND_BEFORE_COMMIT.wireName();
        String afterCommit = FaultKind.RELAY_CRASH_AFTER_COMMIT_BEFORE_MARK_SENT.wireName();
        String hold = FaultKind.BROKER_KILL_IN_RELAY_TRANSACTION.wireName();
        String stall = FaultKind.RELAY_STALL_PAST_TRANSACTION_TIMEOUT.wireName();
        if (step.equals(CrashPoints.KAFKA_RELAY_AFTER_SEND_BEFORE_COMMIT)) {
            if (channel.armed(afterSend)) {
                history.crashNow(afterSend, "relay: after the sends, before the Kafka commit");
            }
            // Held open for the harness: it kills the coordinator, or stops this JVM past the transaction timeout.
            if (channel.armed(hold)) {
                holdOpen(channel, hold);
            } else if (channel.armed(stall)) {
                holdOpen(channel, stall);
            }
        } else if (step.equals(CrashPoints.KAFKA_RELAY_AFTER_COMMIT_BEFORE_MARK_SENT) && channel.armed(afterCommit)) {
            history.crashNow(afterCommit, "relay: after the Kafka commit, before marking the rows sent");
        }
    }

    /** Keeps the pass's transaction open (the harness kills its coordinator or stops this JVM) until disarmed. */
    private static void holdOpen(ChildChannel channel, String hold) {
        System.err.println("HOLD: the relay transaction stays open until the harness disarms " + hold);
        System.err.flush();
        long deadline = System.nanoTime() + HOLD_MAX_MS * 1_000_000;
        while (channel.armed(hold) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        System.err.println("HOLD: released; the relay commits (or finds its transaction aborted)");
        System.err.flush();
    }
}
