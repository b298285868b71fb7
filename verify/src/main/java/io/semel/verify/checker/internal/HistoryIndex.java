package io.semel.verify.checker.internal;

import io.semel.verify.history.AccountState;
import io.semel.verify.history.Delivery;
import io.semel.verify.history.EventValue;
import io.semel.verify.history.HistoryEvent;
import io.semel.verify.history.LogRecord;
import io.semel.verify.history.OpType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One streaming pass over a history into the sets of DESIGN §6 — A, K, F, I, D, Pₕ, and L and P from the last
 * {@code drain-log ok} and final {@code read-state ok} — fed one event at a time ({@link #accept}), keeping no
 * event object except the nemesis events. Ids are interned to ints ({@link IdTable}); sets and multisets are
 * per-id flags and counters; sends, deliveries, applies, reads and the log are parallel primitive arrays.
 *
 * <p>Memory, per distinct id: the id string (about 56 bytes) and about 40 bytes of tables and counters; per
 * send about 32 bytes more (invoke order, and its ok); per delivered message 44 bytes ({@link Deliveries}); per
 * id in an {@code apply ok} 4 bytes; per drained record 20 bytes ({@link DrainedLog}); per applied id of a
 * read 4 bytes (8 for the final read). About 110 bytes per event of a soak history in all. Not thread-safe;
 * built and read by one checker call.
 */
final class HistoryIndex {
    private static final int ATTEMPTED = 1;
    private static final int CONFIRMED = 2;
    private static final int FAILED = 4;
    private static final int UNKNOWN = 8;
    /** No send ok for this send invoke. */
    static final int NO_OK = -1;

    final EventValue.Header header;
    final IdTable ids = new IdTable();
    final IdTable keys = new IdTable();
    final IdTable consumers = new IdTable();
    final IdTable producers = new IdTable();
    private final IntList status = new IntList();
    /** Per id: the key and amt of its (last) send invoke, for the state sums; key -1 when never invoked. */
    private final IntList sendKey = new IntList();
    private final LongList sendAmt = new LongList();
    private final IntList sendOrderById = new IntList();
    private final IntList delivered = new IntList();
    private final IntList appliedByHistory = new IntList();
    private final IntList logged = new IntList();
    private final IntList applied = new IntList();

    /** Every send invoke in history order: its id, its producer and the index of its ok in the ok arrays. */
    final IntList orderId = new IntList();
    final IntList orderProducer = new IntList();
    final IntList orderOk = new IntList();
    /** Every send ok in history order: id, partition, offset, event {@code i}. */
    final IntList okId = new IntList();
    final LongList okPartition = new LongList();
    final LongList okOffset = new LongList();
    final LongList okEventI = new LongList();
    final Deliveries deliveries = new Deliveries();
    /** Every {@code apply ok} in history order: its {@code i}, and its ids at applyIds[applyStart[k]..]. */
    final LongList applyOkI = new LongList();
    final IntList applyStart = new IntList();
    final IntList applyIds = new IntList();
    /** Every {@code read-state ok}, final or taken during the run, in history order. */
    final List<StoreRead> reads = new ArrayList<>();
    final List<HistoryEvent> nemesisEvents = new ArrayList<>();
    /** The last {@code drain-log ok}, or null. */
    DrainedLog drainLog;
    /** The last final {@code read-state ok}; reads taken during the run never stand for P. */
    StoreRead readState;
    final CommitAckTracker commitAck = new CommitAckTracker();

    private final Map<String, Integer> openSendByProc = new HashMap<>();
    private final Map<String, Long> openReadByProc = new HashMap<>();
    private int attempted;
    private int confirmed;
    private int failed;
    private int unknown;

    HistoryIndex(EventValue.Header header) {
        this.header = header;
    }

    void accept(HistoryEvent e) {
        commitAck.accept(e);
        switch (e.f()) {
            case SEND -> indexSend(e);
            case DELIVER -> indexDeliver(e);
            case APPLY -> indexApply(e);
            case ACK -> ((EventValue.Ack) e.value()).ids().forEach(ids::intern);
            case NEMESIS -> nemesisEvents.add(e);
            case DRAIN_LOG -> indexDrain(e);
            case READ_STATE -> indexRead(e);
            case HEADER -> throw new IllegalArgumentException("header inside the history at event " + e.i());
        }
    }

    /** Ends the pass: open sends become unknown, L and P are counted from the last drain and final read. */
    void finish() {
        // An invoke that never completed may have taken effect: it is unknown, like an info.
        openSendByProc.values().forEach(id -> flag(id, UNKNOWN));
        openSendByProc.clear();
        if (drainLog != null) {
            for (int k = 0; k < drainLog.size(); k++) {
                logged.increment(drainLog.id(k));
            }
        }
        if (readState != null) {
            readState.accounts().values().forEach(acc -> {
                for (int id : acc.appliedIds()) {
                    applied.increment(id);
                }
            });
        }
    }

    boolean hasDrainLog() {
        return drainLog != null;
    }

    boolean hasReadState() {
        return readState != null;
    }

    int idCount() {
        return ids.size();
    }

    String name(int id) {
        return ids.name(id);
    }

    boolean attempted(int id) {
        return (status.getOr(id, 0) & ATTEMPTED) != 0;
    }

    boolean confirmed(int id) {
        return (status.getOr(id, 0) & CONFIRMED) != 0;
    }

    boolean failed(int id) {
        return (status.getOr(id, 0) & FAILED) != 0;
    }

    boolean unknown(int id) {
        return (status.getOr(id, 0) & UNKNOWN) != 0;
    }

    int attemptedCount() {
        return attempted;
    }

    int confirmedCount() {
        return confirmed;
    }

    int failedCount() {
        return failed;
    }

    int unknownCount() {
        return unknown;
    }

    /** Times in D. */
    int delivered(int id) {
        return delivered.getOr(id, 0);
    }

    /** Times in Pₕ. */
    int appliedByHistory(int id) {
        return appliedByHistory.getOr(id, 0);
    }

    /** Times in L. */
    int logged(int id) {
        return logged.getOr(id, 0);
    }

    /** Times in P. */
    int applied(int id) {
        return applied.getOr(id, 0);
    }

    /** The account key of the id's send invoke, or null if it was never sent. */
    String keyOf(int id) {
        int k = sendKey.getOr(id, -1);
        return k < 0 ? null : keys.name(k);
    }

    /** The amt of the id's send invoke; 0 if it was never sent (then it is left out of every sum). */
    long amtOf(int id) {
        return sendAmt.getOr(id, 0);
    }

    private void flag(int id, int bit) {
        int before = status.getOr(id, 0);
        if ((before & bit) == 0) {
            status.put(id, before | bit, 0);
            switch (bit) {
                case ATTEMPTED -> attempted++;
                case CONFIRMED -> confirmed++;
                case FAILED -> failed++;
                default -> unknown++;
            }
        }
    }

    private void indexSend(HistoryEvent e) {
        EventValue.Send s = (EventValue.Send) e.value();
        int id = ids.intern(s.id());
        switch (e.type()) {
            case INVOKE -> {
                flag(id, ATTEMPTED);
                sendKey.put(id, keys.intern(s.key()), -1);
                sendAmt.put(id, s.amt(), 0);
                openSendByProc.put(e.proc(), id);
                sendOrderById.put(id, orderId.size(), -1);
                orderId.add(id);
                orderProducer.add(producers.intern(producerOf(e.proc())));
                orderOk.add(NO_OK);
            }
            case OK -> {
                flag(id, CONFIRMED);
                int at = sendOrderById.getOr(id, -1);
                if (at >= 0) {
                    orderOk.set(at, okId.size());
                }
                okId.add(id);
                okPartition.add(s.partition());
                okOffset.add(s.offset());
                okEventI.add(e.i());
            }
            case FAIL -> flag(id, FAILED);
            case INFO -> flag(id, UNKNOWN);
        }
        if (e.type().isCompletion()) {
            openSendByProc.remove(e.proc());
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

    private void indexDeliver(HistoryEvent e) {
        if (e.type() != OpType.OK) {
            return;
        }
        EventValue.Deliver v = (EventValue.Deliver) e.value();
        int consumer = consumers.intern(v.consumer());
        for (Delivery d : v.messages()) {
            int id = ids.intern(d.id());
            delivered.increment(id);
            long epoch = d.leaseEpoch() != EventValue.UNASSIGNED ? d.leaseEpoch() : v.epoch();
            deliveries.add(id, d.partition(), d.offset(), d.deliveryCount(), epoch, consumer, e.i());
        }
    }

    private void indexApply(HistoryEvent e) {
        List<String> applyIdsOfEvent = ((EventValue.Apply) e.value()).ids();
        if (e.type() != OpType.OK) {
            applyIdsOfEvent.forEach(ids::intern);
            return;
        }
        applyOkI.add(e.i());
        applyStart.add(applyIds.size());
        for (String name : applyIdsOfEvent) {
            int id = ids.intern(name);
            appliedByHistory.increment(id);
            applyIds.add(id);
        }
    }

    /** The ids of the k-th {@code apply ok}. */
    int applyEnd(int k) {
        return k + 1 < applyStart.size() ? applyStart.get(k + 1) : applyIds.size();
    }

    private void indexDrain(HistoryEvent e) {
        if (e.type() != OpType.OK) {
            return;
        }
        DrainedLog log = new DrainedLog();
        for (LogRecord r : ((EventValue.DrainLog) e.value()).records()) {
            log.add(r.partition(), r.offset(), ids.intern(r.id()));
        }
        drainLog = log;
    }

    private void indexRead(HistoryEvent e) {
        if (e.type() == OpType.INVOKE) {
            openReadByProc.put(e.proc(), e.i());
            return;
        }
        Long invokeI = openReadByProc.remove(e.proc());
        if (e.type() != OpType.OK) {
            return;
        }
        EventValue.ReadState rs = (EventValue.ReadState) e.value();
        IntList all = new IntList();
        SortedMap<String, StoreRead.Account> accounts = rs.isFinal() ? new TreeMap<>() : null;
        rs.accounts().forEach((key, acc) -> {
            int[] appliedIds = intern(acc);
            for (int id : appliedIds) {
                all.add(id);
            }
            if (accounts != null) {
                accounts.put(key, new StoreRead.Account(acc.balance(), appliedIds));
            }
        });
        StoreRead read = new StoreRead(e.i(), invokeI == null ? e.i() : invokeI, rs.isFinal(), rs.positions(),
                all.toArray(), accounts);
        reads.add(read);
        if (rs.isFinal()) {
            // Only the last final read stands for P: an earlier one's accounts are never read again.
            if (readState != null) {
                readState.dropAccounts();
            }
            readState = read;
        }
    }

    private int[] intern(AccountState acc) {
        int[] out = new int[acc.appliedIds().size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = ids.intern(acc.appliedIds().get(k));
        }
        return out;
    }
}
