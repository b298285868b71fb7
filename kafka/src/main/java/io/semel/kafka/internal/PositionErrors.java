package io.semel.kafka.internal;

import java.util.Collection;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/** The texts of the Kafka source's loud stops: what happened, the numbers, what the operator decides. Stateless. */
public final class PositionErrors {
    private PositionErrors() {
    }

    /** The stored positions are outside [log start, log end) of their partitions. */
    public static String outOfRange(Map<TopicPartition, Long> positions, Map<TopicPartition, Long> begin,
            Map<TopicPartition, Long> end, String consumer) {
        StringBuilder b = new StringBuilder("the stored position is outside what Kafka holds:");
        positions.forEach((tp, at) -> b.append(' ').append(tp).append(" position ").append(at).append(" not in [")
                .append(begin.get(tp)).append(", ").append(end.get(tp)).append(']'));
        return b.append(". Below the start: retention deleted records before they were processed (data lost "
                + "upstream). Past the end: the topic was deleted and recreated, or truncated. The source never "
                + "skips or rewinds on its own; an operator decides, e.g. move the position row in semel_position "
                + "(consumer ").append(consumer).append(") to the log start, accepting the loss").toString();
    }

    /** Kafka truncated the partitions below the stored positions. */
    public static String truncated(Collection<TopicPartition> partitions, String consumer) {
        return "Kafka truncated " + partitions + " below the stored positions (unclean leader election): records the "
                + "store counts as processed are gone from the log. The source stops rather than re-read or skip; an "
                + "operator must compare the store with the topic and move the position rows (semel_position, "
                + "consumer " + consumer + ")";
    }
}
