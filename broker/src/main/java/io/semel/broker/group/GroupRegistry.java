package io.semel.broker.group;

import io.semel.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * All consumer groups of a broker: creates a group on its first join (enforcing the name rules
 * and {@link GroupConfig#groupsMax}), finds groups for the other commands, and ticks them all.
 * A group outlives its members (its ack floors must survive members leaving); it is deleted only
 * with its topic ({@link #delete}).
 *
 * <p><b>Not thread-safe.</b> Owned by the coordinator thread, like the {@link GroupState}s it holds.
 */
public final class GroupRegistry {
    private final GroupConfig config;
    private final TreeMap<String, GroupState> groups = new TreeMap<>();

    public GroupRegistry(GroupConfig config) {
        this.config = config;
    }

    /**
     * Joins {@code group}, creating it (consuming {@code topic}) if it does not exist. A new group's
     * {@code GroupCreated} record is the first record of the decision.
     *
     * @param partitionCount the topic's partition count, from the broker's topic metadata
     */
    public Decision<MemberView> join(String group, String clientId, String topic, int partitionCount,
            long sessionTimeoutMs, long nowMs) {
        String safeName = group == null ? "" : group;
        String problem = GroupNames.problem(group);
        if (problem != null) {
            return refused(safeName, "group name '" + group + "' " + problem);
        }
        GroupState g = groups.get(group);
        if (g != null) {
            if (g.topic().equals(topic) && g.partitionCount() != partitionCount) {
                return refused(group, "topic '" + topic + "' has " + g.partitionCount()
                        + " partitions in group '" + group + "', the join says " + partitionCount);
            }
            return g.join(clientId, topic, sessionTimeoutMs, nowMs);
        }
        if (groups.size() >= config.groupsMax()) {
            return refused(group, "broker has " + groups.size() + " groups, the limit groupsMax; reuse a group"
                    + " or raise the limit");
        }
        String topicProblem = GroupNames.problem(topic);
        if (topicProblem != null) {
            return refused(group, "topic name '" + topic + "' " + topicProblem);
        }
        // The dead-letter topic name must itself be a valid topic name.
        if (topic.length() + GroupNames.DLQ_SUFFIX.length() > GroupNames.NAME_CHARS_MAX) {
            return refused(group, "topic name '" + topic + "' has " + topic.length() + " characters; groups need"
                    + " at most " + (GroupNames.NAME_CHARS_MAX - GroupNames.DLQ_SUFFIX.length())
                    + " so that '<topic>.dlq' is a valid topic name");
        }
        if (partitionCount < 1) {
            return refused(group, "partition count " + partitionCount + " must be >= 1");
        }
        g = GroupState.create(group, topic, partitionCount, config);
        Decision<MemberView> d = g.join(clientId, topic, sessionTimeoutMs, nowMs);
        // A refused first join leaves no group behind (nothing was persisted for it).
        if (d.isOk()) {
            groups.put(group, g);
        }
        return d;
    }

    /**
     * A group with no members on {@code topic}, created if missing (RESET_GROUP on a new group). A
     * new group's {@code GroupCreated} goes out with its next decision; it is registered at once.
     */
    public Decision<GroupState> createEmpty(String group, String topic, int partitionCount) {
        GroupState g = groups.get(group);
        if (g != null) {
            return Decision.ok(group, g, new Effects());
        }
        String problem = GroupNames.problem(group);
        if (problem == null) {
            problem = GroupNames.problem(topic) == null ? null : "topic name '" + topic + "' " + GroupNames.problem(topic);
        } else {
            problem = "group name '" + group + "' " + problem;
        }
        if (problem != null) {
            return refused(group == null ? "" : group, problem);
        }
        if (groups.size() >= config.groupsMax()) {
            return refused(group, "broker has " + groups.size() + " groups, the limit groupsMax; reuse a group"
                    + " or raise the limit");
        }
        g = GroupState.create(group, topic, partitionCount, config);
        groups.put(group, g);
        return Decision.ok(group, g, new Effects());
    }

    /**
     * Deletes {@code name} at once; persist the decision's {@code GroupDeleted}. Null when there is
     * no such group.
     */
    public Decision<Void> delete(String name) {
        GroupState g = groups.remove(name);
        return g == null ? null : g.delete();
    }

    public Optional<GroupState> group(String name) {
        return Optional.ofNullable(groups.get(name));
    }

    public SortedSet<String> groupNames() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(groups.keySet()));
    }

    /** Ticks every group, in name order; decisions without records or side effects are left out. */
    public List<Decision<List<String>>> tick(long nowMs) {
        List<Decision<List<String>>> out = new ArrayList<>();
        for (GroupState g : groups.values()) {
            Decision<List<String>> d = g.tick(nowMs);
            if (!d.records().isEmpty() || !d.deadLetters().isEmpty() || !d.reply().isEmpty()) {
                out.add(d);
            }
        }
        return out;
    }

    /**
     * Rebuilds every group from its records (keyed by group name, each list in persisted order).
     * Afterwards, issue each group's {@link GroupState#pendingDeadLetters()}.
     *
     * @param ends the durable end of every topic partition (bounds what delivery horizons assume)
     */
    public static GroupRegistry replay(GroupConfig config, Map<String, List<GroupRecord>> recordsByGroup,
            GroupState.DurableEnds ends) throws CorruptGroupRecordException {
        GroupRegistry registry = new GroupRegistry(config);
        for (Map.Entry<String, List<GroupRecord>> e : new TreeMap<>(recordsByGroup).entrySet()) {
            List<GroupRecord> live = afterLastDeletion(e.getValue());
            if (live.isEmpty()) {
                continue; // deleted and not created again
            }
            GroupState g = GroupState.replay(config, live, ends);
            if (!g.name().equals(e.getKey())) {
                throw new CorruptGroupRecordException(CorruptGroupRecordException.Reason.INCONSISTENT,
                        "records keyed by group '" + e.getKey() + "' belong to group '" + g.name() + "'");
            }
            registry.groups.put(g.name(), g);
        }
        return registry;
    }

    /** The records after the group's last {@code GroupDeleted} (all of them when it was never deleted). */
    public static List<GroupRecord> afterLastDeletion(List<GroupRecord> records) {
        for (int i = records.size() - 1; i >= 0; i--) {
            if (records.get(i) instanceof GroupRecord.GroupDeleted) {
                return records.subList(i + 1, records.size());
            }
        }
        return records;
    }

    private static <R> Decision<R> refused(String group, String message) {
        return Decision.refused(group, ErrorCode.INVALID_REQUEST, message, null);
    }
}
