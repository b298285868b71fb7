package io.semel.verify.checker.reference;

import io.semel.verify.history.AccountState;
import io.semel.verify.history.Delivery;
import io.semel.verify.history.EventValue;
import io.semel.verify.history.History;
import io.semel.verify.history.HistoryEvent;
import io.semel.verify.history.LogRecord;
import io.semel.verify.history.OpType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One pass over a history into the sets of DESIGN §6: A, K, F, I, D, Pₕ, and L and P from the last
 * {@code drain-log ok} and {@code read-state ok}. Also keeps, per id, the events that mention it, for
 * examples. Not thread-safe; built and read by one checker call.
 */
final class HistoryIndex {
    /** One delivered message and the deliver event it came in. */
    record DeliveryAt(Delivery delivery, HistoryEvent event) {
    }

    /** A log record's place, printed "partition/offset"; the key of every per-record map of the rules. */
    record Position(long partition, long offset) {
        @Override
        public String toString() {
            return partition + "/" + offset;
        }
    }

    /** A (partition, offset) → id claim, from a send ok, a delivery or the drained log. */
    record OffsetClaim(long partition, long offset, String id, HistoryEvent event) {
    }

    /**
     * One {@code read-state ok} with the {@code i} of its invoke: an event completed before {@code invokeI}
     * happened before the read began, so the read must reflect it.
     */
    record ReadAt(HistoryEvent event, long invokeI, EventValue.ReadState value, Multiset applied) {
    }

    /** One send invoke and, if it was confirmed, its ok; in invoke order. */
    record SendAt(String producer, HistoryEvent invoke, EventValue.Send confirmed) {
    }

    final History history;
    final SortedSet<String> attempted = new TreeSet<>();
    final SortedSet<String> confirmed = new TreeSet<>();
    final SortedSet<String> failed = new TreeSet<>();
    final SortedSet<String> unknown = new TreeSet<>();
    final Map<String, EventValue.Send> sends = new HashMap<>();
    final Multiset delivered = new Multiset();
    final List<DeliveryAt> deliveries = new ArrayList<>();
    final Multiset appliedByHistory = new Multiset();
    final List<OffsetClaim> offsetClaims = new ArrayList<>();
    final List<HistoryEvent> nemesisEvents = new ArrayList<>();
    /** Events mentioning each id (send, deliver, apply, ack), in order; never the final reads. */
    final Map<String, List<HistoryEvent>> eventsById = new HashMap<>();
    /** Every {@code apply ok}, in history order. */
    final List<HistoryEvent> applyOks = new ArrayList<>();
    /** Every {@code read-state ok}, final or taken during the run, in history order. */
    final List<ReadAt> reads = new ArrayList<>();
    /** Every send invoke in history order, with its confirmation. */
    final List<SendAt> sendOrder = new ArrayList<>();
    HistoryEvent drainLog;
    /** The last final {@code read-state ok}; reads taken during the run never stand for P. */
    HistoryEvent readState;
    final Multiset logged = new Multiset();
    final Multiset applied = new Multiset();

    HistoryIndex(History history) {
        this.history = history;
        Map<String, String> openSendByProc = new HashMap<>();
        Map<String, Long> openReadByProc = new HashMap<>();
        Map<String, Integer> sendAtById = new HashMap<>();
        for (HistoryEvent e : history.events()) {
            switch (e.f()) {
                case SEND -> indexSend(e, openSendByProc, sendAtById);
                case DELIVER -> indexDeliver(e);
                case APPLY -> indexApply(e);
                case ACK -> ((EventValue.Ack) e.value()).ids().forEach(id -> mention(id, e));
                case NEMESIS -> nemesisEvents.add(e);
                case DRAIN_LOG -> drainLog = e.type() == OpType.OK ? e : drainLog;
                case READ_STATE -> indexRead(e, openReadByProc);
                case HEADER -> throw new IllegalArgumentException("header inside the history at event " + e.i());
            }
        }
        // An invoke that never completed may have taken effect: it is unknown, like an info.
        unknown.addAll(openSendByProc.values());
        if (drainLog != null) {
            for (LogRecord r : ((EventValue.DrainLog) drainLog.value()).records()) {
                logged.add(r.id());
                offsetClaims.add(new OffsetClaim(r.partition(), r.offset(), r.id(), drainLog));
            }
        }
        if (readState != null) {
            for (AccountState acc : ((EventValue.ReadState) readState.value()).accounts().values()) {
                acc.appliedIds().forEach(applied::add);
            }
        }
    }

    private void indexRead(HistoryEvent e, Map<String, Long> openReadByProc) {
        if (e.type() == OpType.INVOKE) {
            openReadByProc.put(e.proc(), e.i());
            return;
        }
        Long invokeI = openReadByProc.remove(e.proc());
        if (e.type() != OpType.OK) {
            return;
        }
        EventValue.ReadState rs = (EventValue.ReadState) e.value();
        Multiset ids = new Multiset();
        rs.accounts().values().forEach(acc -> acc.appliedIds().forEach(ids::add));
        reads.add(new ReadAt(e, invokeI == null ? e.i() : invokeI, rs, ids));
        if (rs.isFinal()) {
            readState = e;
        }
    }

    /**
     * The producer a send belongs to: its {@code proc} up to the first dot. The harness names send processes
     * {@code <producer>.<lane>.<incarnation>} (docs/verify.md), so one producer's lanes share the prefix.
     */
    static String producerOf(String proc) {
        int dot = proc.indexOf('.');
        return dot < 0 ? proc : proc.substring(0, dot);
    }

    boolean hasDrainLog() {
        return drainLog != null;
    }

    boolean hasReadState() {
        return readState != null;
    }

    /** The drained log's records, empty without a drain. */
    List<LogRecord> logRecords() {
        return drainLog == null ? List.of() : ((EventValue.DrainLog) drainLog.value()).records();
    }

    private void indexSend(HistoryEvent e, Map<String, String> openSendByProc, Map<String, Integer> sendAtById) {
        EventValue.Send s = (EventValue.Send) e.value();
        mention(s.id(), e);
        switch (e.type()) {
            case INVOKE -> {
                attempted.add(s.id());
                sends.put(s.id(), s);
                openSendByProc.put(e.proc(), s.id());
                sendAtById.put(s.id(), sendOrder.size());
                sendOrder.add(new SendAt(producerOf(e.proc()), e, null));
            }
            case OK -> {
                confirmed.add(s.id());
                offsetClaims.add(new OffsetClaim(s.partition(), s.offset(), s.id(), e));
                Integer at = sendAtById.get(s.id());
                if (at != null) {
                    SendAt invoked = sendOrder.get(at);
                    sendOrder.set(at, new SendAt(invoked.producer(), invoked.invoke(), s));
                }
            }
            case FAIL -> failed.add(s.id());
            case INFO -> unknown.add(s.id());
        }
        if (e.type().isCompletion()) {
            openSendByProc.remove(e.proc());
        }
    }

    private void indexDeliver(HistoryEvent e) {
        if (e.type() != OpType.OK) {
            return;
        }
        for (Delivery d : ((EventValue.Deliver) e.value()).messages()) {
            delivered.add(d.id());
            deliveries.add(new DeliveryAt(d, e));
            offsetClaims.add(new OffsetClaim(d.partition(), d.offset(), d.id(), e));
            mention(d.id(), e);
        }
    }

    private void indexApply(HistoryEvent e) {
        List<String> ids = ((EventValue.Apply) e.value()).ids();
        ids.forEach(id -> mention(id, e));
        if (e.type() == OpType.OK) {
            ids.forEach(appliedByHistory::add);
            applyOks.add(e);
        }
    }

    private void mention(String id, HistoryEvent e) {
        List<HistoryEvent> es = eventsById.computeIfAbsent(id, k -> new ArrayList<>());
        // An apply invoke and its ok both list the id; keep each event once.
        if (es.isEmpty() || es.get(es.size() - 1) != e) {
            es.add(e);
        }
    }

    /** Σ amt per account over the given send ids; ids never sent are skipped (they are reported as unexpected). */
    Map<String, Long> sumByAccount(Iterable<String> ids) {
        Map<String, Long> out = new TreeMap<>();
        for (String id : ids) {
            EventValue.Send s = sends.get(id);
            if (s != null) {
                out.merge(s.key(), s.amt(), Long::sum);
            }
        }
        return out;
    }

    /** Σ amt over a list of ids (with repeats); ids never sent are skipped. */
    long sumAmt(List<String> ids) {
        long sum = 0;
        for (String id : ids) {
            EventValue.Send s = sends.get(id);
            if (s != null) {
                sum += s.amt();
            }
        }
        return sum;
    }
}
