package io.semel.spring;

import io.semel.processor.Handler;
import java.util.Objects;

/**
 * One handler bound to a topic and group: what the starter builds a processor for. Declare one as
 * a bean to register a handler without the annotation (for example a lambda).
 *
 * @param consumer the inbox/position owner in the store (defaults to the group)
 * @param origin where it was declared, for error messages (a bean or method name)
 */
public record SemelSubscription(String topic, String group, String consumer, Handler handler, String origin) {

    public SemelSubscription {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(handler, "handler");
        if (topic.isBlank() || group.isBlank()) {
            throw new IllegalArgumentException("a Semel handler needs a topic and a group, got topic '" + topic
                    + "' and group '" + group + "' from " + origin);
        }
        consumer = consumer == null || consumer.isBlank() ? group : consumer;
        origin = origin == null ? "a SemelSubscription bean" : origin;
    }

    /** A subscription whose consumer is its group. */
    public static SemelSubscription of(String topic, String group, Handler handler) {
        return new SemelSubscription(topic, group, null, handler, null);
    }

    /** {@code topic/group}: the key that must be unique among subscriptions. */
    public String key() {
        return topic + "/" + group;
    }
}
