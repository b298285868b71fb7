package io.semel.verify.checker.internal;

import io.semel.verify.history.EventValue;
import io.semel.verify.history.HistoryEvent;
import io.semel.verify.history.NemesisPhase;
import io.semel.verify.history.OpType;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Watches the history in order for a consumer dying between commit and ack (a non-triviality condition for
 * exactly-once, {@link Triviality}): a nemesis start ok of {@code crash-after-commit-before-ack} (the crash
 * point fires only after the commit, and the dying consumer may not live to record its apply), or a {@code kill}
 * of a consumer that, at that moment, holds ids from an {@code apply ok} for which it has not even invoked an
 * ack. An invoked ack may have reached the broker, so it does not count (conservative).
 *
 * <p>Memory: the ids each consumer committed and has not acked yet; once the condition held, nothing more.
 * Not thread-safe.
 */
final class CommitAckTracker {
    private final Map<String, Set<String>> committedUnacked = new HashMap<>();
    private boolean crashed;

    void accept(HistoryEvent e) {
        if (crashed) {
            return;
        }
        if (e.value() instanceof EventValue.Apply a && e.type() == OpType.OK) {
            committedUnacked.computeIfAbsent(a.consumer(), k -> new HashSet<>()).addAll(a.ids());
        } else if (e.value() instanceof EventValue.Ack a && e.type() == OpType.INVOKE) {
            Set<String> pending = committedUnacked.get(a.consumer());
            if (pending != null) {
                a.ids().forEach(pending::remove);
            }
        } else if (e.value() instanceof EventValue.Nemesis n && e.type() == OpType.OK
                && n.phase() == NemesisPhase.START) {
            if (n.fault().equals(EventValue.Nemesis.CRASH_AFTER_COMMIT_BEFORE_ACK)) {
                crash();
                return;
            }
            if (n.fault().equals(EventValue.Nemesis.KILL)) {
                for (String target : n.targets()) {
                    Set<String> pending = committedUnacked.remove(target);
                    if (pending != null && !pending.isEmpty()) {
                        crash();
                        return;
                    }
                }
            }
        }
    }

    boolean consumerCrashedBetweenCommitAndAck() {
        return crashed;
    }

    private void crash() {
        crashed = true;
        committedUnacked.clear();
    }
}
