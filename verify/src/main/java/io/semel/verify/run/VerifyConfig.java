package io.semel.verify.run;

import io.semel.verify.history.Guarantee;
import io.semel.verify.schedule.FaultKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * One verify run's settings. Immutable; {@link #defaults} gives the values {@code semel verify} and
 * {@code semel demo} use, the {@code with…} methods change one.
 *
 * @param guarantee which producer setting and consumer the run uses
 * @param seed seeds the fault schedule, the workload (accounts, amounts) and the proxies' jitter
 * @param duration the workload phase; faults happen inside it, the final phase comes after
 * @param accounts number of accounts {@code a00..}
 * @param producers producer clients, each with its own {@code Producer} through the producers' proxy
 * @param lanesPerProducer logical processes per producer: each has one send in flight at a time (history rule)
 * @param sendsPerSecond total target send rate over all producers
 * @param partitions partitions of the topic
 * @param faults fault kinds the schedule may use
 * @param store where the processor keeps accounts and its inbox
 * @param jdbcUrl PostgreSQL URL of an external server; null = start an embedded PostgreSQL
 * @param runDir working directory (broker data, store, child logs, history)
 * @param minConfirmed the checker's non-triviality threshold for confirmed sends
 * @param processors processor children in the one consumer group ({@code c1..}); killed, paused and restarted
 *     members make the group rebalance under faults
 * @param engine Semel's broker or a Kafka cluster
 * @param failover how fast a silent processor loses its partitions and its unacked deliveries (Semel engine)
 */
public record VerifyConfig(Guarantee guarantee, long seed, Duration duration, int accounts, int producers,
        int lanesPerProducer, int sendsPerSecond, int partitions, Set<FaultKind> faults, StoreKind store,
        String jdbcUrl, Path runDir, int minConfirmed, int processors, Engine engine, Failover failover) {

    /**
     * The group's session timeout and the broker's ack timeout in a run. {@link #FAST} makes every pause and kill of
     * a processor move its partitions within a 90 s run; on a starved machine (a soak beside other work) a processor
     * can take longer than 1.5 s between a poll and its ack, its deliveries are then handed out again and again and
     * never settle, so long runs use {@link #TOLERANT} (docs/verify.md, "Soak").
     *
     * @param sessionTimeoutMs a processor silent this long leaves the group (1,000..300,000)
     * @param ackTimeoutMs a delivery not acked this long after it was made is due again (1,000..300,000)
     */
    public record Failover(int sessionTimeoutMs, long ackTimeoutMs) {
        public static final Failover FAST = new Failover(2_000, 1_500);
        public static final Failover TOLERANT = new Failover(10_000, 15_000);

        public Failover {
            if (sessionTimeoutMs < 1_000 || sessionTimeoutMs > 300_000 || ackTimeoutMs < 1_000
                    || ackTimeoutMs > 300_000) {
                throw new IllegalArgumentException("session and ack timeouts must be 1000..300000 ms, got "
                        + sessionTimeoutMs + " and " + ackTimeoutMs);
            }
        }
    }

    /** The processor's store. */
    public enum StoreKind { SQLITE, POSTGRES }

    /**
     * What the workload runs on: Semel's own broker (one child JVM), or a three-node Kafka cluster (child JVMs, RF 3,
     * min.insync.replicas 2) with the processor on {@code KafkaSource} (docs/kafka.md, "Verify on Kafka").
     */
    public enum Engine {
        SEMEL, KAFKA;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Faults a Kafka-engine run uses by default: the network faults on the client ↔ broker proxies (no
     * {@code replay-stale}), SIGKILL and SIGSTOP of one node at a time (the active controller among them), of
     * processors, producers and the outbox relay, the three processor crash points, the zombie, the rebalance storm
     * (PostgreSQL only: SQLite serves one processor), the relay's two crash points, a second relay with the same
     * name, and a node SIGKILLed while it coordinates the relay's open transaction. No power loss or clock jump (see
     * docs/kafka.md).
     */
    public static final Set<FaultKind> KAFKA_DEFAULT_FAULTS = Set.copyOf(EnumSet.of(FaultKind.DROP_AFTER_REQUEST,
            FaultKind.CUT_DURING_RESPONSE, FaultKind.STALL, FaultKind.RESET, FaultKind.DELAY, FaultKind.DROP_REQUESTS,
            FaultKind.DROP_REPLIES, FaultKind.LATENCY_SPIKE, FaultKind.KILL, FaultKind.PAUSE,
            FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK, FaultKind.CRASH_AFTER_CLAIM,
            FaultKind.CRASH_AFTER_HANDLER_BEFORE_COMMIT, FaultKind.ZOMBIE, FaultKind.REBALANCE_STORM,
            FaultKind.RELAY_CRASH_AFTER_SEND_BEFORE_COMMIT, FaultKind.RELAY_CRASH_AFTER_COMMIT_BEFORE_MARK_SENT,
            FaultKind.SECOND_RELAY, FaultKind.BROKER_KILL_IN_RELAY_TRANSACTION,
            FaultKind.RELAY_STALL_PAST_TRANSACTION_TIMEOUT));

    /**
     * Faults a run uses by default: the proxy policies (one-way partitions and latency spikes included), kills and
     * pauses of every process, the broker's power loss, clock jumps of the broker and the processors, the crash point. Every one of them occurs in a run of 60 s
     * or more ({@code CoveringPlanner}).
     */
    public static final Set<FaultKind> DEFAULT_FAULTS = Set.copyOf(EnumSet.of(FaultKind.DROP_AFTER_REQUEST,
            FaultKind.CUT_DURING_RESPONSE, FaultKind.STALL, FaultKind.RESET, FaultKind.DELAY, FaultKind.DROP_REQUESTS,
            FaultKind.DROP_REPLIES, FaultKind.LATENCY_SPIKE, FaultKind.KILL, FaultKind.PAUSE, FaultKind.POWER_LOSS,
            FaultKind.CLOCK_JUMP, FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK));
    /** Lanes per producer child on the Kafka engine (each has one send in flight). */
    public static final int KAFKA_LANES_PER_PRODUCER = 16;
    /** Processors in the group by default. */
    public static final int PROCESSORS_DEFAULT = 2;
    /** Offered sends per second above which a run is "high rate" (batching, pipelining, group commit). */
    public static final int HIGH_RATE_MIN = 5_000;

    public VerifyConfig {
        Objects.requireNonNull(guarantee, "guarantee");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(runDir, "runDir");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(failover, "failover");
        faults = Set.copyOf(faults);
        // The ensured faults (crash window, lost replies, a stall past the delivery timeout) need about 10 s, 15 s leaves room wherever the random draw put its faults.
        if (duration.toMillis() < 15_000) {
            throw new IllegalArgumentException("duration must be at least 15 s, got " + duration.toMillis() + " ms");
        }
        if (accounts < 1 || accounts > 1000 || producers < 1 || producers > 16 || lanesPerProducer < 1
                || lanesPerProducer > 32 || partitions < 1 || partitions > 64) {
            throw new IllegalArgumentException("need accounts 1..1000, producers 1..16, lanes 1..32, partitions 1..64: "
                    + this);
        }
        if (sendsPerSecond < 1 || sendsPerSecond > 10_000) {
            throw new IllegalArgumentException("sendsPerSecond must be 1..10000, got " + sendsPerSecond);
        }
        if (processors < 1 || processors > 3) {
            throw new IllegalArgumentException("processors must be 1..3 (one consumer group), got " + processors);
        }
        if (minConfirmed < 1) {
            throw new IllegalArgumentException("minConfirmed must be at least 1, got " + minConfirmed);
        }
    }

    /** 20 accounts, 3 producers × 4 lanes, 150 sends/s, 4 partitions, 2 processors, every default fault, SQLite. */
    public static VerifyConfig defaults(Guarantee guarantee, long seed, Duration duration, Path runDir) {
        // A fifth of the confirmed sends of a clean run, so a short run still has to do real work; overlapping
        // faults (a stall, a broker death and a producer kill at once) hold the workload up for much of a run.
        int minConfirmed = (int) Math.max(50, Math.min(1_000, duration.toSeconds() * 150 / 5));
        return new VerifyConfig(guarantee, seed, duration, 20, 3, 4, 150, 4, DEFAULT_FAULTS, StoreKind.SQLITE, null,
                runDir, minConfirmed, PROCESSORS_DEFAULT, Engine.SEMEL, Failover.FAST);
    }

    public VerifyConfig withGuarantee(Guarantee g) {
        return new VerifyConfig(g, seed, duration, accounts, producers, lanesPerProducer, sendsPerSecond, partitions,
                faults, store, jdbcUrl, runDir, minConfirmed, processors, engine, failover);
    }

    public VerifyConfig withFaults(Set<FaultKind> f) {
        return new VerifyConfig(guarantee, seed, duration, accounts, producers, lanesPerProducer, sendsPerSecond,
                partitions, f, store, jdbcUrl, runDir, minConfirmed, processors, engine, failover);
    }

    public VerifyConfig withStore(StoreKind s, String url) {
        return new VerifyConfig(guarantee, seed, duration, accounts, producers, lanesPerProducer, sendsPerSecond,
                partitions, faults, s, url, runDir, minConfirmed, processors, engine, failover);
    }

    public VerifyConfig withRunDir(Path dir) {
        return new VerifyConfig(guarantee, seed, duration, accounts, producers, lanesPerProducer, sendsPerSecond,
                partitions, faults, store, jdbcUrl, dir, minConfirmed, processors, engine, failover);
    }

    public VerifyConfig withSeed(long s) {
        return new VerifyConfig(guarantee, s, duration, accounts, producers, lanesPerProducer, sendsPerSecond, partitions,
                faults, store, jdbcUrl, runDir, minConfirmed, processors, engine, failover);
    }

    public VerifyConfig withSendsPerSecond(int rate) {
        return new VerifyConfig(guarantee, seed, duration, accounts, producers, lanesPerProducer, rate, partitions,
                faults, store, jdbcUrl, runDir, minConfirmed, processors, engine, failover);
    }

    public VerifyConfig withLanesPerProducer(int lanes) {
        return new VerifyConfig(guarantee, seed, duration, accounts, producers, lanes, sendsPerSecond, partitions,
                faults, store, jdbcUrl, runDir, minConfirmed, processors, engine, failover);
    }

    public VerifyConfig withMinConfirmed(int n) {
        return new VerifyConfig(guarantee, seed, duration, accounts, producers, lanesPerProducer, sendsPerSecond,
                partitions, faults, store, jdbcUrl, runDir, n, processors, engine, failover);
    }

    public VerifyConfig withProcessors(int n) {
        return new VerifyConfig(guarantee, seed, duration, accounts, producers, lanesPerProducer, sendsPerSecond,
                partitions, faults, store, jdbcUrl, runDir, minConfirmed, n, engine, failover);
    }

    /**
     * This config on another engine. Moving to Kafka swaps the default fault set for {@link #KAFKA_DEFAULT_FAULTS}
     * (a set given with {@link #withFaults} is kept; kinds the engine cannot inject are left out of its plan).
     */
    public VerifyConfig withEngine(Engine e) {
        Set<FaultKind> f = faults;
        if (e == Engine.KAFKA && faults.equals(DEFAULT_FAULTS)) {
            f = KAFKA_DEFAULT_FAULTS;
        } else if (e == Engine.SEMEL && faults.equals(KAFKA_DEFAULT_FAULTS)) {
            f = DEFAULT_FAULTS;
        }
        int lanes = lanesPerProducer;
        int min = minConfirmed;
        if (e == Engine.KAFKA && engine == Engine.SEMEL) {
            // A Kafka send (acks=all to three replicas, child JVMs on two shared cores) takes hundreds of ms, not
            // the 40 ms the lane count assumes: more lanes offer the same rate. Node restarts take 10-40 s and
            // stall the workload far longer than a Semel broker restart: a tenth of a clean run, not a fifth.
            lanes = Math.max(lanesPerProducer, KAFKA_LANES_PER_PRODUCER);
            min = Math.max(50, minConfirmed / 2);
        }
        return new VerifyConfig(guarantee, seed, duration, accounts, producers, lanes, sendsPerSecond,
                partitions, f, store, jdbcUrl, runDir, min, processors, e, failover);
    }

    public VerifyConfig withFailover(Failover f) {
        return new VerifyConfig(guarantee, seed, duration, accounts, producers, lanesPerProducer, sendsPerSecond,
                partitions, faults, store, jdbcUrl, runDir, minConfirmed, processors, engine, f);
    }

    /** The processor names, {@code c1..cN}. */
    public java.util.List<String> processorNames() {
        return java.util.stream.IntStream.rangeClosed(1, processors).mapToObj(i -> "c" + i).toList();
    }
}
