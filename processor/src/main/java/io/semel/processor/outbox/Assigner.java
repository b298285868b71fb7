package io.semel.processor.outbox;

import io.semel.client.Partitioner;
import io.semel.processor.store.OutboxAssignment;
import io.semel.processor.store.OutboxRow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * The relay's decision core, without I/O: gives each unassigned row, in id order, its partition
 * (murmur2 of the key, round-robin for null keys) and the next sequence of that partition. Not
 * thread-safe (the relay thread owns it).
 */
final class Assigner {
    /** (topic, partition) → next sequence to assign; the caller loads it from the store. */
    private final Map<TopicPartitionKey, Long> nextSequence;
    private final Map<String, Integer> roundRobin = new HashMap<>();
    /** Round-robin turns taken by the last {@link #assign}, kept once the store commits them. */
    private Map<String, Integer> pendingRoundRobin = Map.of();

    record TopicPartitionKey(String topic, int partition) {
        @Override
        public String toString() {
            return topic + "-" + partition;
        }
    }

    Assigner(Map<TopicPartitionKey, Long> nextSequence) {
        this.nextSequence = new HashMap<>(nextSequence);
    }

    /**
     * Assignments for the unassigned rows of {@code rows} (which are in id order). Does not commit
     * them to this assigner: call {@link #committed} once the store has.
     */
    List<OutboxAssignment> assign(List<OutboxRow> rows, ToIntFunction<String> partitionCount) {
        Map<TopicPartitionKey, Long> next = new HashMap<>();
        Map<String, Integer> rr = new HashMap<>(roundRobin);
        List<OutboxAssignment> out = new ArrayList<>();
        long lastId = Long.MIN_VALUE;
        for (OutboxRow row : rows) {
            assert row.id() > lastId : "rows must come in id order: " + row.id() + " after " + lastId;
            lastId = row.id();
            if (row.assignment().isPresent()) {
                continue;
            }
            String topic = row.message().topic();
            int n = partitionCount.applyAsInt(topic);
            byte[] key = row.message().key();
            int partition;
            if (key == null) {
                int turn = rr.getOrDefault(topic, 0);
                rr.put(topic, turn + 1);
                partition = Math.floorMod(turn, n);
            } else {
                partition = Partitioner.partitionForKey(key, n);
            }
            TopicPartitionKey tp = new TopicPartitionKey(topic, partition);
            long seq = next.computeIfAbsent(tp, k -> nextSequence.getOrDefault(k, 0L));
            next.put(tp, seq + 1);
            out.add(new OutboxAssignment(row.id(), topic, partition, seq));
        }
        pendingRoundRobin = rr;
        return out;
    }

    /** The store committed {@code assignments}: later ones continue after them. */
    void committed(List<OutboxAssignment> assignments) {
        for (OutboxAssignment a : assignments) {
            TopicPartitionKey tp = new TopicPartitionKey(a.topic(), a.partition());
            long expected = nextSequence.getOrDefault(tp, 0L);
            if (a.sequence() != expected) {
                throw new IllegalStateException("committed sequence " + a.sequence() + " for " + tp + ", expected "
                        + expected);
            }
            nextSequence.put(tp, expected + 1);
        }
        roundRobin.putAll(pendingRoundRobin);
    }

    long next(TopicPartitionKey tp) {
        return nextSequence.getOrDefault(tp, 0L);
    }
}
