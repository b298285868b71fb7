package io.semel.verify.run.child;

import io.semel.processor.store.JdbcStore;

/** Placeholder until the processor runtime lands on main. */
final class ExactlyOnceRunner {
    private ExactlyOnceRunner() {
    }

    static void run(ChildArgs args, JdbcStore store, ChildHistory history) {
        throw new UnsupportedOperationException("exactly-once processor child needs io.semel.processor.ExactlyOnceProcessor");
    }
}
