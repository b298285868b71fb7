package io.semel.processor.state;

import io.semel.client.PartitionRecord;

/**
 * In-memory state built by applying a topic's messages. {@link #apply} must be deterministic: the
 * same state and message always give the same result, with no clock, randomness or I/O, so a replay
 * from a snapshot reproduces the state. Order is guaranteed within a partition only; across
 * partitions messages interleave as they are read, so the result must not depend on that
 * interleaving (e.g. per-key state with keys partitioned by the producer).
 *
 * <p>{@code apply} may return a new state or mutate and return the one given; the runner calls it
 * from one thread.
 */
public interface StateMachine<S> {
    S initialState();

    S apply(S state, PartitionRecord message);
}
