package io.semel.verify.run.child;

import io.semel.processor.SourceMessage;
import io.semel.verify.history.Delivery;
import io.semel.verify.history.EventValue;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The exactly-once processor's steps around one batch, as the recording sources ({@link RecordingSource},
 * {@link RecordingKafkaSource}) write them into the history: a non-empty poll is a {@code deliver} (invoke, ok); the
 * handler's first call of a batch invokes {@code apply}; the commit completes it ({@code ok}, with the ids of the
 * committed batch and the positions after it); an {@code apply} still open at the next poll never reached its
 * commit ({@code info}). What follows the commit (crash point, ack) is each source's own.
 *
 * <p>Not thread-safe: the processor's poll thread calls everything.
 */
final class BatchSteps {
    private final ChildHistory history;
    private final Set<String> applying = new LinkedHashSet<>();
    private boolean applyOpen;

    BatchSteps(ChildHistory history) {
        this.history = history;
    }

    /** Called by the handler inside the transaction, for each message it applies. */
    void applying(String id) {
        if (!applyOpen) {
            history.invoke(new EventValue.Apply(history.consumer(), List.of(), Map.of()));
            applyOpen = true;
        }
        applying.add(id);
    }

    /** Before a poll: an {@code apply} still open never reached its ack. */
    void beforePoll() {
        if (applyOpen) {
            history.info(new EventValue.Apply(history.consumer(), List.copyOf(applying), Map.of()),
                    new IllegalStateException("the batch never reached its ack (commit failed or fenced)"));
            applyOpen = false;
        }
        applying.clear();
    }

    /** After a poll: a {@code deliver} with each message's partition, offset, delivery count and lease epoch. */
    void polled(List<SourceMessage> polled) {
        if (polled.isEmpty()) {
            return;
        }
        List<Delivery> deliveries = new ArrayList<>(polled.size());
        long epoch = 0;
        for (SourceMessage m : polled) {
            deliveries.add(new Delivery(m.messageId(), m.partition(), m.offset(), m.deliveryCount(), m.leaseEpoch()));
            epoch = Math.max(epoch, m.leaseEpoch());
        }
        history.invoke(new EventValue.Deliver(history.consumer(), 0, List.of()));
        history.ok(new EventValue.Deliver(history.consumer(), epoch, deliveries));
    }

    /** At the ack, which the processor calls only after the commit: completes the open {@code apply}. */
    void committed(List<SourceMessage> messages) {
        if (!applyOpen) {
            return;
        }
        // The store may re-run a transaction (retriable failure) and drop a fenced partition on the way, so the
        // handler may have run for messages that did not commit; the processor acks exactly the messages of the
        // transaction that committed.
        Set<String> acked = new LinkedHashSet<>();
        messages.forEach(m -> acked.add(m.messageId()));
        applying.retainAll(acked);
        history.ok(new EventValue.Apply(history.consumer(), List.copyOf(applying), nextOffsets(messages)));
        applyOpen = false;
        applying.clear();
    }

    private static Map<Integer, Long> nextOffsets(List<SourceMessage> batch) {
        Map<Integer, Long> out = new TreeMap<>();
        for (SourceMessage m : batch) {
            out.merge(m.partition(), m.offset() + 1, Math::max);
        }
        return out;
    }
}
