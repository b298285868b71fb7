package io.semel.client;

import io.semel.protocol.AckItemRanges;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.RandomAccess;

/**
 * Messages as a POLL delivered them, with the ack items that settle exactly those messages
 * (partition, lease epoch, offset) kept as the runs they arrived in. {@link Consumer#poll} hands out
 * such lists; acking one as it was handed out then builds its ACK from the ranges without reading a
 * message (reading 4,000 messages made long before, out of the CPU caches, was 14% of the consumer
 * thread). Any other list, a sub-list of this one included, is acked message by message.
 *
 * <p>Unmodifiable, so the ranges always match the messages; thread-safe once built.
 */
final class Delivered extends AbstractList<Message> implements RandomAccess {
    static final Delivered NONE = new Delivered(List.of(), AckItemRanges.empty());

    private final List<Message> messages;
    private final AckItemRanges items;

    /** {@code messages} (which nothing changes afterwards) and their items, one for one. */
    Delivered(List<Message> messages, AckItemRanges items) {
        if (messages.size() != items.size()) {
            throw new IllegalArgumentException(messages.size() + " messages but " + items.size() + " ack items");
        }
        this.messages = messages;
        this.items = items;
    }

    @Override
    public Message get(int index) {
        return messages.get(index);
    }

    @Override
    public int size() {
        return messages.size();
    }

    /** The ack items that settle these messages, in order. */
    AckItemRanges ackItems() {
        return items;
    }

    /** Messages {@code [from, to)}, their references copied, their items cut from the ranges. */
    Delivered slice(int from, int to) {
        return new Delivered(List.copyOf(messages.subList(from, to)), items.slice(from, to));
    }

    /** {@code first} then {@code second}. */
    static Delivered join(Delivered first, Delivered second) {
        List<Message> all = new ArrayList<>(first.size() + second.size());
        all.addAll(first);
        all.addAll(second);
        return new Delivered(all, AckItemRanges.builder().addAll(first.items).addAll(second.items).build());
    }
}
