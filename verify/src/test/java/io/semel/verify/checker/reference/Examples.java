package io.semel.verify.checker.reference;

import io.semel.verify.checker.AnomalyExample;
import io.semel.verify.checker.CheckResult;
import io.semel.verify.history.HistoryEvent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Builds examples: for each subject, the events that mention its ids (send, deliver, apply, ack) plus
 * "nearby" nemesis events — every nemesis event between the first and last related event, and the
 * closest one before and after — capped at {@link #EVENTS_MAX} related and {@link #NEMESIS_MAX} nemesis
 * events. Final reads are never attached: they hold the whole log and store.
 */
final class Examples {
    static final int EVENTS_MAX = 24;
    static final int NEMESIS_MAX = 8;

    private final HistoryIndex index;

    Examples(HistoryIndex index) {
        this.index = index;
    }

    /** An example about one message id. */
    AnomalyExample forId(String id, String detail) {
        return forIds(id, List.of(id), detail);
    }

    /** An example about a subject (account, offset) involving several ids. */
    AnomalyExample forIds(String subject, Collection<String> ids, String detail) {
        SortedSet<HistoryEvent> related = new TreeSet<>(Comparator.comparingLong(HistoryEvent::i));
        for (String id : ids) {
            for (HistoryEvent e : index.eventsById.getOrDefault(id, List.of())) {
                if (related.size() >= EVENTS_MAX) {
                    break;
                }
                related.add(e);
            }
        }
        related.addAll(nearbyNemesis(related));
        return new AnomalyExample(subject, detail, new ArrayList<>(related));
    }

    private List<HistoryEvent> nearbyNemesis(SortedSet<HistoryEvent> related) {
        List<HistoryEvent> all = index.nemesisEvents;
        if (related.isEmpty() || all.isEmpty()) {
            return List.of();
        }
        long first = related.first().i();
        long last = related.last().i();
        List<HistoryEvent> out = new ArrayList<>();
        HistoryEvent before = null;
        HistoryEvent after = null;
        for (HistoryEvent n : all) {
            if (n.i() < first) {
                before = n;
            } else if (n.i() <= last) {
                out.add(n);
            } else if (after == null) {
                after = n;
            }
        }
        if (before != null) {
            out.add(0, before);
        }
        if (after != null) {
            out.add(after);
        }
        return out.size() <= NEMESIS_MAX ? out : out.subList(0, NEMESIS_MAX);
    }

    /** The first {@link CheckResult#EXAMPLES_MAX} subjects, for callers building examples one by one. */
    static List<String> firstSubjects(SortedSet<String> subjects) {
        return subjects.stream().limit(CheckResult.EXAMPLES_MAX).toList();
    }
}
