package io.semel.verify.run.child;

import io.semel.verify.history.EventValue;
import io.semel.verify.history.OpType;

/**
 * Where a child's history ops go: the harness's {@link ChildChannel} in a child JVM, or a list in a test that
 * drives the child's loops in-process. Implementations are thread-safe.
 */
public interface EventOutput {
    /** Sends one history event; {@code error} is null for invoke and ok. */
    void emit(String proc, OpType type, EventValue value, String error);

    /** Whether the harness armed the crash point between the consumer's two steps. */
    boolean armed();
}
