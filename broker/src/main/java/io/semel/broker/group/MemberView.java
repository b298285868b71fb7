package io.semel.broker.group;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a member is told on join and heartbeat: its id, its session timeout and the partitions it
 * holds now with their lease epochs. Leases may change at any time; a member learns of it on its
 * next heartbeat (or from {@code STALE_LEASE} on an ack).
 */
public record MemberView(String memberId, long sessionTimeoutMs, SortedMap<Integer, Long> leaseEpochs) {
    public MemberView {
        leaseEpochs = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(leaseEpochs));
    }

    static MemberView of(String memberId, long sessionTimeoutMs, Map<Integer, Long> leases) {
        return new MemberView(memberId, sessionTimeoutMs, new TreeMap<>(leases));
    }
}
