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

    /**
     * As {@link #read}, as runs of messages that lie side by side in the log (each within one stored
     * batch), in offset order with no gaps. The core reads through this: a log that keeps batches
     * answers without an object per message. By default, each message of {@link #read} is a run.
     */
    default List<MessageRun> readRuns(int partition, long fromOffset, int maxMessages) {
        List<Message> messages = read(partition, fromOffset, maxMessages);
        List<MessageRun> runs = new java.util.ArrayList<>(messages.size());
        for (Message m : messages) {
            runs.add(MessageRun.of(m));
        }
        return runs;
    }
}
