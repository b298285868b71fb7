package io.semel.verify.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which injected faults were on at the same time: every pair that overlapped ({@link #pairs}), and the groups of
 * faults whose intervals chain together by overlapping ({@link #groups}, connected components of the overlap
 * relation, two or more members each). A fault not yet healed at the end counts as on until {@code endMs}.
 * Stateless.
 */
public final class FaultOverlaps {
    private FaultOverlaps() {
    }

    /** Two faults on at the same time, {@code first} started first (or with the same start, listed first). */
    public record Pair(InjectedFault first, InjectedFault second) {
    }

    /** Every overlapping pair, by the first's start, then the second's. Touching ends are not an overlap. */
    public static List<Pair> pairs(List<InjectedFault> faults, long endMs) {
        List<InjectedFault> sorted = faults.stream().sorted(Comparator.comparingLong(InjectedFault::startMs)).toList();
        List<Pair> out = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            for (int j = i + 1; j < sorted.size(); j++) {
                InjectedFault a = sorted.get(i);
                InjectedFault b = sorted.get(j);
                if (b.startMs() < stop(a, endMs) && a.startMs() < stop(b, endMs)) {
                    out.add(new Pair(a, b));
                }
            }
        }
        return out;
    }

    /** The overlap groups in start order, each in start order. */
    public static List<List<InjectedFault>> groups(List<InjectedFault> faults, long endMs) {
        List<InjectedFault> sorted = faults.stream().sorted(Comparator.comparingLong(InjectedFault::startMs)).toList();
        List<List<InjectedFault>> out = new ArrayList<>();
        List<InjectedFault> current = new ArrayList<>();
        long currentEnd = Long.MIN_VALUE;
        for (InjectedFault f : sorted) {
            long stop = stop(f, endMs);
            // Touching ends are not an overlap: one fault healed as the next started.
            if (!current.isEmpty() && f.startMs() < currentEnd) {
                current.add(f);
                currentEnd = Math.max(currentEnd, stop);
                continue;
            }
            if (current.size() > 1) {
                out.add(List.copyOf(current));
            }
            current = new ArrayList<>(List.of(f));
            currentEnd = stop;
        }
        if (current.size() > 1) {
            out.add(List.copyOf(current));
        }
        return out;
    }

    /** e.g. {@code drop-replies [px-producers] 20.9–25.9 s + pause [p3] 21.5–24.9 s + power-loss [broker] 22.1–23.9 s}. */
    public static String describe(List<InjectedFault> group, long endMs) {
        StringBuilder sb = new StringBuilder();
        for (InjectedFault f : group) {
            if (sb.length() > 0) {
                sb.append(" + ");
            }
            sb.append(f.fault()).append(' ').append(f.targets()).append(' ')
                    .append(String.format("%.1f–%.1f s", f.startMs() / 1000.0, stop(f, endMs) / 1000.0));
        }
        return sb.toString();
    }

    private static long stop(InjectedFault f, long endMs) {
        return f.stopMs() == InjectedFault.NOT_HEALED ? Math.max(endMs, f.startMs()) : f.stopMs();
    }
}
