package io.semel.broker.group;

import java.util.ArrayList;
import java.util.List;

/**
 * The smallest honest shell: persists every decision's records (encoded, as the broker will)
 * before handing back the decision, and restarts by decoding and replaying them.
 *
 * <p>With {@link #holdAhead}, a decision that may be answered ahead of the disk
 * ({@link Decision#replyBeforeDurable}) is handed back at once and its records wait, in order,
 * until a decision that must be durable first comes (as the broker's journal writes them); a
 * {@link #restart(int)} loses a suffix of what waits.
 */
final class Shell {
    final GroupConfig config;
    final List<byte[]> persisted = new ArrayList<>();
    final List<DeadLetterRequest> deadLetterRequests = new ArrayList<>();
    /** Decisions answered ahead and not yet persisted, oldest first. */
    final List<Decision<?>> ahead = new ArrayList<>();
    boolean holdAhead;
    /** What replay is told of the partitions' durable ends; by default nothing (no horizon assumed). */
    GroupState.DurableEnds ends = (topic, partition) -> 0;
    GroupState group;

    Shell(GroupConfig config, String topic, int partitionCount) {
        this.config = config;
        this.group = GroupState.create("g1", topic, partitionCount, config);
    }

    /** Persist, then "reply": the decision is returned only after its records are stored. */
    <R> Decision<R> run(Decision<R> d) {
        if (holdAhead && d.replyBeforeDurable()) {
            ahead.add(d);
            return d;
        }
        if (holdAhead && d.records().isEmpty() && d.deadLetters().isEmpty()) {
            // The broker would answer this only once what waits is durable; the model does not wait,
            // so more of what was answered ahead is still at risk when a crash comes.
            return d;
        }
        flushAhead(ahead.size());
        store(d);
        return d;
    }

    /** The first {@code n} decisions answered ahead reach the disk, in order. */
    void flushAhead(int n) {
        for (int i = 0; i < n; i++) {
            store(ahead.get(i));
        }
        ahead.subList(0, n).clear();
    }

    private void store(Decision<?> d) {
        // Coalesced into ranges, as the broker's journal writes them: replays must see the same facts.
        for (GroupRecord r : GroupRecords.coalesced(d.records())) {
            persisted.add(GroupRecordCodec.encode(r));
        }
        deadLetterRequests.addAll(d.deadLetters());
        group.persisted(d);
    }

    List<GroupRecord> decodedRecords() {
        List<GroupRecord> out = new ArrayList<>();
        for (byte[] b : persisted) {
            try {
                out.add(GroupRecordCodec.decode(b));
            } catch (CorruptGroupRecordException e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

    /**
     * Crash and restart after the first {@code aheadKept} decisions answered ahead reached the disk
     * (the rest are lost, though their replies went out).
     */
    void restart(int aheadKept) {
        flushAhead(Math.min(aheadKept, ahead.size()));
        ahead.clear();
        restart();
    }

    /** Crash and restart: rebuild from the persisted records; unconfirmed DLQ requests are reissued. */
    void restart() {
        ahead.clear(); // answered ahead, never written
        // Nothing persisted: the group never existed durably; the registry would create it anew.
        if (persisted.isEmpty()) {
            group = GroupState.create(group.name(), group.topic(), group.partitionCount(), config);
            deadLetterRequests.clear();
            return;
        }
        try {
            List<GroupRecord> records = decodedRecords();
            group = GroupState.replay(config, records, ends);
            // Replay stages ranges as runs; it must rebuild what replaying their offsets one by one does.
            GroupState perOffset = GroupState.replay(config, offsetByOffset(records), ends);
            if (!durableState(group).equals(durableState(perOffset))) {
                throw new AssertionError("replay of ranges " + durableState(group) + " differs from replay offset by "
                        + "offset " + durableState(perOffset) + " for " + records);
            }
        } catch (CorruptGroupRecordException e) {
            throw new AssertionError(e);
        }
        deadLetterRequests.clear();
        run(group.recovered()); // as the broker does: replay's own records first, then the dead letters
    }

    /** {@code records} with every range record written as one record per offset, in order. */
    static List<GroupRecord> offsetByOffset(List<GroupRecord> records) {
        List<GroupRecord> out = new ArrayList<>();
        for (GroupRecord r : records) {
            if (r instanceof GroupRecord.DeliveredRange d) {
                for (long o = d.firstOffset(); o <= d.lastOffset(); o++) {
                    out.add(new GroupRecord.Delivered(d.partition(), o, d.deliveryCount()));
                }
            } else if (r instanceof GroupRecord.SettledRange st) {
                for (long o = st.firstOffset(); o <= st.lastOffset(); o++) {
                    out.add(new GroupRecord.Settled(st.partition(), o, st.reason()));
                }
            } else {
                out.add(r);
            }
        }
        return out;
    }

    /** What a replay rebuilds: the durable state (as its snapshot), each partition's next offset, and its own decisions. */
    static List<Object> durableState(GroupState g) {
        List<Object> out = new ArrayList<>(g.snapshotRecords());
        for (int p = 0; p < g.partitionCount(); p++) {
            out.add("next offset of " + p + ": " + g.nextOffset(p));
            out.add("in flight on " + p + ": " + g.inFlight(p));
        }
        out.add(g.pendingDeadLetters());
        return out;
    }

    /** Compaction: the persisted log is replaced by the snapshot (of a fully persisted state). */
    void compact() {
        flushAhead(ahead.size());
        persisted.clear();
        GroupRecords.coalesced(group.snapshotRecords()).forEach(r -> persisted.add(GroupRecordCodec.encode(r)));
    }
}
