package io.semel.verify.schedule;

import io.semel.verify.history.EventValue;
import io.semel.verify.proxy.FaultPolicy;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Every fault a schedule can plan. The wire name is what the orchestrator writes as the nemesis {@code fault}
 * and what goes into the history header, so the checker can match planned against injected faults.
 * Targets say whom: a proxy name for network faults, a process name for process faults.
 */
public enum FaultKind {
    DROP_AFTER_REQUEST(FaultPolicy.DROP_AFTER_REQUEST),
    CUT_DURING_RESPONSE(FaultPolicy.CUT_DURING_RESPONSE),
    STALL(FaultPolicy.STALL),
    RESET(FaultPolicy.RESET),
    DELAY(FaultPolicy.DELAY),
    REPLAY_STALE(FaultPolicy.REPLAY_STALE),
    /** One-way partition: requests are lost, the connection stays up (nothing reaches the broker). */
    DROP_REQUESTS(FaultPolicy.DROP_REQUESTS),
    /** One-way partition: replies are lost, the connection stays up (requests take effect unseen). */
    DROP_REPLIES(FaultPolicy.DROP_REPLIES),
    /** A latency spike: {@link FaultPolicy#DELAY} with hundreds of milliseconds per chunk, past request timeouts. */
    LATENCY_SPIKE(FaultPolicy.DELAY),
    /** kill -9; the stop of the window restarts the process with the same identity. */
    KILL(null),
    /** SIGSTOP; the stop of the window sends SIGCONT. */
    PAUSE(null),
    /** Restart a processor with the crash point armed: it dies after its commit, before its ack. */
    CRASH_AFTER_COMMIT_BEFORE_ACK(null),
    /**
     * Power loss of the broker: SIGKILL, then every log file is cut back to a point between its last forced
     * length and what was written (the last write torn at a seeded byte); the stop restarts it.
     */
    POWER_LOSS(null),
    /**
     * The target's wall clock (broker or processor, through its injected clock) jumps by a seeded offset, forwards
     * or back, at the start; the stop jumps it back to the true time.
     */
    CLOCK_JUMP(null),
    /**
     * Kafka engine: the processor halts right after it claimed a partition in the store (lease epoch raised), before
     * it seeks there ({@code kafka.afterClaimBeforeSeek}); armed over the event channel, it fires at the next claim,
     * so the nemesis makes one happen by restarting the member (SIGKILL, then a new generation armed from its start).
     */
    CRASH_AFTER_CLAIM(null),
    /**
     * Kafka engine: the processor halts inside its batch transaction, after the handler applied a message and
     * before the commit; armed over the event channel, fires at the next handler call.
     */
    CRASH_AFTER_HANDLER_BEFORE_COMMIT(null),
    /**
     * Kafka engine: the zombie. The processor stops itself (SIGSTOP) inside its batch transaction, after the handler
     * applied a message and before the commit, and stays stopped past its consumer-group session timeout, so the
     * group hands its partitions to another member (or back to it on its return); the stop sends SIGCONT and the
     * zombie tries to commit.
     */
    ZOMBIE(null),
    /** Kafka engine: a spare processor joins the consumer group at the start and leaves it (closes) at the stop. */
    REBALANCE_STORM(null),
    /** Kafka engine: the outbox relay halts after its pass's sends, before the Kafka commit (transaction left open). */
    RELAY_CRASH_AFTER_SEND_BEFORE_COMMIT(null),
    /** Kafka engine: the relay halts after the Kafka commit, before it marks the rows sent in the store. */
    RELAY_CRASH_AFTER_COMMIT_BEFORE_MARK_SENT(null),
    /** Kafka engine: a second relay process with the same relay name starts at the start and stops at the stop. */
    SECOND_RELAY(null),
    /**
     * Kafka engine: the relay holds a pass's Kafka transaction open (after its sends) while the nemesis SIGKILLs the
     * node coordinating that transaction; the stop restarts the node and lets the relay go on.
     */
    BROKER_KILL_IN_RELAY_TRANSACTION(null),
    /**
     * Kafka engine: the relay holds a pass's Kafka transaction open after its sends; once Kafka reports it ongoing,
     * the nemesis SIGSTOPs the relay and keeps it stopped past its {@code transaction.timeout.ms}, so the coordinator
     * aborts the transaction and bumps the producer epoch; the stop sends SIGCONT and the relay, fenced, must resolve
     * it in a new session and publish every row once.
     */
    RELAY_STALL_PAST_TRANSACTION_TIMEOUT(null);

    private final FaultPolicy proxyPolicy;

    FaultKind(FaultPolicy proxyPolicy) {
        this.proxyPolicy = proxyPolicy;
    }

    /** e.g. {@code kill}, {@code drop-after-request}; equals {@code EventValue.Nemesis.KILL} etc. */
    public String wireName() {
        return switch (this) {
            case KILL -> EventValue.Nemesis.KILL;
            case CRASH_AFTER_COMMIT_BEFORE_ACK -> EventValue.Nemesis.CRASH_AFTER_COMMIT_BEFORE_ACK;
            default -> name().toLowerCase(Locale.ROOT).replace('_', '-');
        };
    }

    /** The proxy policy this fault switches on, if it is a network fault. */
    public Optional<FaultPolicy> proxyPolicy() {
        return Optional.ofNullable(proxyPolicy);
    }

    /** True for faults that end a process's life (its restart takes a JVM start and a group join). */
    public boolean isDeath() {
        return this == KILL || this == CRASH_AFTER_COMMIT_BEFORE_ACK || this == POWER_LOSS || this == CRASH_AFTER_CLAIM
                || this == CRASH_AFTER_HANDLER_BEFORE_COMMIT || this == RELAY_CRASH_AFTER_SEND_BEFORE_COMMIT
                || this == RELAY_CRASH_AFTER_COMMIT_BEFORE_MARK_SENT;
    }

    /**
     * True for a crash point armed in a processor that fires only when the processor reaches its step (a batch, a
     * claim): the planner keeps its window free of faults that would stop batches from flowing.
     */
    public boolean isCrashWindow() {
        return this == CRASH_AFTER_COMMIT_BEFORE_ACK || this == CRASH_AFTER_CLAIM || this == CRASH_AFTER_HANDLER_BEFORE_COMMIT
                || this == ZOMBIE || this == RELAY_CRASH_AFTER_SEND_BEFORE_COMMIT
                || this == RELAY_CRASH_AFTER_COMMIT_BEFORE_MARK_SENT || this == BROKER_KILL_IN_RELAY_TRANSACTION
                || this == RELAY_STALL_PAST_TRANSACTION_TIMEOUT;
    }

    /**
     * True for a fault the child injects by stopping itself (SIGSTOP) at its step; the nemesis continues it (SIGCONT)
     * once it has been stopped for the fault's length: the zombie.
     */
    public boolean isSelfStop() {
        return this == ZOMBIE;
    }

    /** The faults only the Kafka engine can inject. */
    public boolean kafkaOnly() {
        return this == CRASH_AFTER_CLAIM || this == CRASH_AFTER_HANDLER_BEFORE_COMMIT || this == ZOMBIE
                || this == REBALANCE_STORM || isRelayFault();
    }

    /** The Kafka engine's outbox relay faults (target {@code r1}). */
    public boolean isRelayFault() {
        return this == RELAY_CRASH_AFTER_SEND_BEFORE_COMMIT || this == RELAY_CRASH_AFTER_COMMIT_BEFORE_MARK_SENT
                || this == SECOND_RELAY || this == BROKER_KILL_IN_RELAY_TRANSACTION
                || this == RELAY_STALL_PAST_TRANSACTION_TIMEOUT;
    }

    public static FaultKind fromWireName(String name) {
        return Arrays.stream(values()).filter(k -> k.wireName().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown fault kind '" + name + "', expected one of "
                        + Arrays.stream(values()).map(FaultKind::wireName).toList()));
    }
}
