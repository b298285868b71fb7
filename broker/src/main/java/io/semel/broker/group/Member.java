package io.semel.broker.group;

/** One live member of a group. Mutable; owned by its {@link GroupState}; not thread-safe. Never persisted. */
final class Member {
    final String id;
    final long sessionTimeoutMs;
    long lastSeenMs;
    /** Index of the partition (among those it holds) the next poll starts at, for fairness. */
    int pollRotation;

    Member(String id, long sessionTimeoutMs, long nowMs) {
        this.id = id;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.lastSeenMs = nowMs;
    }

    boolean expiredAt(long nowMs) {
        return nowMs - lastSeenMs > sessionTimeoutMs;
    }
}
