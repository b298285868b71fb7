package io.semel.verify.run.child;

import io.semel.client.Consumer;
import io.semel.client.Message;
import io.semel.processor.store.JdbcStore;
import io.semel.verify.history.EventValue;
import io.semel.verify.history.Guarantee;
import io.semel.verify.run.AddMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The two weaker consumers, written the way an application without Semel's processor would write them,
 * each message applied in its own JDBC transaction with no dedup record:
 * <ul>
 *   <li>at-least-once: poll, apply each, <em>then</em> ack. The crash point sits after the applies and before
 *       the ack, so the batch is redelivered and applied again (duplicates);</li>
 *   <li>at-most-once: poll, ack, <em>then</em> apply each message the broker confirmed as settled (its own
 *       {@code AckResult}); a refused or unknown ack is not applied. The crash point sits after the ack and
 *       before the applies, so the batch is gone (losses).</li>
 * </ul>
 * Either way the crash point is "between the consumer's two steps" and is recorded under the one nemesis
 * name the schedule uses, {@code crash-after-commit-before-ack}. Runs on the child's main thread only.
 */
final class ConsumerLoop {
    private static final Duration POLL_WAIT = Duration.ofMillis(300);
    private static final long RECONNECT_BACKOFF_MS = 200;

    private final Guarantee guarantee;
    private final Supplier<Consumer> connect;
    private final JdbcStore store;
    private final ChildHistory history;
    private Consumer consumer;

    ConsumerLoop(Guarantee guarantee, Supplier<Consumer> connect, JdbcStore store, ChildHistory history) {
        if (guarantee == Guarantee.EXACTLY_ONCE) {
            throw new IllegalArgumentException("exactly-once runs the processor, not this loop");
        }
        this.guarantee = guarantee;
        this.connect = connect;
        this.store = store;
        this.history = history;
    }

    /** Joins the group (so the harness sees the child ready only once it can consume). */
    void connect() {
        consumer = FirstConnect.untilUp(connect);
    }

    void run() throws InterruptedException {
        while (true) {
            if (consumer == null) {
                try {
                    consumer = connect.get();
                } catch (RuntimeException e) {
                    System.err.println("connect failed: " + e);
                    Thread.sleep(RECONNECT_BACKOFF_MS);
                    continue;
                }
            }
            List<Message> batch;
            try {
                batch = consumer.poll(POLL_WAIT);
            } catch (RuntimeException e) {
                System.err.println("poll failed: " + e);
                reset();
                continue;
            }
            if (!batch.isEmpty()) {
                handle(batch);
            }
        }
    }

    /** One polled batch: deliver, then the guarantee's two steps. Package-private for tests. */
    void handle(List<Message> batch) {
        history.invoke(new EventValue.Deliver(history.consumer(), 0, List.of()));
        history.ok(new EventValue.Deliver(history.consumer(), Deliveries.epoch(batch), Deliveries.of(batch)));
        if (guarantee == Guarantee.AT_MOST_ONCE) {
            AckOutcomes acked = ack(batch);
            if (history.crashArmed()) {
                history.crashNow("at-most-once: after ack, before apply");
            }
            // Only what the broker confirmed as settled: a refused message is redelivered (maybe elsewhere) and
            // an unknown one may be, so applying either could apply it twice. Not applying it is at-most-once.
            applyEach(acked.settled());
        } else {
            List<Message> applied = applyEach(batch);
            if (history.crashArmed()) {
                history.crashNow("at-least-once: after apply commit, before ack");
            }
            if (!applied.isEmpty()) {
                ack(applied);
            }
        }
    }

    /** Each message in its own transaction; returns the ones committed. */
    private List<Message> applyEach(List<Message> batch) {
        List<Message> committed = new ArrayList<>(batch.size());
        for (Message m : batch) {
            AddMessage add = AddMessage.decodeValue(m.value());
            EventValue.Apply a = new EventValue.Apply(history.consumer(), List.of(add.id()),
                    Deliveries.nextOffsets(List.of(m)));
            history.invoke(a);
            try {
                store.inTransaction(tx -> {
                    Accounts.apply(tx.connection(), add);
                    return null;
                });
                history.ok(a);
                committed.add(m);
            } catch (Exception e) {
                // A failed commit's outcome is unknown; the message is left unacked and comes back.
                history.info(a, e);
            }
        }
        return committed;
    }

    /** Acks and records each message's own outcome; reconnects when the call itself failed. */
    private AckOutcomes ack(List<Message> batch) {
        EventValue.Ack a = new EventValue.Ack(history.consumer(), Deliveries.ids(batch));
        history.invoke(a);
        AckOutcomes outcomes;
        try {
            outcomes = AckOutcomes.of(consumer.ack(batch));
        } catch (RuntimeException e) {
            outcomes = AckOutcomes.thrown(batch, e);
            // Connection trouble or a whole-request refusal (e.g. expelled from the group): start afresh.
            reset();
        }
        history.ackDone(outcomes);
        return outcomes;
    }

    /** The consumer the loop polls with (null while reconnecting); for tests. */
    Consumer consumer() {
        return consumer;
    }

    private void reset() {
        Consumer c = consumer;
        consumer = null;
        if (c != null) {
            try {
                c.close();
            } catch (RuntimeException e) {
                System.err.println("close failed: " + e);
            }
        }
        try {
            Thread.sleep(RECONNECT_BACKOFF_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
