package io.semel.verify.run.child;

import io.semel.client.Consumer;
import io.semel.client.Message;
import io.semel.processor.RedeliverySettings;
import io.semel.processor.Source;
import io.semel.processor.SourceMessage;
import io.semel.verify.history.EventValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A {@link Source} over a Semel {@link Consumer} that records the processor's steps in the history, and holds
 * the crash point. The processor's order is poll → (one transaction: handlers, inbox, position; commit) → ack,
 * so ({@link BatchSteps}):
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
    private final BatchSteps steps;
    private Consumer consumer;

    RecordingSource(Supplier<Consumer> connect, RedeliverySettings settings, ChildHistory history) {
        this.connect = connect;
        this.settings = settings;
        this.history = history;
        this.steps = new BatchSteps(history);
    }

    void connect() {
        consumer = FirstConnect.untilUp(connect);
    }

    /** Called by the handler inside the transaction, for each message it applies. */
    void applying(String id) {
        steps.applying(id);
    }

    @Override
    public List<SourceMessage> poll(Duration timeout) {
        steps.beforePoll();
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
        for (Message m : polled) {
            out.add(SourceMessage.of(m.topic(), m.partition(), m.offset(), m.deliveryCount(), m.leaseEpoch(), m.key(),
                    m.value(), m.headers(), m.timestampMs()));
        }
        steps.polled(out);
        return out;
    }

    @Override
    public int ack(List<SourceMessage> messages) {
        steps.committed(messages);
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

    /** A Semel partition: offsets identify messages, so the processor deduplicates by sequence. */
    @Override
    public boolean sequenced() {
        return true;
    }

    /**
     * False: the history relates the handler's calls ({@link #applying}) to this source's poll and ack on
     * the processor's one thread, in the order poll, transaction, ack.
     */
    @Override
    public boolean allowsPrefetch() {
        return false;
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
