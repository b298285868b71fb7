package io.semel.verify.report;

import io.semel.verify.history.EventValue;
import io.semel.verify.history.NemesisPhase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Nemesis start/stop {@code ok}s paired into {@link InjectedFault}s by fault and targets, in start order: the one
 * pairing the running harness ({@code RunHistory}) and the offline re-check ({@link HistoryCheck}) share, so both
 * report the same faults. Not thread-safe.
 */
public final class FaultPairing {
    private final List<InjectedFault> faults = new ArrayList<>();
    /** "fault targets" → index in {@link #faults} of the fault started and not yet healed. */
    private final Map<String, Integer> open = new HashMap<>();

    /** A nemesis {@code ok} at {@code atMs}: a start opens a fault; a stop heals the open one (none: ignored). */
    public void ok(EventValue.Nemesis n, long atMs) {
        String key = n.fault() + " " + n.targets();
        if (n.phase() == NemesisPhase.START) {
            faults.add(new InjectedFault(n.fault(), n.targets(), atMs, InjectedFault.NOT_HEALED));
            open.put(key, faults.size() - 1);
        } else {
            Integer i = open.remove(key);
            if (i != null) {
                InjectedFault f = faults.get(i);
                faults.set(i, new InjectedFault(f.fault(), f.targets(), f.startMs(), Math.max(atMs, f.startMs())));
            }
        }
    }

    /** The faults so far, a copy. */
    public List<InjectedFault> faults() {
        return List.copyOf(faults);
    }
}
