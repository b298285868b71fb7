package io.semel.verify.run.child;

import io.semel.client.Message;
import io.semel.protocol.ErrorCode;
import io.semel.verify.history.EventValue;
import io.semel.verify.history.NemesisPhase;
import io.semel.verify.history.OpType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The processor child's history ops over its {@link EventOutput} (the {@link ChildChannel} in a child JVM). Process ids are
 * {@code <name>.g<generation>.<n>}: a new generation per (re)start, and a new {@code n} after every
 * {@code info}, which retires the process id (history rule). The consumer name in values is the plain
 * child name, the target nemesis events use. Used by the child's one processing thread; not thread-safe.
 */
public final class ChildHistory {
    private final EventOutput channel;
    private final String name;
    private final int generation;
    private int incarnation;

    public ChildHistory(EventOutput channel, String name, int generation) {
        this.channel = channel;
        this.name = name;
        this.generation = generation;
    }

    /** The consumer name used in deliver/apply/ack values and as the nemesis target. */
    public String consumer() {
        return name;
    }

    public String proc() {
        return name + ".g" + generation + "." + incarnation;
    }

    public void invoke(EventValue v) {
        channel.emit(proc(), OpType.INVOKE, v, null);
    }

    public void ok(EventValue v) {
        channel.emit(proc(), OpType.OK, v, null);
    }

    /** Definitely not done (the client's promise); the process id stays usable. */
    public void fail(EventValue v, String error) {
        channel.emit(proc(), OpType.FAIL, v, error);
    }

    /** Outcome unknown: written, then this process id is retired and the next op uses a new one. */
    public void info(EventValue v, Throwable error) {
        channel.emit(proc(), OpType.INFO, v, describe(error));
        incarnation++;
    }

    /**
     * Completes the open {@code ack} invoke with each message's own outcome ({@link AckOutcomes}): one op per
     * outcome, in the order ok (the settled ids), fail (one per refusal code, error = the code), info (the
     * unknown ids, last because an info retires the process id). The first non-empty one completes the open
     * invoke; each further one is invoked and completed at once, on the same process id, right after the call
     * returned. An empty group writes nothing.
     */
    public void ackDone(AckOutcomes o) {
        List<Runnable> completions = new ArrayList<>();
        List<List<String>> groups = new ArrayList<>();
        if (!o.settled().isEmpty()) {
            List<String> ids = ids(o.settled());
            groups.add(ids);
            completions.add(() -> ok(new EventValue.Ack(name, ids)));
        }
        for (Map.Entry<ErrorCode, List<Message>> e : o.refused().entrySet()) {
            List<String> ids = ids(e.getValue());
            String error = e.getKey().name() + " (" + e.getKey().code() + "): the broker did not settle these";
            groups.add(ids);
            completions.add(() -> channel.emit(proc(), OpType.FAIL, new EventValue.Ack(name, ids), error));
        }
        if (!o.unknown().isEmpty()) {
            List<String> ids = ids(o.unknown());
            groups.add(ids);
            completions.add(() -> {
                channel.emit(proc(), OpType.INFO, new EventValue.Ack(name, ids), o.unknownWhy());
                incarnation++;
            });
        }
        for (int i = 0; i < completions.size(); i++) {
            if (i > 0) {
                invoke(new EventValue.Ack(name, groups.get(i)));
            }
            completions.get(i).run();
        }
    }

    private static List<String> ids(List<Message> ms) {
        return ms.stream().map(m -> Deliveries.idOf(m.headers(), m.value())).toList();
    }

    /** Whether the harness armed the crash point. */
    public boolean crashArmed() {
        return channel.armed();
    }

    /**
     * The crash point: records the nemesis {@code crash-after-commit-before-ack} (start, ok) on its own process
     * id, then halts the JVM at once, as SIGKILL would. The line is flushed before the halt, so the history
     * shows the crash even though nothing after it runs.
     */
    /** Printed on stderr (flushed) before a crash point halts: {@code CRASH <fault>: <step>}; the harness reads it. */
    public static final String CRASH_LINE_PREFIX = "CRASH ";

    public void crashNow(String step) {
        crashNow(EventValue.Nemesis.CRASH_AFTER_COMMIT_BEFORE_ACK, step);
    }

    /** {@link #crashNow(String)} recorded as the nemesis {@code fault} (another named crash point). */
    public void crashNow(String fault, String step) {
        injected(fault);
        System.err.println(CRASH_LINE_PREFIX + fault + ": " + step);
        System.err.flush();
        Runtime.getRuntime().halt(137);
    }

    /**
     * Records the nemesis {@code fault} (start, ok) that this child injects into itself right now, on its own
     * process id ({@code <name>.g<generation>.crash}); the lines are flushed before the caller goes on to halt or
     * stop itself.
     */
    public void injected(String fault) {
        String proc = name + ".g" + generation + ".crash";
        EventValue.Nemesis n = new EventValue.Nemesis(fault, List.of(name), NemesisPhase.START);
        channel.emit(proc, OpType.INVOKE, n, null);
        channel.emit(proc, OpType.OK, n, null);
    }

    static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m.replace('\n', ' '));
    }
}
