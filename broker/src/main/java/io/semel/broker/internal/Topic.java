package io.semel.broker.internal;

import io.semel.log.GroupCommitLog;
import io.semel.log.LogReader;
import java.util.List;

/**
 * An open topic: its name, creation time and, per partition (index = partition number), its
 * {@link GroupCommitLog} (appends and writer-side tasks) and its {@link LogReader} (durable reads
 * from any thread, no writer round trip). Immutable; thread-safe (the logs and readers are).
 */
public record Topic(String name, long createdMs, List<GroupCommitLog> partitions, List<LogReader> readers) {
    public Topic {
        partitions = List.copyOf(partitions);
        readers = List.copyOf(readers);
        if (readers.size() != partitions.size()) {
            throw new IllegalArgumentException(partitions.size() + " partitions but " + readers.size() + " readers");
        }
    }

    public int partitionCount() {
        return partitions.size();
    }

    /** The partition's log, or null when the topic has no such partition. */
    public GroupCommitLog partition(int partition) {
        return partition >= 0 && partition < partitions.size() ? partitions.get(partition) : null;
    }

    /** The partition's durable reader, or null when the topic has no such partition. */
    public LogReader reader(int partition) {
        return partition >= 0 && partition < readers.size() ? readers.get(partition) : null;
    }
}
