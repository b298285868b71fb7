package io.semel.verify.run;

import io.semel.verify.history.LogRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The Kafka engine's check of the outbox relay's output against the applied effects: how many effects were checked
 * ({@code -1}: the run has no relay), and what disagreed.
 */
record OutputCheck(long checked, List<String> problems) {
    /** No relay, nothing checked. */
    static final OutputCheck NONE = new OutputCheck(-1, List.of());
    /** How many disagreeing ids are named one by one; the rest are counted. */
    static final int SHOWN_MAX = 5;

    OutputCheck {
        problems = List.copyOf(problems);
    }

    static String unsentProblem(long unsent, long waitedMs) {
        return unsent + " outbox rows still unsent " + waitedMs + " ms after the workload (relay stuck or diverged: "
                + "see r1/stderr.log)";
    }

    /**
     * Compares the outgoing messages with the applied effects, as multisets of input ids: the relay must publish each
     * committed outbox row exactly once, so every applied effect (once per {@code verify_applied} row, whatever the
     * consumer's guarantee) has exactly one outgoing message, and none has another.
     *
     * @param unsent outbox rows the relay had not marked sent when the wait ended (-1: never read)
     * @param waitedMs how long the wait for the relay lasted, for the message
     * @param appliedRows every applied id, once per row
     * @param published the output topic's records; an id {@code <input>#<n>} counts for {@code <input>}
     * @param log gets one summary line
     */
    static OutputCheck compare(long unsent, long waitedMs, List<String> appliedRows, List<LogRecord> published,
            Consumer<String> log) {
        List<String> problems = new ArrayList<>();
        if (unsent != 0) {
            problems.add(unsentProblem(unsent, waitedMs));
        }
        Map<String, Integer> applied = new TreeMap<>();
        appliedRows.forEach(id -> applied.merge(id, 1, Integer::sum));
        Map<String, Integer> out = new TreeMap<>();
        for (LogRecord r : published) {
            String id = r.id();
            int hash = id.indexOf('#');
            out.merge(hash < 0 ? id : id.substring(0, hash), 1, Integer::sum);
        }
        Set<String> ids = new TreeSet<>(applied.keySet());
        ids.addAll(out.keySet());
        int shown = 0;
        long mismatched = 0;
        for (String id : ids) {
            int a = applied.getOrDefault(id, 0);
            int p = out.getOrDefault(id, 0);
            if (a != p) {
                mismatched++;
                if (shown < SHOWN_MAX) {
                    problems.add(id + " applied " + a + "×, published " + p + "×");
                    shown++;
                }
            }
        }
        if (mismatched > shown) {
            problems.add("… " + (mismatched - shown) + " more ids whose publications differ from their applies");
        }
        long checked = appliedRows.size();
        log.accept("output check: " + checked + " applied effects, " + published.size() + " published, " + mismatched
                + " ids differ");
        return new OutputCheck(checked, problems);
    }
}
