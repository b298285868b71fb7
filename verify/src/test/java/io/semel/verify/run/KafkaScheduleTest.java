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
import org.junit.jupiter.api.Test;

/** The Kafka engine's fault plan ({@link RunSchedule#planKafka}), over many seeds: pure and fast. */
class KafkaScheduleTest {
    private static final RunSchedule.Roster PG = new RunSchedule.Roster(List.of("c1", "c2"), List.of("p1", "p2", "p3"));
    private static final RunSchedule.Roster SQLITE = new RunSchedule.Roster(List.of("c1"), List.of("p1", "p2", "p3"));
    private static final Set<String> NODES = Set.of("k1", "k2", "k3", "controller");

    private static FaultSchedule plan(long seed, int seconds, RunSchedule.Roster roster, boolean storm) {
        return RunSchedule.planKafka(seed, Duration.ofSeconds(seconds), VerifyConfig.KAFKA_DEFAULT_FAULTS,
                KafkaVerifyRun.STALL_MS, roster, storm, KafkaVerifyRun.ZOMBIE_MIN_MS);
    }

    @Test
    void onlyOneKafkaNodeIsHitAtATimeTheControllerIncluded() {
        for (long seed = 1; seed <= 40; seed++) {
            List<TimedFault> nodes = plan(seed, 90, PG, true).faults().stream()
                    .filter(f -> NODES.contains(f.target())).toList();
            for (TimedFault a : nodes) {
                for (TimedFault b : nodes) {
                    if (a != b) {
                        assertThat(a.stopMs() <= b.startMs() || b.stopMs() <= a.startMs())
                                .as("seed %d: %s overlaps %s", seed, a, b).isTrue();
                    }
                }
            }
        }
    }

    @Test
    void everyKafkaKindIsPlannedInTwoMinutesWithPostgres() {
        for (long seed = 1; seed <= 20; seed++) {
            Set<FaultKind> kinds = plan(seed, 120, PG, true).faults().stream().map(TimedFault::kind)
                    .collect(Collectors.toCollection(() -> EnumSet.noneOf(FaultKind.class)));
            assertThat(kinds).as("seed %d", seed).containsAll(VerifyConfig.KAFKA_DEFAULT_FAULTS);
        }
    }

    @Test
    void onOneSqliteProcessorEveryProcessorFaultButTheStormIsPlannedInTwoMinutesAndSemelOnlyKindsNever() {
        Set<FaultKind> semelOnly = EnumSet.of(FaultKind.POWER_LOSS, FaultKind.CLOCK_JUMP, FaultKind.REPLAY_STALE);
        Set<FaultKind> everything = EnumSet.allOf(FaultKind.class);
        for (long seed = 1; seed <= 20; seed++) {
            // One processor takes all four processor faults, each death followed by its recovery: two minutes.
            FaultSchedule s = RunSchedule.planKafka(seed, Duration.ofSeconds(120), everything, KafkaVerifyRun.STALL_MS,
                    SQLITE, false, KafkaVerifyRun.ZOMBIE_MIN_MS);
            assertThat(s.faults()).noneMatch(f -> semelOnly.contains(f.kind()) || f.kind() == FaultKind.REBALANCE_STORM);
            assertThat(s.faults()).anyMatch(f -> f.kind() == FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK);
            assertThat(s.faults().stream().map(TimedFault::kind)).contains(FaultKind.CRASH_AFTER_CLAIM,
                    FaultKind.CRASH_AFTER_HANDLER_BEFORE_COMMIT, FaultKind.ZOMBIE);
        }
    }

    @Test
    void aZombieOutlastsTheSessionTimeoutAndTheSameSeedGivesTheSamePlan() {
        for (long seed = 1; seed <= 20; seed++) {
            FaultSchedule s = plan(seed, 60, PG, true);
            assertThat(s).isEqualTo(plan(seed, 60, PG, true));
            s.faults().stream().filter(f -> f.kind() == FaultKind.ZOMBIE).forEach(z -> assertThat(z.stopMs() - z.startMs())
                    .isGreaterThan(KafkaVerifyRun.SESSION_TIMEOUT_MS));
        }
    }
}
