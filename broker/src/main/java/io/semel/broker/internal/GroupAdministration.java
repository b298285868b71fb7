package io.semel.broker.internal;

import io.semel.broker.group.GroupRegistry;
import io.semel.broker.group.GroupState;
import io.semel.protocol.DescribeGroup;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.ListGroups;
import io.semel.protocol.ResetGroup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The read and offset-resolution half of group administration: builds LIST_GROUPS and
 * DESCRIBE_GROUP answers and turns a RESET_GROUP request into target offsets. Runs on the
 * coordinator thread (it reads group state, and partition bounds as published by the partitions'
 * writers: no I/O), except {@link #targets} for a TIMESTAMP reset, which reads batches and runs
 * off it. Stateless itself.
 */
final class GroupAdministration {
    private GroupAdministration() {
    }

    static ListGroups.Response list(GroupRegistry registry) {
        List<ListGroups.Group> out = new ArrayList<>();
        for (String name : registry.groupNames()) {
            GroupState g = registry.group(name).orElseThrow();
            out.add(new ListGroups.Group(name, g.topic(), g.partitionCount(), g.memberIds().size()));
        }
        return new ListGroups.Response(ErrorCode.NONE, null, out);
    }

    static DescribeGroup.Response describe(GroupState g, Topic topic) {
        List<DescribeGroup.Member> members = new ArrayList<>();
        g.memberSessions().forEach((id, timeout) -> members.add(new DescribeGroup.Member(id, timeout)));
        List<DescribeGroup.Progress> partitions = new ArrayList<>();
        for (int p = 0; p < g.partitionCount(); p++) {
            GroupState.PartitionStatus s = g.status(p);
            // A deleted or shrunk topic (not possible today) shows empty bounds rather than failing.
            OffsetLookup.Bounds b = topic == null || topic.reader(p) == null
                    ? new OffsetLookup.Bounds(0, 0) : OffsetLookup.bounds(topic.reader(p));
            long lag = Math.max(0, b.endOffset() - s.ackFloor() - s.settledAboveFloor());
            partitions.add(new DescribeGroup.Progress(p, s.holder(), s.leaseEpoch(), s.ackFloor(), s.nextOffset(),
                    s.settledAboveFloor(), s.inFlight(), s.due(), s.deadLetterPending(), b.startOffset(),
                    b.endOffset(), lag));
        }
        return new DescribeGroup.Response(ErrorCode.NONE, null, g.topic(), members, partitions);
    }

    /**
     * The new position of each partition the request names, clamped to the durable log. Reads
     * batches only for {@link ResetGroup.Mode#TIMESTAMP} (see {@link #readsLog}).
     */
    static Map<Integer, Long> targets(ResetGroup.Request r, Topic topic) {
        if (r.partition() >= topic.partitionCount()) {
            throw new RequestException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic " + topic.name() + " has partitions"
                    + " 0.." + (topic.partitionCount() - 1) + "; partition " + r.partition() + " does not exist");
        }
        Map<Integer, Long> out = new LinkedHashMap<>();
        int from = r.partition() == ResetGroup.Request.ALL_PARTITIONS ? 0 : r.partition();
        int to = r.partition() == ResetGroup.Request.ALL_PARTITIONS ? topic.partitionCount() - 1 : r.partition();
        for (int p = from; p <= to; p++) {
            OffsetLookup.Bounds b = OffsetLookup.bounds(topic.reader(p));
            long offset = switch (r.mode()) {
                case EARLIEST -> b.startOffset();
                case LATEST -> b.endOffset();
                case OFFSET -> Math.max(b.startOffset(), Math.min(b.endOffset(), r.value()));
                case TIMESTAMP -> OffsetLookup.offsetForTime(topic.reader(p), r.value());
            };
            out.put(p, offset);
        }
        return out;
    }

    /** Whether {@link #targets} reads partition data (and so must run off the coordinator thread). */
    static boolean readsLog(ResetGroup.Request r) {
        return r.mode() == ResetGroup.Mode.TIMESTAMP;
    }

    static List<ResetGroup.Position> positions(Map<Integer, Long> offsets) {
        List<ResetGroup.Position> out = new ArrayList<>();
        new java.util.TreeMap<>(offsets).forEach((p, o) -> out.add(new ResetGroup.Position(p, o)));
        return out;
    }
}
