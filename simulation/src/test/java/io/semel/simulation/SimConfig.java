package io.semel.simulation;

import io.semel.client.Producer;
import java.util.SplittableRandom;

/**
 * One run's settings, drawn from its seed so that runs differ in shape (batching, pipelining,
 * timeouts, fault rates) as well as in timing. Fault rates are per message or per round; {@link #heal}
 * turns every fault off for the final phase. Not thread-safe (one simulation thread).
 */
final class SimConfig {
    private static final long MS = 1_000_000L;

    final long seed;
    // ---- shape
    final int partitions;
    final int producers;
    final int segmentBytes;
    final int producersMaxPerPartition;
    /** The broker keeps dedup state for fewer producers than write to it: state is lost by eviction. */
    final boolean dedupStateLoss;
    // ---- client settings (ms, as the Producer.Builder takes them)
    final long lingerMs;
    final int inFlightBatchesMax;
    final int batchBytesMax;
    final long retryBackoffMs;
    final long retryBackoffMaxMs;
    final long deliveryTimeoutMs;
    final int requestTimeoutMs;
    // ---- workload
    final double sendsPerMs;
    final int outstandingRecordsMax;
    // ---- network
    double requestDropRate;
    double replyDropRate;
    double staleArrivalRate;
    double replayRate;
    double latencySpikeRate;
    final long latencyMinNanos;
    final long latencyMaxNanos;
    // ---- broker
    double storageFailureRate;
    double forceStallRate;
    final long crashIntervalMeanMs;
    final long downtimeMaxMs;
    boolean crashes;
    // ---- producers
    boolean producerRestarts;
    final long restartIntervalMeanMs;

    /**
     * @param dedupLossRuns whether about one run in six may evict producer state (see docs/simulation.md);
     *     a producer may then stop on DEDUP_STATE_UNKNOWN, never see a duplicate
     * @param restartRuns whether about half the runs restart producers
     */
    SimConfig(long seed, SplittableRandom r, boolean dedupLossRuns, boolean restartRuns) {
        this.seed = seed;
        partitions = 1 + r.nextInt(3);
        dedupStateLoss = r.nextInt(6) == 0 && dedupLossRuns; // drawn either way: the other settings stay put
        producers = dedupStateLoss ? 2 + r.nextInt(2) : 1 + r.nextInt(3);
        segmentBytes = 4096 << r.nextInt(5);
        producersMaxPerPartition = dedupStateLoss ? 1 : 1_000;
        lingerMs = r.nextInt(3);
        inFlightBatchesMax = 1 + r.nextInt(Producer.IN_FLIGHT_BATCHES_LIMIT); // the whole range a producer allows
        batchBytesMax = 80 + r.nextInt(400);
        retryBackoffMs = 1 + r.nextInt(5);
        retryBackoffMaxMs = retryBackoffMs + r.nextInt(40);
        deliveryTimeoutMs = 30 + r.nextInt(400);
        requestTimeoutMs = 10 + r.nextInt(60);
        sendsPerMs = 0.5 + r.nextDouble() * 8;
        outstandingRecordsMax = 50 + r.nextInt(500);
        requestDropRate = r.nextDouble() * 0.05;
        replyDropRate = r.nextDouble() * 0.05;
        staleArrivalRate = r.nextDouble() * 0.5;
        replayRate = r.nextDouble() * 0.02;
        latencySpikeRate = r.nextDouble() * 0.02;
        latencyMinNanos = 20_000 + r.nextInt(100_000);
        latencyMaxNanos = latencyMinNanos + r.nextInt(2_000_000);
        storageFailureRate = r.nextDouble() * 0.01;
        forceStallRate = r.nextDouble() * 0.01;
        crashIntervalMeanMs = 50 + r.nextInt(500);
        downtimeMaxMs = 1 + r.nextInt(100);
        crashes = true;
        producerRestarts = r.nextBoolean() && restartRuns; // drawn either way: the other settings stay put
        restartIntervalMeanMs = 100 + r.nextInt(2_000);
    }

    int partitions() {
        return partitions;
    }

    int segmentBytes() {
        return segmentBytes;
    }

    int producersMaxPerPartition() {
        return producersMaxPerPartition;
    }

    /** Every fault off: the network delivers, the disk works, the broker stays up. */
    void heal() {
        requestDropRate = 0;
        replyDropRate = 0;
        staleArrivalRate = 0;
        replayRate = 0;
        latencySpikeRate = 0;
        storageFailureRate = 0;
        forceStallRate = 0;
        crashes = false;
        producerRestarts = false;
    }

    long latencyNanos(SplittableRandom r) {
        long base = latencyMinNanos + (long) (r.nextDouble() * (latencyMaxNanos - latencyMinNanos));
        // A spike can outlast the request timeout: the answer then arrives on a dead connection.
        return r.nextDouble() < latencySpikeRate ? base + (long) (r.nextDouble() * 3 * requestTimeoutMs * MS) : base;
    }

    /** How long a queued append waits for its group-commit round. */
    long commitDelayNanos(SplittableRandom r) {
        return r.nextInt(200_000);
    }

    /** How long a force takes; a stall can outlast the PRODUCE timeout (TIMEOUT answer, append later). */
    long forceDelayNanos(SplittableRandom r) {
        long base = 50_000 + r.nextInt(1_000_000);
        return r.nextDouble() < forceStallRate ? base + (long) (r.nextDouble() * 2 * requestTimeoutMs * MS) : base;
    }

    long nextCrashDelayNanos(SplittableRandom r) {
        return (long) (-Math.log(1 - r.nextDouble()) * crashIntervalMeanMs * MS);
    }

    long nextRestartDelayNanos(SplittableRandom r) {
        return (long) (-Math.log(1 - r.nextDouble()) * restartIntervalMeanMs * MS);
    }

    long downtimeNanos(SplittableRandom r) {
        return (1 + r.nextInt((int) downtimeMaxMs)) * MS;
    }

    @Override
    public String toString() {
        return (dedupStateLoss ? "DEDUP-STATE-LOSS (producersMax 1 per partition) " : "")
                + "partitions=" + partitions + " producers=" + producers + " segmentBytes=" + segmentBytes
                + " linger=" + lingerMs + "ms inFlight=" + inFlightBatchesMax + " batchBytes=" + batchBytesMax
                + " backoff=" + retryBackoffMs + ".." + retryBackoffMaxMs + "ms deliveryTimeout=" + deliveryTimeoutMs
                + "ms requestTimeout=" + requestTimeoutMs + "ms sends/ms=" + String.format("%.2f", sendsPerMs)
                + String.format(" drop req/reply=%.3f/%.3f stale=%.2f replay=%.3f spike=%.3f", requestDropRate,
                        replyDropRate, staleArrivalRate, replayRate, latencySpikeRate)
                + String.format(" fsyncFail=%.4f stall=%.4f", storageFailureRate, forceStallRate)
                + " crashEvery~" + crashIntervalMeanMs + "ms down<=" + downtimeMaxMs + "ms"
                + (producerRestarts ? " producerRestartEvery~" + restartIntervalMeanMs + "ms" : "");
    }
}
