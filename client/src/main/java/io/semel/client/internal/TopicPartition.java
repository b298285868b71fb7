package io.semel.client.internal;

/** A topic and one of its partitions. */
public record TopicPartition(String topic, int partition) {
    @Override
    public String toString() {
        return topic + "/" + partition;
    }
}
