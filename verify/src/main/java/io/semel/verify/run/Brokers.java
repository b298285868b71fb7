package io.semel.verify.run;

import io.semel.verify.process.PowerCut;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Random;

/**
 * The broker side of a run as the nemesis sees it: the Semel broker ({@link BrokerNode}, target {@code broker}) or
 * the Kafka engine's three-node cluster ({@link KafkaCluster}, targets {@code k1..k3} and {@code controller}).
 * Implementations are thread-safe: each target's steps come from its own nemesis thread.
 */
interface Brokers extends Closeable {
    /** Whether {@code target} names a broker process of this engine. */
    boolean isBroker(String target);

    /** SIGKILL; the process stays down until {@link #ensureRunning}. Returns the process that was hit. */
    String kill(String target) throws IOException;

    /** SIGSTOP. Returns the process that was hit. */
    String pause(String target) throws IOException;

    /**
     * Whether this is a cluster whose broker targets are separate nemesis lanes under one rule (one node down or
     * paused at a time), so a moved fault's rest is the cluster's, not its lane's ({@link KafkaCluster}).
     */
    default boolean isCluster() {
        return false;
    }

    /**
     * {@link #kill} for a fault moved past its window ({@link Nemesis}): once the broker side has been whole (nothing
     * down or paused) for {@code restMs}, waiting at most {@code waitMs}, else an {@code IOException} and no kill. The
     * default is a plain kill: one broker is one nemesis lane, and the nemesis rests that lane itself; a cluster
     * whose nodes are separate lanes ({@link KafkaCluster}) must rest the cluster as a whole.
     */
    default String kill(String target, long restMs, long waitMs) throws IOException {
        return kill(target);
    }

    /** {@link #pause} for a moved fault, as {@link #kill(String, long, long)}. */
    default String pause(String target, long restMs, long waitMs) throws IOException {
        return pause(target);
    }

    /** SIGCONT if paused. */
    void resume(String target) throws IOException;

    /** Starts it again if it is down; waits until it is ready. */
    void ensureRunning(String target) throws IOException;

    /** SIGKILL, then cut its files back to what was forced ({@link PowerCut}); stays down until restarted. */
    List<PowerCut.Cut> powerLoss(String target, Random random) throws IOException;

    /** Final phase: everything resumed and running (and, for an engine that owns its proxies, healed). */
    void heal() throws IOException;

    @Override
    void close();
}
