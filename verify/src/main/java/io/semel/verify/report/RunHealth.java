package io.semel.verify.report;

import io.semel.verify.checker.Verdict;
import io.semel.verify.history.EventValue;
import io.semel.verify.history.Guarantee;
import io.semel.verify.history.History;
import io.semel.verify.history.HistoryEvent;
import io.semel.verify.history.OpType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * What the harness itself saw go wrong in a run, next to the checker's verdict: child history lines it could
 * not use, and producers that stopped. Immutable.
 *
 * <h2>When a run is not valid because of it</h2>
 * <ul>
 *   <li><b>Unexplained child lines</b> (verdict at least {@code unknown}: the history has holes nobody can
 *       account for, so it proves nothing). A child line is <em>torn</em> when its stream ended after bytes
 *       that no newline completed. A torn line is <em>explained</em> only when it is the unterminated tail of
 *       the stream of a child generation that the harness itself killed with SIGKILL (a nemesis kill or the
 *       final stop): the kill can land in the middle of a write. Every other torn line is unexplained — a tail
 *       of a generation that exited on its own (the crash point halts only after its lines are flushed), or of
 *       a connection that never said HELLO — and so is every <em>rejected</em> line (complete, but it did not
 *       decode or broke a history rule: a harness bug).</li>
 *   <li><b>Exactly-once producer stops</b> (verdict {@code invalid}): a send that failed with
 *       {@code FatalProducerException} means the producer logged "stops" and refuses every later send; an
 *       exactly-once producer must ride through broker restarts and lost replies. Counted for every
 *       guarantee, fatal only for exactly-once.</li>
 * </ul>
 *
 * @param producerStops producers (names) with at least one fatal send failure
 * @param stoppedProducers their names, sorted
 * @param tornLines child lines cut by the end of their stream
 * @param tornUnexplained of those, the ones not explained by a harness SIGKILL of their generation
 * @param rejectedLines complete child lines that did not decode or broke a history rule
 * @param outputChecked Kafka engine: applied effects whose outgoing message (an outbox row the relay publishes)
 *     was looked for in the output topic; -1 when the run has no relay
 * @param outputProblems Kafka engine: what the output check found (an applied effect published zero or several
 *     times, or a published message for no applied effect); any one makes the run invalid for every guarantee, since
 *     the relay must publish each committed outbox row exactly once whatever the consumer's guarantee
 */
public record RunHealth(long producerStops, List<String> stoppedProducers, long tornLines, long tornUnexplained,
        long rejectedLines, long outputChecked, List<String> outputProblems) {
    /** The exception name a producer's fatal failure is recorded with, at the start of the send's error. */
    public static final String FATAL_PRODUCER_ERROR = "FatalProducerException";
    /** Its subtype for DEDUP_STATE_UNKNOWN, recorded under its own name. */
    public static final String DEDUP_STATE_LOST_ERROR = "DedupStateUnknownException";
    /** Nothing measured (reports built without a run, e.g. from a history alone). */
    public static final RunHealth NOT_MEASURED = new RunHealth(0, List.of(), 0, 0, 0);

    public RunHealth(long producerStops, List<String> stoppedProducers, long tornLines, long tornUnexplained,
            long rejectedLines) {
        this(producerStops, stoppedProducers, tornLines, tornUnexplained, rejectedLines, -1, List.of());
    }

    /** These figures with the Kafka engine's output check. */
    public RunHealth withOutput(long checked, List<String> problems) {
        return new RunHealth(producerStops, stoppedProducers, tornLines, tornUnexplained, rejectedLines, checked,
                problems);
    }

    public RunHealth {
        stoppedProducers = List.copyOf(stoppedProducers);
        outputProblems = List.copyOf(outputProblems);
        if (tornUnexplained > tornLines || tornUnexplained < 0 || rejectedLines < 0 || producerStops < 0) {
            throw new IllegalArgumentException("inconsistent counts: torn " + tornLines + ", unexplained "
                    + tornUnexplained + ", rejected " + rejectedLines + ", stops " + producerStops);
        }
    }

    /**
     * The producer stops found in {@code history} plus the event sink's line counts.
     * A producer's name is its send process id up to the first dot ({@code p2.l3.0} → {@code p2}).
     */
    public static RunHealth of(History history, long tornLines, long tornUnexplained, long rejectedLines) {
        Stops stops = new Stops();
        history.events().forEach(stops);
        return stops.health(tornLines, tornUnexplained, rejectedLines);
    }

    /**
     * {@link #of(History, long, long, long)} of a history file, in one streaming pass: only the names of the
     * stopped producers are kept, nothing per event (the reader's own rule state aside, see {@code HistoryPass}).
     *
     * @throws io.semel.verify.history.HistoryFormatException if a line breaks the format (with its line number)
     */
    public static RunHealth of(Path historyFile, long tornLines, long tornUnexplained, long rejectedLines)
            throws IOException {
        Stops stops = new Stops();
        HistoryPass.forEach(historyFile, stops);
        return stops.health(tornLines, tornUnexplained, rejectedLines);
    }

    /**
     * An accumulator to feed a history's events to, one at a time, in file order (for instance during the checker's
     * own pass, {@code Checker.check(Path, Consumer)}), then {@link Stops#health} with the sink's line counts.
     */
    public static Stops tally() {
        return new Stops();
    }

    /** The producers with a fatal send failure, one event at a time. Not thread-safe. */
    public static final class Stops implements Consumer<HistoryEvent> {
        private final Set<String> stopped = new TreeSet<>();

        private Stops() {
        }

        @Override
        public void accept(HistoryEvent e) {
            if (e.type() == OpType.FAIL && e.value() instanceof EventValue.Send && e.error() != null
                    && (e.error().startsWith(FATAL_PRODUCER_ERROR) || e.error().startsWith(DEDUP_STATE_LOST_ERROR))) {
                int dot = e.proc().indexOf('.');
                stopped.add(dot < 0 ? e.proc() : e.proc().substring(0, dot));
            }
        }

        public RunHealth health(long tornLines, long tornUnexplained, long rejectedLines) {
            return new RunHealth(stopped.size(), new ArrayList<>(stopped), tornLines, tornUnexplained, rejectedLines);
        }
    }

    /** Why these figures make a run under {@code g} not valid; empty when they do not. */
    public List<String> problems(Guarantee g) {
        List<String> out = new ArrayList<>();
        if (g == Guarantee.EXACTLY_ONCE && producerStops > 0) {
            out.add("exactly-once producer stops: " + producerStops + " " + stoppedProducers
                    + " (a send failed with " + FATAL_PRODUCER_ERROR + "; an exactly-once producer must not stop)");
        }
        if (!outputProblems.isEmpty()) {
            out.add("outbox relay output: " + String.join("; ", outputProblems));
        }
        if (tornUnexplained > 0 || rejectedLines > 0) {
            out.add("child history lines lost without explanation: " + tornUnexplained + " torn (of " + tornLines
                    + "), " + rejectedLines + " rejected; the history is incomplete");
        }
        return out;
    }

    /** The run's verdict: the checker's, made worse by {@link #problems}. Order: invalid, unknown, trivial, valid. */
    public Verdict cap(Verdict checker, Guarantee g) {
        Verdict v = checker;
        if (tornUnexplained > 0 || rejectedLines > 0) {
            v = worse(v, Verdict.UNKNOWN);
        }
        if (g == Guarantee.EXACTLY_ONCE && producerStops > 0) {
            v = worse(v, Verdict.INVALID);
        }
        if (!outputProblems.isEmpty()) {
            v = worse(v, Verdict.INVALID);
        }
        return v;
    }

    private static Verdict worse(Verdict a, Verdict b) {
        List<Verdict> order = List.of(Verdict.INVALID, Verdict.UNKNOWN, Verdict.TRIVIAL, Verdict.VALID);
        return order.indexOf(a) <= order.indexOf(b) ? a : b;
    }

    /** "-" without a relay, "ok (N)" when every applied effect was published once, else the problem count. */
    public String outputCell() {
        if (outputChecked < 0) {
            return "-";
        }
        return outputProblems.isEmpty() ? "once each (" + outputChecked + ")" : outputProblems.size() + " problem(s)";
    }

    /** "2" or "2 (1 unexplained)", for tables. */
    public String tornCell() {
        return tornUnexplained == 0 ? Long.toString(tornLines) : tornLines + " (" + tornUnexplained + " unexplained)";
    }
}
