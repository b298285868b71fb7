package io.semel.verify.checker;

import io.semel.verify.history.HistoryEvent;
import java.util.List;

/**
 * One instance of an anomaly, to debug it from.
 *
 * @param subject the message id, account key or "partition/offset" the anomaly is about
 * @param detail the numbers involved, e.g. "balance 30, Σ amt of appliedIds 40"
 * @param events related history events in {@code i} order: the send, the deliveries and applies of the id,
 *     and the nemesis events around them
 */
public record AnomalyExample(String subject, String detail, List<HistoryEvent> events) {
    public AnomalyExample {
        events = List.copyOf(events);
    }
}
