package io.semel.verify.schedule;

import java.time.Duration;
import java.util.Objects;

/**
 * Shape of a generated {@link FaultSchedule} (Jepsen "rotating mixes"; background §2). Immutable.
 *
 * @param seed seeds the only {@link java.util.Random} used; same seed and options, same schedule
 * @param duration length of the faulty part of the run; the final heal is at its end
 * @param window length of one mix window
 * @param quietProbability chance that a window injects nothing
 * @param gapMin shortest pause between the end of one fault and the start of the next
 * @param gapMax longest such pause
 * @param faultMin shortest time a fault stays on
 * @param faultMax longest time a fault stays on
 */
public record ScheduleOptions(long seed, Duration duration, Duration window, double quietProbability,
        Duration gapMin, Duration gapMax, Duration faultMin, Duration faultMax) {
    public ScheduleOptions {
        for (Duration d : new Duration[] {duration, window, gapMin, gapMax, faultMin, faultMax}) {
            Objects.requireNonNull(d, "durations");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("schedule durations must be positive: " + this);
            }
        }
        if (gapMax.compareTo(gapMin) < 0 || faultMax.compareTo(faultMin) < 0) {
            throw new IllegalArgumentException("need gapMin <= gapMax and faultMin <= faultMax: " + this);
        }
        if (quietProbability < 0 || quietProbability >= 1) {
            throw new IllegalArgumentException("quietProbability must be in [0, 1), got " + quietProbability);
        }
    }

    /** 30 s windows, quiet with probability ¼, 5–15 s between faults, faults on for 1–5 s. */
    public static ScheduleOptions jepsenStyle(long seed, Duration duration) {
        return new ScheduleOptions(seed, duration, Duration.ofSeconds(30), 0.25, Duration.ofSeconds(5),
                Duration.ofSeconds(15), Duration.ofSeconds(1), Duration.ofSeconds(5));
    }
}
