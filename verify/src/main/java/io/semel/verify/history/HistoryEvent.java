package io.semel.verify.history;

import java.util.Objects;

/**
 * One line of a history. Immutable.
 *
 * @param i position in the history, 0 for the header, then 1, 2, … in file order
 * @param tNs monotonic time in nanoseconds from the writer's time source; non-decreasing in {@code i}
 * @param proc the logical process (harness thread) that ran the operation; retired after an {@code info}
 * @param type invoke, ok, fail or info
 * @param value what was asked or confirmed; its {@link EventValue#function()} is this event's {@code f}
 * @param error why the op failed or is unknown; {@code null} unless {@code type} is fail or info
 */
public record HistoryEvent(long i, long tNs, String proc, OpType type, EventValue value, String error) {
    public HistoryEvent {
        if (proc == null || proc.isEmpty()) {
            throw new IllegalArgumentException("proc must be a non-empty string, got " + proc);
        }
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        boolean failed = type == OpType.FAIL || type == OpType.INFO;
        // An error message is what tells a reader of the history why the outcome is not ok.
        if (failed && (error == null || error.isEmpty())) {
            throw new IllegalArgumentException(type.wireName() + " event " + i + " needs an error message");
        }
        if (!failed && error != null) {
            throw new IllegalArgumentException(type.wireName() + " event " + i + " must not carry an error");
        }
    }

    /** The operation's function, {@code f} in the file. */
    public OpFunction f() {
        return value.function();
    }
}
