package io.semel.verify.checker.internal;

import io.semel.verify.checker.AnomalyExample;
import io.semel.verify.checker.CheckResult;
import io.semel.verify.history.EventValue;
import io.semel.verify.history.HistoryEvent;
import io.semel.verify.history.OpType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Builds examples: for each subject, the events that mention its ids (send, deliver ok, apply, ack) plus
 * "nearby" nemesis events — every nemesis event between the first and last related event, and the closest one
 * before and after — capped at {@link #EVENTS_MAX} related and {@link #NEMESIS_MAX} nemesis events. Final reads
 * are never attached: they hold the whole log and store.
 *
 * <p>The index keeps no events, so the related events are picked up in a second pass over the history
 * ({@link #collect}), for the ids of the examples only, at most {@link #EVENTS_MAX} per id. That is enough: an
 * example takes at most that many events of any one id (each one it takes is either new, until it has
 * {@link #EVENTS_MAX}, or already taken from an earlier id). Which ids an example reaches is bounded the same
 * way: every sent id brings its own send invoke, so after {@link #EVENTS_MAX} distinct sent ids the example is
 * full; ids nobody sent are all marked up to {@link #IDS_PER_EXAMPLE_MAX} (a bound only a history with thousands
 * of unsent ids in one account reaches; its example may then hold fewer events). Not thread-safe.
 */
final class Examples {
    static final int EVENTS_MAX = 24;
    static final int NEMESIS_MAX = 8;
    static final int IDS_PER_EXAMPLE_MAX = 10_000;

    private final HistoryIndex index;
    private final Set<Integer> wanted = new HashSet<>();
    private final Map<Integer, List<HistoryEvent>> eventsById = new HashMap<>();

    Examples(HistoryIndex index) {
        this.index = index;
    }

    /** Marks the ids an example about {@code ids} may show events of; call before {@link #collect}. */
    void want(Collection<String> ids) {
        Set<Integer> sent = new HashSet<>();
        int marked = 0;
        for (String name : ids) {
            int id = index.ids.idOf(name);
            if (id < 0) {
                continue; // in no event
            }
            wanted.add(id);
            if (index.attempted(id)) {
                sent.add(id);
            }
            if (sent.size() >= EVENTS_MAX || ++marked >= IDS_PER_EXAMPLE_MAX) {
                return;
            }
        }
    }

    /** The second pass: keeps the first {@link #EVENTS_MAX} events mentioning each wanted id. */
    void collect(EventSource source) throws IOException {
        if (wanted.isEmpty()) {
            return;
        }
        source.forEach(this::keepIfWanted);
    }

    private void keepIfWanted(HistoryEvent e) {
        if (e.value() instanceof EventValue.Send s) {
            keep(s.id(), e);
        } else if (e.value() instanceof EventValue.Deliver d && e.type() == OpType.OK) {
            d.messages().forEach(m -> keep(m.id(), e));
        } else if (e.value() instanceof EventValue.Apply a) {
            a.ids().forEach(id -> keep(id, e));
        } else if (e.value() instanceof EventValue.Ack a) {
            a.ids().forEach(id -> keep(id, e));
        }
    }

    private void keep(String name, HistoryEvent e) {
        int id = index.ids.idOf(name);
        if (id < 0 || !wanted.contains(id)) {
            return;
        }
        List<HistoryEvent> es = eventsById.computeIfAbsent(id, k -> new ArrayList<>());
        // An event listing the id twice (a batch with a repeat) is kept once.
        if (es.size() < EVENTS_MAX && (es.isEmpty() || es.get(es.size() - 1) != e)) {
            es.add(e);
        }
    }

    /** An example about one message id. */
    AnomalyExample forId(String id, String detail) {
        return forIds(id, List.of(id), detail);
    }

    /** An example about a subject (account, offset) involving several ids. */
    AnomalyExample forIds(String subject, Collection<String> ids, String detail) {
        SortedSet<HistoryEvent> related = new TreeSet<>(Comparator.comparingLong(HistoryEvent::i));
        for (String name : ids) {
            int id = index.ids.idOf(name);
            for (HistoryEvent e : id < 0 ? List.<HistoryEvent>of() : eventsById.getOrDefault(id, List.of())) {
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
