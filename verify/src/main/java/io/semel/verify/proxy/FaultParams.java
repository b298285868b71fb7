package io.semel.verify.proxy;

import java.time.Duration;
import java.util.Objects;

/**
 * Parameters of a {@link FaultPolicy}; each policy reads only its own. Immutable.
 *
 * @param stall how long {@link FaultPolicy#STALL} holds traffic; {@link Duration#ZERO} = until healed
 * @param latency fixed extra delay per forwarded chunk for {@link FaultPolicy#DELAY}
 * @param jitter upper bound of the seeded random delay added to {@code latency}
 * @param replayDelay how long after the original {@link FaultPolicy#REPLAY_STALE} sends the copy
 * @param cutAfterBytes how many response bytes {@link FaultPolicy#CUT_DURING_RESPONSE} forwards before
 *     closing; {@link #CUT_HALF} = half of the next response frame (raw mode: of the next chunk)
 */
public record FaultParams(Duration stall, Duration latency, Duration jitter, Duration replayDelay, int cutAfterBytes) {
    /** {@link #cutAfterBytes} value meaning "half of the next response". */
    public static final int CUT_HALF = -1;
    /** Stall until healed, 50 ms ± 25 ms delay, replay after 500 ms, cut at half a response. */
    public static final FaultParams DEFAULTS = new FaultParams(Duration.ZERO, Duration.ofMillis(50),
            Duration.ofMillis(25), Duration.ofMillis(500), CUT_HALF);

    public FaultParams {
        requireNonNegative(stall, "stall");
        requireNonNegative(latency, "latency");
        requireNonNegative(jitter, "jitter");
        requireNonNegative(replayDelay, "replayDelay");
        if (cutAfterBytes < CUT_HALF) {
            throw new IllegalArgumentException("cutAfterBytes must be >= 0 or CUT_HALF (-1), got " + cutAfterBytes);
        }
    }

    public FaultParams withStall(Duration d) {
        return new FaultParams(d, latency, jitter, replayDelay, cutAfterBytes);
    }

    public FaultParams withDelay(Duration fixed, Duration randomUpTo) {
        return new FaultParams(stall, fixed, randomUpTo, replayDelay, cutAfterBytes);
    }

    public FaultParams withReplayDelay(Duration d) {
        return new FaultParams(stall, latency, jitter, d, cutAfterBytes);
    }

    public FaultParams withCutAfterBytes(int bytes) {
        return new FaultParams(stall, latency, jitter, replayDelay, bytes);
    }

    private static void requireNonNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, got " + d);
        }
    }
}
