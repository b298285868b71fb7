package io.semel.broker.internal;

import io.semel.broker.group.CorruptGroupRecordException;
import io.semel.broker.group.GroupRecord;
import io.semel.protocol.RecordBatch;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** The group log's replay rule, for readers outside this package (inspection). Stateless. */
public final class GroupJournalReader {
    /** The group log's directory under the data dir. */
    public static final String DIR = GroupJournal.DIR;

    private GroupJournalReader() {
    }

    /** Records by group since the newest compaction snapshot, as the broker replays them. */
    public static Map<String, List<GroupRecord>> records(List<RecordBatch> batches)
            throws IOException, CorruptGroupRecordException {
        return GroupJournal.fromBatches(batches).records();
    }
}
