package io.semel.verify.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.verify.schedule.FaultKind;
import io.semel.verify.schedule.FaultSchedule;
import io.semel.verify.schedule.TimedFault;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class RunScheduleTest {
    @Property(tries = 1000)
    void everyShortScheduleHoldsTheEnsuredFaultsWithoutOverlapAndIsTheSameForTheSameSeed(@ForAll long seed,
            @ForAll @IntRange(min = 15, max = 120) int seconds) {
        FaultSchedule s = RunSchedule.plan(seed, Duration.ofSeconds(seconds), VerifyConfig.DEFAULT_FAULTS, 3_500);
        assertThat(RunSchedule.plan(seed, Duration.ofSeconds(seconds), VerifyConfig.DEFAULT_FAULTS, 3_500)).isEqualTo(s);
        assertThat(s.faults()).anyMatch(f -> f.kind() == FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK
                && f.stopMs() - f.startMs() >= RunSchedule.CRASH_WINDOW_MIN_MS);
        assertThat(s.faults()).anyMatch(f -> f.kind() == FaultKind.DROP_AFTER_REQUEST
                && f.target().equals(RunSchedule.PROXY_PRODUCERS));
        assertThat(s.faults()).anyMatch(f -> f.kind() == FaultKind.STALL && f.target().equals(RunSchedule.PROXY_PRODUCERS)
                && f.stopMs() - f.startMs() >= 3_500);
        List<TimedFault> sorted = s.faults().stream().sorted(Comparator.comparingLong(TimedFault::startMs)).toList();
        for (int i = 1; i < sorted.size(); i++) {
            assertThat(sorted.get(i).startMs()).as("no overlap: %s", sorted).isGreaterThanOrEqualTo(sorted.get(i - 1).stopMs());
        }
        assertThat(s.faults()).allMatch(f -> f.startMs() >= RunSchedule.EDGE_MS && f.stopMs() <= s.healAtMs());
    }

    @Property(tries = 50)
    void withoutTheCrashKindNoCrashIsPlanned(@ForAll long seed) {
        FaultSchedule s = RunSchedule.plan(seed, Duration.ofSeconds(20), java.util.Set.of(FaultKind.DELAY, FaultKind.RESET),
                3_500);
        assertThat(s.faults()).allMatch(f -> f.kind() == FaultKind.DELAY || f.kind() == FaultKind.RESET);
    }
}
