package io.semel.verify.run.child;

import io.semel.client.Consumer;
import io.semel.client.Message;
import io.semel.processor.RedeliverySettings;
import io.semel.processor.Source;
import io.semel.processor.SourceMessage;
import io.semel.verify.history.Delivery;
import io.semel.verify.history.EventValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * A {@link Source} over a Semel {@link Consumer} that records the processor's steps in the history, and holds
 * the crash point. The processor's order is poll → (one transaction: handlers, inbox, position; commit) → ack,
 * so:
 * <ul>
 *   <li>{@link #poll}: a non-empty poll is a {@code deliver} (invoke, ok);</li>
 *   <li>{@link #applying}: the handler's first call of a batch invokes {@code apply};</li>
 *   <li>{@link #ack}: is only called after the commit, so it first completes the {@code apply} ({@code ok}
 *       with the ids the handler applied); then the crash point (armed by the harness): record the nemesis
 *       {@code crash-after-commit-before-ack} and halt; else {@code ack}: invoke, then each message's own
 *       outcome ({@link ChildHistory#ackDone}: ok for settled, fail with the code for refused, info for
 *       unknown).</li>
 * </ul>
 * An {@code apply} still open at the next poll never reached its ack (the commit failed or the batch was
 * fenced): its outcome is recorded {@code info}. The consumer is rebuilt after a connection failure.
 *
 * <p>Not thread-safe: the processor's poll thread calls everything (handlers run on it in TRANSACTIONAL mode).
 */
final class RecordingSource implements Source {
    private final Supplier<Consumer> connect;
    private final RedeliverySettings settings;
    private final ChildHistory history;
    private final Set<String> applying = new LinkedHashSet<>();
    private Consumer consumer;
    private boolean applyOpen;

    RecordingSource(Supplier<Consumer> connect, RedeliverySettings settings, ChildHistory history) {
        this.connect = connect;
        this.settings = settings;
        this.history = history;
    }

    void connect() {
        consumer = FirstConnect.untilUp(connect);
    }

    /** Called by the handler inside the transaction, for each message it applies. */
    void applying(String id) {
        if (!applyOpen) {
            history.invoke(new EventValue.Apply(history.consumer(), List.of(), Map.of()));
            applyOpen = true;
        }
        applying.add(id);
    }

    @Override
    public List<SourceMessage> poll(Duration timeout) {
        if (applyOpen) {
            history.info(new EventValue.Apply(history.consumer(), List.copyOf(applying), Map.of()),
                    new IllegalStateException("the batch never reached its ack (commit failed or fenced)"));
            applyOpen = false;
        }
        applying.clear();
        if (consumer == null) {
            consumer = connect.get();
        }
        List<Message> polled;
        try {
            polled = consumer.poll(timeout);
        } catch (RuntimeException e) {
            reset();
            throw e;
        }
        List<SourceMessage> out = new ArrayList<>(polled.size());
        List<Delivery> deliveries = new ArrayList<>(polled.size());
        long epoch = 0;
        for (Message m : polled) {
            SourceMessage sm = SourceMessage.of(m.topic(), m.partition(), m.offset(), m.deliveryCount(), m.leaseEpoch(),
                    m.key(), m.value(), m.headers(), m.timestampMs());
            out.add(sm);
            deliveries.add(new Delivery(sm.messageId(), m.partition(), m.offset(), m.deliveryCount(), m.leaseEpoch()));
            epoch = Math.max(epoch, m.leaseEpoch());
        }
        if (!out.isEmpty()) {
            history.invoke(new EventValue.Deliver(history.consumer(), 0, List.of()));
            history.ok(new EventValue.Deliver(history.consumer(), epoch, deliveries));
        }
        return out;
    }

    @Override
    public int ack(List<SourceMessage> messages) {
        if (applyOpen) {
            // The store may re-run a transaction (retriable failure) and drop a fenced partition on the way, so
            // the handler may have run for messages that did not commit; the processor acks exactly the
            // messages of the transaction that committed.
            Set<String> acked = new LinkedHashSet<>();
            messages.forEach(m -> acked.add(m.messageId()));
            applying.retainAll(acked);
            history.ok(new EventValue.Apply(history.consumer(), List.copyOf(applying), nextOffsets(messages)));
            applyOpen = false;
            applying.clear();
        }
        if (history.crashArmed()) {
            history.crashNow("exactly-once: after commit, before ack");
        }
        EventValue.Ack a = new EventValue.Ack(history.consumer(), messages.stream().map(SourceMessage::messageId).toList());
        history.invoke(a);
        List<Message> ms = new ArrayList<>(messages.size());
        for (SourceMessage m : messages) {
            ms.add(new Message(m.topic(), m.partition(), m.offset(), m.deliveryCount(), m.leaseEpoch(), m.key(),
                    m.value(), m.headers(), m.timestampMs()));
        }
        AckOutcomes outcomes;
        try {
            outcomes = AckOutcomes.of(consumer.ack(ms));
        } catch (RuntimeException e) {
            outcomes = AckOutcomes.thrown(ms, e);
            // Connection trouble or a whole-request refusal (e.g. expelled from the group): start afresh.
            reset();
        }
        // Each message's own answer goes into the history: a refused or unknown ack is not an "ack ok".
        history.ackDone(outcomes);
        return outcomes.settled().size();
    }

    @Override
    public void nack(SourceMessage message, String errorText) {
        // The handler never throws for a well-formed message; a nack is left to the ack timeout instead.
        System.err.println("nack requested for " + message + ": " + errorText + " (left to the ack timeout)");
    }

    @Override
    public long redeliveryHorizonMs() {
        return settings.redeliveryHorizonMs();
    }

    @Override
    public boolean isLastDelivery(SourceMessage message) {
        return message.deliveryCount() >= settings.maxDeliveries();
    }

    @Override
    public void close() {
        reset();
    }

    private static Map<Integer, Long> nextOffsets(List<SourceMessage> batch) {
        Map<Integer, Long> out = new TreeMap<>();
        for (SourceMessage m : batch) {
            out.merge(m.partition(), m.offset() + 1, Math::max);
        }
        return out;
    }

    private void reset() {
        Consumer c = consumer;
        consumer = null;
        if (c != null) {
            try {
                c.close();
            } catch (RuntimeException e) {
                System.err.println("consumer close failed: " + e);
            }
        }
    }
}
