package io.semel.verify.testing;

import io.semel.verify.history.AccountState;
import io.semel.verify.history.Delivery;
import io.semel.verify.history.EventValue;
import io.semel.verify.history.Guarantee;
import io.semel.verify.history.History;
import io.semel.verify.history.HistoryReader;
import io.semel.verify.history.HistoryWriter;
import io.semel.verify.history.LogRecord;
import io.semel.verify.history.NemesisPhase;
import io.semel.verify.history.OpType;
import io.semel.verify.history.ScheduledFault;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Fluent hand-made histories. Every op runs on a fresh process id, so the retired-process rule never
 * gets in the way. Final reads (drain-log, read-state) are kept aside and appended by {@link #build()},
 * so a test can take a standard history and change only its final reads. {@link #build()} writes the
 * history with {@link HistoryWriter} and reads it back with {@link HistoryReader}: every test history
 * also exercises the format.
 */
public final class HistoryBuilder {
    private final Guarantee guarantee;
    private final List<ScheduledFault> schedule = new ArrayList<>();
    private final List<Step> steps = new ArrayList<>();
    private List<LogRecord> drain = new ArrayList<>();
    private final Map<String, AccountState> accounts = new LinkedHashMap<>();
    private final Map<Integer, Long> positions = new TreeMap<>();
    private boolean withDrain = true;
    private boolean withReadState = true;
    private boolean withMidRunRead = true;
    private int nextProc;
    private String engine = EventValue.Header.ENGINE_SEMEL;

    private record Step(String proc, OpType type, EventValue value, String error) {
    }

    private HistoryBuilder(Guarantee guarantee) {
        this.guarantee = guarantee;
    }

    public static HistoryBuilder of(Guarantee guarantee) {
        return new HistoryBuilder(guarantee);
    }

    /** The header's engine ({@code semel} by default, not written). */
    public HistoryBuilder engine(String e) {
        engine = e;
        return this;
    }

    public HistoryBuilder schedule(String fault, String... targets) {
        schedule.add(new ScheduledFault(fault, Arrays.asList(targets)));
        return this;
    }

    public HistoryBuilder sendOk(String id, String key, long amt, long partition, long offset) {
        EventValue.Send s = new EventValue.Send(id, key, amt);
        return op(s, OpType.OK, s.confirmed(partition, offset), null);
    }

    /** A confirmed send on a given process, e.g. {@code p1.l2.0} (producer p1, lane 2): for per-producer rules. */
    public HistoryBuilder sendOkOn(String proc, String id, String key, long amt, long partition, long offset) {
        EventValue.Send s = new EventValue.Send(id, key, amt);
        steps.add(new Step(proc, OpType.INVOKE, s, null));
        steps.add(new Step(proc, OpType.OK, s.confirmed(partition, offset), null));
        return this;
    }

    public HistoryBuilder sendFail(String id, String key, long amt) {
        EventValue.Send s = new EventValue.Send(id, key, amt);
        return op(s, OpType.FAIL, s, "rejected: fenced");
    }

    public HistoryBuilder sendInfo(String id, String key, long amt) {
        EventValue.Send s = new EventValue.Send(id, key, amt);
        return op(s, OpType.INFO, s, "timeout after 5000 ms");
    }

    /** A send invoked and never completed (still outstanding at the end). */
    public HistoryBuilder sendOpen(String id, String key, long amt) {
        steps.add(new Step(proc(), OpType.INVOKE, new EventValue.Send(id, key, amt), null));
        return this;
    }

    public HistoryBuilder deliver(String consumer, long epoch, Delivery... messages) {
        EventValue.Deliver d = new EventValue.Deliver(consumer, epoch, Arrays.asList(messages));
        return op(new EventValue.Deliver(consumer, epoch, List.of()), OpType.OK, d, null);
    }

    public static Delivery d(String id, long partition, long offset, int deliveryCount) {
        return new Delivery(id, partition, offset, deliveryCount);
    }

    /** A delivery under its own lease epoch. */
    public static Delivery d(String id, long partition, long offset, int deliveryCount, long leaseEpoch) {
        return new Delivery(id, partition, offset, deliveryCount, leaseEpoch);
    }

    /** A read of the store taken while the workload runs: accounts as {@code key, balance, ids...} via the map. */
    public HistoryBuilder readDuring(Map<String, AccountState> state, Map<Integer, Long> storedPositions) {
        return op(EventValue.ReadState.emptyDuring(), OpType.OK, EventValue.ReadState.during(state, storedPositions),
                null);
    }

    public static AccountState acc(long balance, String... appliedIds) {
        return new AccountState(balance, Arrays.asList(appliedIds));
    }

    public HistoryBuilder apply(String consumer, String... ids) {
        EventValue.Apply a = new EventValue.Apply(consumer, Arrays.asList(ids), Map.of());
        return op(a, OpType.OK, a, null);
    }

    public HistoryBuilder ack(String consumer, String... ids) {
        EventValue.Ack a = new EventValue.Ack(consumer, Arrays.asList(ids));
        return op(a, OpType.OK, a, null);
    }

    /** A fault that took effect (nemesis start ok). */
    public HistoryBuilder nemesis(String fault, String... targets) {
        return nemesis(NemesisPhase.START, fault, targets);
    }

    public HistoryBuilder heal(String fault, String... targets) {
        return nemesis(NemesisPhase.STOP, fault, targets);
    }

    private HistoryBuilder nemesis(NemesisPhase phase, String fault, String... targets) {
        EventValue.Nemesis n = new EventValue.Nemesis(fault, Arrays.asList(targets), phase);
        return op(n, OpType.OK, n, null);
    }

    /** Replaces the final drained log. */
    public HistoryBuilder drain(LogRecord... records) {
        drain = new ArrayList<>(Arrays.asList(records));
        return this;
    }

    public HistoryBuilder addLogRecord(long partition, long offset, String id) {
        drain.add(new LogRecord(partition, offset, id));
        return this;
    }

    public HistoryBuilder removeLogRecord(String id) {
        drain.removeIf(r -> r.id().equals(id));
        return this;
    }

    public static LogRecord r(long partition, long offset, String id) {
        return new LogRecord(partition, offset, id);
    }

    /** Sets (or replaces) one account of the final state. */
    public HistoryBuilder account(String key, long balance, String... appliedIds) {
        accounts.put(key, new AccountState(balance, Arrays.asList(appliedIds)));
        return this;
    }

    /** Sets the stored position (next offset) of a partition in the final read-state; none by default. */
    public HistoryBuilder position(int partition, long nextOffset) {
        positions.put(partition, nextOffset);
        return this;
    }

    public HistoryBuilder withoutDrain() {
        withDrain = false;
        return this;
    }

    /**
     * No read-state taken while the workload runs. By default {@link #build()} adds one after the steps, holding
     * the final state (so it agrees with every rule), because a run without one is trivial.
     */
    public HistoryBuilder withoutMidRunRead() {
        withMidRunRead = false;
        return this;
    }

    public HistoryBuilder withoutReadState() {
        withReadState = false;
        return this;
    }

    public History build() {
        StringWriter out = new StringWriter();
        long[] clock = {1_000};
        try (HistoryWriter w = new HistoryWriter(out, () -> clock[0] += 1_000,
                new EventValue.Header(guarantee, schedule).withEngine(engine))) {
            for (Step s : steps) {
                w.append(s.proc(), s.type(), s.value(), s.error());
            }
            if (withMidRunRead) {
                String p = proc();
                w.invoke(p, EventValue.ReadState.emptyDuring());
                w.ok(p, EventValue.ReadState.during(new TreeMap<>(accounts), positions));
            }
            if (withDrain) {
                String p = proc();
                w.invoke(p, new EventValue.DrainLog(List.of()));
                w.ok(p, new EventValue.DrainLog(drain));
            }
            if (withReadState) {
                String p = proc();
                w.invoke(p, EventValue.ReadState.empty());
                w.ok(p, new EventValue.ReadState(new TreeMap<>(accounts), positions));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return HistoryReader.readAll(new StringReader(out.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HistoryBuilder op(EventValue invoke, OpType type, EventValue done, String error) {
        String p = proc();
        steps.add(new Step(p, OpType.INVOKE, invoke, null));
        steps.add(new Step(p, type, done, error));
        return this;
    }

    private String proc() {
        return "w" + nextProc++;
    }
}
