package io.semel.broker.group;

import java.util.List;

/**
 * What the decision core may read of the group's topic, implemented by the shell over its
 * partition logs. Called only from inside {@link GroupState#poll}, on the coordinator thread.
 *
 * <p>Offsets are dense: a partition holds every offset from its start to {@link #logEndOffset}
 * (Semel logs never skip offsets). Only durable (confirmed) messages may be visible.
 */
public interface LogView {
    /** The offset the next appended message of {@code partition} will get. */
    long logEndOffset(int partition);

    /**
     * Up to {@code maxMessages} messages of {@code partition} starting at {@code fromOffset}
     * (inclusive), in offset order with no gaps; fewer (or none) if the log ends first.
     */
    List<Message> read(int partition, long fromOffset, int maxMessages);
}
