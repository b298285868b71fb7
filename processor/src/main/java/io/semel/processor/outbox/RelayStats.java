package io.semel.processor.outbox;

import java.util.concurrent.atomic.AtomicLong;

/** Counters shared by the relay thread (writer) and readers of {@link OutboxRelay#stats()}. */
final class RelayStats {
    final AtomicLong assigned = new AtomicLong();
    final AtomicLong sent = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong alreadyInLog = new AtomicLong();
    final AtomicLong sessions = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong failed = new AtomicLong();

    OutboxRelay.Stats snapshot() {
        return new OutboxRelay.Stats(assigned.get(), sent.get(), duplicates.get(), alreadyInLog.get(), sessions.get(),
                errors.get(), failed.get());
    }
}
