package io.semel.verify.schedule;

import io.semel.verify.history.EventValue;
import io.semel.verify.proxy.FaultPolicy;
import java.util.Arrays;
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
    /** kill -9; the stop of the window restarts the process with the same identity. */
    KILL(null),
    /** SIGSTOP; the stop of the window sends SIGCONT. */
    PAUSE(null),
    /** Restart a processor with the crash point armed: it dies after its commit, before its ack. */
    CRASH_AFTER_COMMIT_BEFORE_ACK(null);

    private final FaultPolicy proxyPolicy;

    FaultKind(FaultPolicy proxyPolicy) {
        this.proxyPolicy = proxyPolicy;
    }

    /** e.g. {@code kill}, {@code drop-after-request}; equals {@code EventValue.Nemesis.KILL} etc. */
    public String wireName() {
        return proxyPolicy != null ? proxyPolicy.wireName() : switch (this) {
            case KILL -> EventValue.Nemesis.KILL;
            case PAUSE -> "pause";
            case CRASH_AFTER_COMMIT_BEFORE_ACK -> EventValue.Nemesis.CRASH_AFTER_COMMIT_BEFORE_ACK;
            default -> throw new AssertionError(this);
        };
    }

    /** The proxy policy this fault switches on, if it is a network fault. */
    public Optional<FaultPolicy> proxyPolicy() {
        return Optional.ofNullable(proxyPolicy);
    }

    public static FaultKind fromWireName(String name) {
        return Arrays.stream(values()).filter(k -> k.wireName().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown fault kind '" + name + "', expected one of "
                        + Arrays.stream(values()).map(FaultKind::wireName).toList()));
    }
}
