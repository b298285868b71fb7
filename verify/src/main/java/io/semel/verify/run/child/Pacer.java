package io.semel.verify.run.child;

import java.util.concurrent.TimeUnit;

/**
 * Paces a producer child's sends over all its lanes at a fixed rate: one slot per {@code 1 / rate}, each slot taken
 * by one lane. Lanes blocked by a fault never burst afterwards: slots more than {@link #BEHIND_MAX_NS} in the past
 * are skipped.
 *
 * <p>A lane takes a slot only if the slot is at most {@link #WAIT_MAX_NS} away; otherwise it takes nothing, sleeps
 * and comes back (so it re-checks whether to stop). A lane that reserved a slot it then did not use would push the
 * schedule forward with every call: with more lanes than {@code WAIT_MAX_NS / interval} (16 lanes at 50 sends/s,
 * the Kafka engine's producer children) the next slot ran away from the clock after any burst, and the children
 * stopped sending for the rest of the run (sweep seeds 961442-961445: producers silent from 5-25 s on, every crash
 * point left waiting for a batch that never came, verdict {@code trivial}).
 *
 * <p>The decision ({@link #take}) is pure given the time; {@link #pace} reads the clock and sleeps. Thread-safe.
 */
public final class Pacer {
    /** The longest a lane sleeps in one call, ns. */
    static final long WAIT_MAX_NS = 200_000_000L;
    /** Slots further in the past than this are skipped instead of sent in a burst, ns. */
    static final long BEHIND_MAX_NS = 1_000_000_000L;

    /** A lane's answer: {@code taken} = send at {@code atNs}; otherwise sleep until {@code atNs} and ask again. */
    record Slot(boolean taken, long atNs) {
    }

    private final long intervalNs;
    /** Guarded by this. */
    private long nextSlotNs;

    public Pacer(double perSecond) {
        this(perSecond, System.nanoTime());
    }

    Pacer(double perSecond, long startNs) {
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("rate must be positive, got " + perSecond);
        }
        this.intervalNs = Math.max(1, (long) (1_000_000_000L / perSecond));
        this.nextSlotNs = startNs;
    }

    /** The decision for a lane asking at {@code nowNs}: the slot it takes, or when to ask again. */
    synchronized Slot take(long nowNs) {
        if (nowNs - nextSlotNs > BEHIND_MAX_NS) {
            nextSlotNs = nowNs;
        }
        long slot = nextSlotNs;
        if (slot - nowNs > WAIT_MAX_NS) {
            return new Slot(false, nowNs + WAIT_MAX_NS);
        }
        nextSlotNs += intervalNs;
        return new Slot(true, Math.max(slot, nowNs));
    }

    /** Waits for the lane's next slot; false if it took none and should re-check whether to stop. */
    public boolean pace() {
        long now = System.nanoTime();
        Slot s = take(now);
        long waitNs = s.atNs() - now;
        if (waitNs > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(waitNs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return s.taken();
    }
}
