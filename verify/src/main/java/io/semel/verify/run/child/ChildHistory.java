package io.semel.verify.run.child;

import io.semel.verify.history.EventValue;
import io.semel.verify.history.NemesisPhase;
import io.semel.verify.history.OpType;
import java.util.List;

/**
 * The processor child's history ops over its {@link ChildChannel}. Process ids are
 * {@code <name>.g<generation>.<n>}: a new generation per (re)start, and a new {@code n} after every
 * {@code info}, which retires the process id (history rule). The consumer name in values is the plain
 * child name, the target nemesis events use. Used by the child's one processing thread; not thread-safe.
 */
public final class ChildHistory {
    private final ChildChannel channel;
    private final String name;
    private final int generation;
    private int incarnation;

    public ChildHistory(ChildChannel channel, String name, int generation) {
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

    /** Whether the harness armed the crash point. */
    public boolean crashArmed() {
        return channel.armed();
    }

    /**
     * The crash point: records the nemesis {@code crash-after-commit-before-ack} (start, ok) on its own process
     * id, then halts the JVM at once, as SIGKILL would. The line is flushed before the halt, so the history
     * shows the crash even though nothing after it runs.
     */
    public void crashNow(String step) {
        String proc = name + ".g" + generation + ".crash";
        EventValue.Nemesis n = new EventValue.Nemesis(EventValue.Nemesis.CRASH_AFTER_COMMIT_BEFORE_ACK, List.of(name),
                NemesisPhase.START);
        channel.emit(proc, OpType.INVOKE, n, null);
        channel.emit(proc, OpType.OK, n, null);
        System.err.println("CRASH " + step);
        System.err.flush();
        Runtime.getRuntime().halt(137);
    }

    static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m.replace('\n', ' '));
    }
}
