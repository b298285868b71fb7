package io.semel.verify.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.verify.schedule.FaultKind;
import io.semel.verify.schedule.FaultSchedule;
import io.semel.verify.schedule.TimedFault;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The run's schedule as properties over seeds: every enabled kind occurs in every run of 60 s or more, faults
 * overlap (a network fault, a pause and a broker death together), the needed faults are there, one target has one
 * fault at a time, a crash window has its processor to itself, and the same seed gives the same schedule.
 */
class RunScheduleTest {
    private static final RunSchedule.Roster ROSTER = new RunSchedule.Roster(List.of("c1", "c2", "c3"),
            List.of("p1", "p2", "p3"));

    private static FaultSchedule plan(long seed, int seconds) {
        return RunSchedule.plan(seed, Duration.ofSeconds(seconds), VerifyConfig.DEFAULT_FAULTS, 3_500, ROSTER);
    }

    @Property(tries = 200)
    void everyEnabledKindOccursInEveryRunOfAMinuteOrMore(@ForAll long seed, @ForAll @IntRange(min = 60, max = 600) int seconds) {
        Set<FaultKind> planned = plan(seed, seconds).faults().stream().map(TimedFault::kind)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(FaultKind.class)));
        assertThat(planned).containsExactlyInAnyOrderElementsOf(VerifyConfig.DEFAULT_FAULTS);
    }

    @Property(tries = 200)
    void aNetworkFaultAPauseAndABrokerDeathOverlapInEveryRunOfAMinuteOrMore(@ForAll long seed,
            @ForAll @IntRange(min = 60, max = 300) int seconds) {
        List<TimedFault> faults = plan(seed, seconds).faults();
        assertThat(faults).anySatisfy(net -> {
            assertThat(net.kind().proxyPolicy()).isPresent();
            assertThat(faults).anySatisfy(pause -> {
                assertThat(pause.kind()).isEqualTo(FaultKind.PAUSE);
                assertThat(overlap(net, pause)).isTrue();
                assertThat(faults).anySatisfy(death -> {
                    assertThat(death.kind()).isIn(FaultKind.KILL, FaultKind.POWER_LOSS);
                    assertThat(death.target()).isEqualTo(RunSchedule.BROKER);
                    assertThat(overlap(death, net) && overlap(death, pause)).isTrue();
                });
            });
        });
    }

    @Property(tries = 300)
    void theNeededFaultsAreThereAndTheRulesHoldForEveryLength(@ForAll long seed,
            @ForAll @IntRange(min = 15, max = 300) int seconds) {
        FaultSchedule s = plan(seed, seconds);
        assertThat(plan(seed, seconds)).as("same seed, same schedule").isEqualTo(s);
        assertThat(s.faults()).anyMatch(f -> f.kind() == FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK
                && f.target().equals("c1") && f.stopMs() - f.startMs() >= RunSchedule.CRASH_WINDOW_MIN_MS);
        assertThat(s.faults()).anyMatch(f -> f.kind() == FaultKind.DROP_AFTER_REQUEST
                && f.target().equals(RunSchedule.PROXY_PRODUCERS));
        assertThat(s.faults()).anyMatch(f -> f.kind() == FaultKind.STALL && f.target().equals(RunSchedule.PROXY_PRODUCERS)
                && f.stopMs() - f.startMs() >= 3_500);
        assertThat(s.faults()).allMatch(f -> f.startMs() >= RunSchedule.EDGE_MS && f.stopMs() <= s.healAtMs());
        for (TimedFault a : s.faults()) {
            long concurrent = s.faults().stream().filter(b -> b.startMs() <= a.startMs() && a.startMs() < b.stopMs()).count();
            assertThat(concurrent).as("faults on when %s starts", a).isLessThanOrEqualTo(RunSchedule.CONCURRENT_MAX);
            for (TimedFault b : s.faults()) {
                if (a == b) {
                    continue;
                }
                if (a.target().equals(b.target())) {
                    assertThat(overlap(a, b)).as("one fault at a time on %s: %s and %s", a.target(), a, b).isFalse();
                }
                if (a.kind() == FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK && (b.target().equals(a.target())
                        || b.target().equals(RunSchedule.BROKER) || b.target().startsWith("px-"))) {
                    assertThat(overlap(a, b)).as("a crash window has its processor to itself: %s and %s", a, b).isFalse();
                }
                if (a.kind() == FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK && b.kind().isDeath() && b.stopMs() <= a.startMs()
                        && (b.target().equals(a.target()) || b.target().equals(RunSchedule.BROKER))) {
                    assertThat(a.startMs() - b.stopMs()).as("members back at work after %s before the crash window %s", b, a)
                            .isGreaterThanOrEqualTo(2 * RunSchedule.RECOVERY_MS);
                }
                if (b.kind().isDeath() && a.target().equals(b.target()) && a.startMs() >= b.stopMs()) {
                    assertThat(a.startMs() - b.stopMs()).as("recovery after %s before %s", b, a)
                            .isGreaterThanOrEqualTo(RunSchedule.RECOVERY_MS);
                }
            }
        }
    }

    @Property(tries = 100)
    void differentSeedsGiveDifferentSchedules(@ForAll long seed) {
        assertThat(plan(seed, 90)).isNotEqualTo(plan(seed + 1, 90));
    }

    @Property(tries = 50)
    void onlyEnabledKindsArePlanned(@ForAll long seed) {
        FaultSchedule s = RunSchedule.plan(seed, Duration.ofSeconds(60), Set.of(FaultKind.DELAY, FaultKind.RESET), 3_500,
                ROSTER);
        assertThat(s.faults()).isNotEmpty().allMatch(f -> f.kind() == FaultKind.DELAY || f.kind() == FaultKind.RESET);
    }

    private static boolean overlap(TimedFault a, TimedFault b) {
        return a.startMs() < b.stopMs() && b.startMs() < a.stopMs();
    }
}
