package io.semel.verify.run.child;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.PriorityQueue;
import org.junit.jupiter.api.Test;

/** {@link Pacer}'s decision on a simulated clock: lanes as events in time order, no sleeping, no timing. */
class PacerTest {
    private static final long MS = 1_000_000L;

    /**
     * 16 lanes share 50 sends/s (the Kafka engine's producer child), each send taking {@code sendMs}; every lane
     * starts at once (a burst, as after a stall). Returns the sends in each simulated second.
     */
    private static long[] simulate(int lanes, double rate, long sendMs, int seconds) {
        Pacer pacer = new Pacer(rate, 0);
        PriorityQueue<long[]> wakeups = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
        for (int l = 0; l < lanes; l++) {
            wakeups.add(new long[] {0, l});
        }
        long[] perSecond = new long[seconds];
        while (true) {
            long[] lane = wakeups.poll();
            long now = lane[0];
            if (now >= seconds * 1_000L * MS) {
                return perSecond;
            }
            Pacer.Slot s = pacer.take(now);
            if (s.taken()) {
                assertThat(s.atNs()).isGreaterThanOrEqualTo(now).isLessThanOrEqualTo(now + Pacer.WAIT_MAX_NS);
                int second = (int) (s.atNs() / (1_000L * MS));
                if (second < seconds) {
                    perSecond[second]++;
                }
                wakeups.add(new long[] {s.atNs() + sendMs * MS, lane[1]});
            } else {
                assertThat(s.atNs()).isGreaterThan(now);
                wakeups.add(new long[] {s.atNs(), lane[1]});
            }
        }
    }

    @Test
    void sixteenLanesAtFiftyPerSecondKeepSendingAtTheRateAfterABurst() {
        // Before the fix a lane reserved a slot even when it went back to re-check (slot more than 200 ms away):
        // 16 lanes x 20 ms pushed the next slot 320 ms per 200 ms of sleep, and sending stopped for good.
        long[] perSecond = simulate(16, 50, 5, 30);
        for (int s = 1; s < perSecond.length; s++) {
            assertThat(perSecond[s]).as("sends in second %d", s).isBetween(49L, 51L);
        }
    }

    @Test
    void fewLanesAndSlowSendsStillSendWhatTheyCan() {
        // 4 lanes, 400 ms per send: 10 sends/s whatever the rate asked, and no burst when the pacer is behind.
        long[] perSecond = simulate(4, 50, 400, 11);
        long total = 0;
        for (int s = 1; s < perSecond.length; s++) {
            assertThat(perSecond[s]).as("sends in second %d", s).isLessThanOrEqualTo(12L);
            total += perSecond[s];
        }
        assertThat(total).isBetween(95L, 105L);
    }

    @Test
    void manyCallsAtOneInstantTakeOnlyTheSlotsWithinTheWaitAndTheScheduleDoesNotRunAhead() {
        Pacer pacer = new Pacer(50, 0);
        long taken = 0;
        for (int i = 0; i < 1_000; i++) {
            if (pacer.take(0).taken()) {
                taken++;
            }
        }
        // Slots at 0, 20, ..., 200 ms: 11 of them.
        assertThat(taken).isEqualTo(Pacer.WAIT_MAX_NS / (20 * MS) + 1);
        // 220 ms later the next slot is due at once: the refused calls reserved nothing.
        Pacer.Slot next = pacer.take(220 * MS);
        assertThat(next.taken()).isTrue();
        assertThat(next.atNs()).isEqualTo(220 * MS);
    }

    @Test
    void aLaneFarBehindSkipsTheMissedSlotsInsteadOfBursting() {
        Pacer pacer = new Pacer(50, 0);
        long taken = 0;
        for (int i = 0; i < 1_000; i++) {
            if (pacer.take(5_000 * MS).taken()) {
                taken++;
            }
        }
        assertThat(taken).isEqualTo(11);
    }
}
