package io.semel.broker.internal;

import io.semel.log.GroupCommitLog;
import java.util.List;

/**
 * An open topic: its name, creation time and one {@link GroupCommitLog} per partition, index =
 * partition number. Immutable; thread-safe (the logs are).
 */
public record Topic(String name, long createdMs, List<GroupCommitLog> partitions) {
    public Topic {
        partitions = List.copyOf(partitions);
    }

    public int partitionCount() {
        return partitions.size();
    }

    /** The partition's log, or null when the topic has no such partition. */
    public GroupCommitLog partition(int partition) {
        return partition >= 0 && partition < partitions.size() ? partitions.get(partition) : null;
    }
}
