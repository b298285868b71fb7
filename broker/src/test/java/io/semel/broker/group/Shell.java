package io.semel.broker.group;

import java.util.ArrayList;
import java.util.List;

/**
 * The smallest honest shell: persists every decision's records (encoded, as the broker will)
 * before handing back the decision, and restarts by decoding and replaying them.
 */
final class Shell {
    final GroupConfig config;
    final List<byte[]> persisted = new ArrayList<>();
    final List<DeadLetterRequest> deadLetterRequests = new ArrayList<>();
    GroupState group;

    Shell(GroupConfig config, String topic, int partitionCount) {
        this.config = config;
        this.group = GroupState.create("g1", topic, partitionCount, config);
    }

    /** Persist, then "reply": the decision is returned only after its records are stored. */
    <R> Decision<R> run(Decision<R> d) {
        // Coalesced into ranges, as the broker's journal writes them: replays must see the same facts.
        for (GroupRecord r : GroupRecords.coalesced(d.records())) {
            persisted.add(GroupRecordCodec.encode(r));
        }
        deadLetterRequests.addAll(d.deadLetters());
        return d;
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

    /** Crash and restart: rebuild from the persisted records; unconfirmed DLQ requests are reissued. */
    void restart() {
        // Nothing persisted: the group never existed durably; the registry would create it anew.
        if (persisted.isEmpty()) {
            group = GroupState.create(group.name(), group.topic(), group.partitionCount(), config);
            deadLetterRequests.clear();
            return;
        }
        try {
            group = GroupState.replay(config, decodedRecords());
        } catch (CorruptGroupRecordException e) {
            throw new AssertionError(e);
        }
        deadLetterRequests.clear();
        run(group.recovered()); // as the broker does: replay's own records first, then the dead letters
    }

    /** Compaction: the persisted log is replaced by the snapshot. */
    void compact() {
        persisted.clear();
        GroupRecords.coalesced(group.snapshotRecords()).forEach(r -> persisted.add(GroupRecordCodec.encode(r)));
    }
}
