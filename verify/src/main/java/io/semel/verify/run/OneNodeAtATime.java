package io.semel.verify.run;

import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The Kafka engine's rule that at most one node is down or paused at a time ({@link KafkaCluster}: replication factor
 * 3 and {@code min.insync.replicas=2}, so a second node down would lose the quorum and the ISR; the run would only
 * stall, but it would no longer be the fault the schedule names). A node fault takes the <em>turn</em> before it
 * hits its node and gives it back once that node is up again; while the turn is held no other node is hit.
 *
 * <p>Checking that the other nodes are up was not enough on its own: two faults on different nodes (each on its own
 * nemesis thread) waiting for the same restart both saw it done and hit their nodes together. The check and the
 * taking happen here under one monitor.
 *
 * <p>A fault moved past its window ({@link Nemesis}) asks for a rest: the cluster must have been whole (every node up,
 * none hit) for that long, so a late fault does not hit a cluster that has just come back. A planned fault asks for
 * none (the plan already spaced the node faults), as before.
 *
 * <p>Thread-safe: one monitor guards the holder and the times. The node states are read under it too, so that
 * checking and taking are one step; a {@code ChildProcess} that is starting blocks that read until it is ready, so
 * {@link #take} first waits for such a restart outside the monitor. Lock order: this, then a {@code ChildProcess};
 * nothing here is called with a {@code ChildProcess} monitor held.
 */
final class OneNodeAtATime {
    /** How often a waiting fault looks again. */
    static final long POLL_MS = 50;
    /** The holder while a fault on {@code controller} resolves which node that is (after the wait). */
    private static final String UNRESOLVED = "(active controller)";

    private final List<String> nodes;
    private final Predicate<String> up;
    private final LongSupplier nowMs;
    /** The node hit by the fault holding the turn, {@link #UNRESOLVED}, or null when no fault holds it. */
    private String holder;
    /** Last time the cluster was seen broken (a node down or paused, or the turn held), ms on {@link #nowMs}. */
    private long brokenAtMs = Long.MIN_VALUE / 2;

    /**
     * @param up whether a node is running and not paused
     * @param nowMs a monotonic clock in ms (the rest is measured on it)
     */
    OneNodeAtATime(List<String> nodes, Predicate<String> up, LongSupplier nowMs) {
        this.nodes = List.copyOf(nodes);
        this.up = Objects.requireNonNull(up, "up");
        this.nowMs = Objects.requireNonNull(nowMs, "nowMs");
    }

    /**
     * Waits until no fault holds the turn, every node other than {@code node} is up and, when {@code restMs > 0}, the
     * whole cluster has been up and unhit for {@code restMs}; then takes the turn for {@code node} (null: the active
     * controller, every node up, named later with {@link #resolved}).
     *
     * @throws IOException when that did not happen within {@code waitMs} (the fault is not injected)
     */
    void take(String node, long restMs, long waitMs) throws IOException, InterruptedException {
        long deadlineMs = nowMs.getAsLong() + waitMs;
        while (true) {
            // A restarting node's check blocks until it is ready: wait for that outside the monitor, so a heal that
            // gives the turn back is never held up behind it. Under the monitor the check is then quick.
            nodes.forEach(up::test);
            String blocker;
            synchronized (this) {
                blocker = blocker(node, restMs);
                if (blocker == null) {
                    holder = node == null ? UNRESOLVED : node;
                    return;
                }
            }
            if (nowMs.getAsLong() >= deadlineMs) {
                throw new IOException("not hitting " + (node == null ? UNRESOLVED : node) + ": " + blocker + " "
                        + waitMs + " ms later, and only one Kafka node may be down or paused at a time");
            }
            Thread.sleep(POLL_MS);
        }
    }

    /** Why the turn cannot be taken now, or null. Holds the monitor. */
    private String blocker(String node, long restMs) {
        if (holder != null) {
            return "a fault on " + holder + " still holds the turn";
        }
        boolean whole = true;
        String down = null;
        for (String n : nodes) {
            if (!up.test(n)) {
                whole = false;
                if (!n.equals(node) && down == null) {
                    down = n;
                }
            }
        }
        long now = nowMs.getAsLong();
        if (!whole) {
            brokenAtMs = now;
        }
        if (down != null) {
            return down + " is still down or paused";
        }
        if (restMs > 0 && now - brokenAtMs < restMs) {
            return "the cluster has not been whole for " + restMs + " ms yet (" + (now - brokenAtMs) + " ms)";
        }
        return null;
    }

    /** The fault that took the turn for the active controller hits {@code node}. */
    synchronized void resolved(String node) {
        if (UNRESOLVED.equals(holder)) {
            holder = node;
        }
    }

    /**
     * {@code node} is up again (restarted or continued): the turn is free if its fault held it. A call for a node
     * not holding the turn (a heal after a failed start) changes nothing.
     */
    synchronized void upAgain(String node) {
        if (node.equals(holder)) {
            holder = null;
            brokenAtMs = nowMs.getAsLong();
        }
    }

    /** The fault that took the turn failed before it hit its node: the turn is free, the cluster was not broken. */
    synchronized void abandon() {
        holder = null;
    }

    /** The final heal: every node is up, whoever held the turn. */
    synchronized void clear() {
        holder = null;
        brokenAtMs = nowMs.getAsLong();
    }

    /** The node whose fault holds the turn, or null (for tests and logs). */
    synchronized String holder() {
        return holder;
    }
}
