package io.semel.verify.run.child;

import io.semel.processor.ForwardingSource;
import io.semel.processor.Source;
import io.semel.processor.SourceMessage;
import io.semel.verify.history.EventValue;
import java.time.Duration;
import java.util.List;

/**
 * The Kafka engine's exactly-once recorder: a {@link ForwardingSource} over {@code KafkaSource} that writes the
 * processor's steps into the history, as {@link RecordingSource} does for the Semel source. Order: poll →
 * (one store transaction: position, inbox, handlers; commit) → ack, so ({@link BatchSteps})
 * <ul>
 *   <li>a non-empty poll is a {@code deliver} (invoke, ok) with each record's partition, offset, the source's
 *       delivery count (1 + the nacks it saw in this process) and the claim epoch the store issued;</li>
 *   <li>the handler's first call of a batch invokes {@code apply} ({@link #applying});</li>
 *   <li>{@link #ack} is called only after the commit: it completes the {@code apply} with the ids committed, then
 *       the crash point {@code crash-after-commit-before-ack} (for Kafka: between the commit and the next poll), then
 *       the {@code ack}: Kafka's acknowledgement is the position committed in the store, so every message of the
 *       committed batch is settled ({@code ack ok}).</li>
 * </ul>
 * An {@code apply} still open at the next poll never reached its ack (the commit failed or was fenced): {@code info}.
 *
 * <p>Not thread-safe: the processor's poll thread calls everything.
 */
final class RecordingKafkaSource extends ForwardingSource {
    private final ChildHistory history;
    private final BatchSteps steps;

    RecordingKafkaSource(Source kafkaSource, ChildHistory history) {
        super(kafkaSource);
        this.history = history;
        this.steps = new BatchSteps(history);
    }

    /** Called by the handler inside the transaction, for each message it applies. */
    void applying(String id) {
        steps.applying(id);
    }

    @Override
    public List<SourceMessage> poll(Duration timeout) {
        steps.beforePoll();
        List<SourceMessage> out = super.poll(timeout);
        steps.polled(out);
        return out;
    }

    @Override
    public int ack(List<SourceMessage> messages) {
        steps.committed(messages);
        if (history.crashArmed()) {
            history.crashNow("exactly-once on Kafka: after the commit, before the next poll");
        }
        EventValue.Ack a = new EventValue.Ack(history.consumer(), messages.stream().map(SourceMessage::messageId).toList());
        history.invoke(a);
        int settled = super.ack(messages);
        history.ok(a);
        return settled;
    }
}
