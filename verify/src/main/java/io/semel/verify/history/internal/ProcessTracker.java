package io.semel.verify.history.internal;

import io.semel.verify.history.EventValue;
import io.semel.verify.history.HistoryEvent;
import io.semel.verify.history.OpFunction;
import io.semel.verify.history.OpType;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The per-process rules of a history, enforced by the writer and re-checked by the reader:
 *
 * <ul>
 *   <li>a process runs one operation at a time: invoke, then exactly one completion of the same {@code f};
 *   <li>after an {@code info} the process is retired: any later event on it is an error (the op may still
 *       be in flight, so the harness continues on a fresh process id);
 *   <li>a send completion names the same message id as its invoke, and every send id is invoked once
 *       (a resend of a logical message is the same operation, not a new one);
 *   <li>the header is only the first line.
 * </ul>
 *
 * Not thread-safe; the writer calls it under its lock.
 */
public final class ProcessTracker {
    private final Map<String, HistoryEvent> openInvokes = new HashMap<>();
    private final Set<String> retired = new HashSet<>();
    private final Set<String> sendIds = new HashSet<>();

    /** Checks {@code e} against the rules and records it; throws {@link IllegalStateException} naming the rule. */
    public void accept(HistoryEvent e) {
        String proc = e.proc();
        if (e.f() == OpFunction.HEADER) {
            throw new IllegalStateException("a header is only allowed as the first line");
        }
        if (retired.contains(proc)) {
            throw new IllegalStateException("process " + proc + " was retired by an earlier info; event " + e.i()
                    + " (" + e.type().wireName() + " " + e.f().wireName() + ") must use a new process id");
        }
        HistoryEvent open = openInvokes.get(proc);
        if (e.type() == OpType.INVOKE) {
            if (open != null) {
                throw new IllegalStateException("process " + proc + " invokes " + e.f().wireName() + " at event "
                        + e.i() + " while its " + open.f().wireName() + " invoked at event " + open.i()
                        + " has not completed");
            }
            if (e.value() instanceof EventValue.Send s && !sendIds.add(s.id())) {
                throw new IllegalStateException("send id " + s.id() + " is invoked twice (event " + e.i()
                        + "); a resend of one logical message is one operation");
            }
            openInvokes.put(proc, e);
            return;
        }
        if (open == null) {
            throw new IllegalStateException("process " + proc + " completes " + e.f().wireName() + " at event "
                    + e.i() + " with no open invoke");
        }
        if (open.f() != e.f()) {
            throw new IllegalStateException("process " + proc + " completes " + e.f().wireName() + " at event "
                    + e.i() + " but its open invoke (event " + open.i() + ") is " + open.f().wireName());
        }
        if (open.value() instanceof EventValue.Send invoked && e.value() instanceof EventValue.Send done
                && !invoked.id().equals(done.id())) {
            throw new IllegalStateException("send completion at event " + e.i() + " names id " + done.id()
                    + " but process " + proc + " invoked id " + invoked.id());
        }
        openInvokes.remove(proc);
        if (e.type() == OpType.INFO) {
            retired.add(proc);
        }
    }
}
