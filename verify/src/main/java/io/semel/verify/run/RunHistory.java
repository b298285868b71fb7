package io.semel.verify.run;

import io.semel.verify.history.EventValue;
import io.semel.verify.history.HistoryEvent;
import io.semel.verify.history.HistoryWriter;
import io.semel.verify.history.NemesisPhase;
import io.semel.verify.history.OpType;
import io.semel.verify.report.FaultPairing;
import io.semel.verify.report.InjectedFault;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * The run's one history: the {@link HistoryWriter} every harness thread and (through {@link EventSink}) every
 * child appends to, plus what the reports need that the history does not hold directly: faults that took
 * effect with their times, confirmed sends per second, live counters for the progress line.
 *
 * <p>Time: the writer's clock is the harness's {@code System.nanoTime}; children never stamp time, so
 * there is nothing to align. Milliseconds "since start" are from {@link #startNanos()}.
 *
 * <p>Thread-safe (the writer serializes appends; the fault list is guarded by {@code this}).
 */
public final class RunHistory implements Closeable, EventSink.Target {
    /** Seconds of confirmed-per-second series kept; a longer run folds the rest into the last bucket. */
    static final int SECONDS_MAX = 24 * 3600;

    private final HistoryWriter writer;
    private final LongSupplier nanoTime;
    private volatile long startNanos;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong confirmed = new AtomicLong();
    private final AtomicLong unknown = new AtomicLong();
    private final AtomicLong faultsInjected = new AtomicLong();
    private final AtomicLongArray confirmedPerSecond;
    /** Guarded by this. */
    private final FaultPairing faults = new FaultPairing();
    /** tNs of the first send event, time zero of the report's series; guarded by this. */
    private long firstSendTNs = Long.MIN_VALUE;
    /** Per process id, its invoked and not yet completed op: what a killed child leaves open. */
    private final Map<String, HistoryEvent> openOps = new java.util.concurrent.ConcurrentHashMap<>();

    RunHistory(Path file, LongSupplier nanoTime, EventValue.Header header, int seconds) throws IOException {
        this.nanoTime = nanoTime;
        this.startNanos = nanoTime.getAsLong();
        this.writer = HistoryWriter.create(file, nanoTime, header);
        this.confirmedPerSecond = new AtomicLongArray(Math.min(SECONDS_MAX, Math.max(1, seconds)));
    }

    public long startNanos() {
        return startNanos;
    }

    /** Sets time zero of the run (schedule times, per-second series) to now: the workload starts. */
    public void markStart() {
        startNanos = nanoTime.getAsLong();
    }

    public long elapsedMs() {
        return (nanoTime.getAsLong() - startNanos) / 1_000_000;
    }

    /** Appends; a broken history rule is a harness bug and fails loudly. */
    public HistoryEvent append(String proc, OpType type, EventValue value, String error) {
        try {
            HistoryEvent e = writer.append(proc, type, value, error);
            observe(e);
            return e;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the history", e);
        }
    }

    @Override
    public void accept(String child, HistoryEvent e) {
        append(e.proc(), e.type(), e.value(), e.error());
    }

    public void invoke(String proc, EventValue v) {
        append(proc, OpType.INVOKE, v, null);
    }

    public void ok(String proc, EventValue v) {
        append(proc, OpType.OK, v, null);
    }

    public void fail(String proc, EventValue v, String error) {
        append(proc, OpType.FAIL, v, error);
    }

    public void info(String proc, EventValue v, String error) {
        append(proc, OpType.INFO, v, error);
    }

    /**
     * Completes as {@code info} every open op of the processes whose id starts with {@code procPrefix}: called
     * after a child's death, once its event stream has ended, because a killed process's in-flight sends may
     * or may not have taken effect (never {@code fail}).
     *
     * @return how many ops were closed
     */
    public int closeOpen(String procPrefix, String error) {
        List<HistoryEvent> open = openOps.values().stream().filter(e -> e.proc().startsWith(procPrefix))
                .sorted(java.util.Comparator.comparingLong(HistoryEvent::i)).toList();
        for (HistoryEvent e : open) {
            info(e.proc(), e.value(), error);
        }
        return open.size();
    }

    private synchronized void observe(HistoryEvent e) {
        if (e.value() instanceof EventValue.Send && (firstSendTNs == Long.MIN_VALUE || e.tNs() < firstSendTNs)) {
            firstSendTNs = e.tNs();
        }
        if (e.type() == OpType.INVOKE) {
            openOps.put(e.proc(), e);
        } else {
            openOps.remove(e.proc());
        }
        if (e.value() instanceof EventValue.Send) {
            switch (e.type()) {
                case INVOKE -> sent.incrementAndGet();
                case OK -> {
                    confirmed.incrementAndGet();
                    int second = (int) Math.min(confirmedPerSecond.length() - 1, eventMs(e) / 1000);
                    confirmedPerSecond.incrementAndGet(second);
                }
                case INFO -> unknown.incrementAndGet();
                default -> { }
            }
        } else if (e.value() instanceof EventValue.Nemesis n && e.type() == OpType.OK) {
            nemesis(n, eventMs(e));
        }
    }

    /**
     * An event's time in the report's series and fault list: ms since the first send, from the event's own
     * timestamp, exactly as {@code semel check} computes it offline (HistoryCheck), so both print the same
     * report. The producers start sending just before {@link #markStart()}; earlier events count as 0.
     */
    private long eventMs(HistoryEvent e) {
        long zero = firstSendTNs == Long.MIN_VALUE ? e.tNs() : firstSendTNs;
        return Math.max(0, (e.tNs() - zero) / 1_000_000);
    }

    private synchronized void nemesis(EventValue.Nemesis n, long now) {
        if (n.phase() == NemesisPhase.START) {
            faultsInjected.incrementAndGet();
        }
        faults.ok(n, now);
    }

    public long sent() {
        return sent.get();
    }

    public long confirmed() {
        return confirmed.get();
    }

    public long unknown() {
        return unknown.get();
    }

    public long faultsInjected() {
        return faultsInjected.get();
    }

    public synchronized List<InjectedFault> injectedFaults() {
        return faults.faults();
    }

    /** Confirmed sends in each second up to {@code seconds} (clipped to what was recorded). */
    public List<Long> confirmedPerSecond(int seconds) {
        int n = Math.min(Math.max(1, seconds), confirmedPerSecond.length());
        List<Long> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(confirmedPerSecond.get(i));
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }
}
