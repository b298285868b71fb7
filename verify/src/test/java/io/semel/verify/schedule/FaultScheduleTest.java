package io.semel.verify.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.verify.history.EventValue;
import io.semel.verify.history.ScheduledFault;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FaultScheduleTest {
    private static final Map<FaultKind, List<String>> TARGETS = targets();

    private static Map<FaultKind, List<String>> targets() {
        Map<FaultKind, List<String>> m = new LinkedHashMap<>();
        m.put(FaultKind.DROP_AFTER_REQUEST, List.of("proxy-p1", "proxy-c1"));
        m.put(FaultKind.REPLAY_STALE, List.of("proxy-c1"));
        m.put(FaultKind.KILL, List.of("broker", "p1", "c1"));
        m.put(FaultKind.PAUSE, List.of("c1"));
        m.put(FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK, List.of("c1"));
        return m;
    }

    private static FaultSchedule tenMinutes(long seed) {
        return FaultSchedule.generate(ScheduleOptions.jepsenStyle(seed, Duration.ofMinutes(10)), TARGETS);
    }

    @Test
    void sameSeedGivesTheSameSchedule() {
        assertThat(tenMinutes(7)).isEqualTo(tenMinutes(7));
        assertThat(tenMinutes(7).faults()).isNotEmpty();
    }

    @Test
    void differentSeedsGiveDifferentSchedules() {
        assertThat(tenMinutes(7).faults()).isNotEqualTo(tenMinutes(8).faults());
    }

    @Test
    void faultsNeverOverlapStayInsideTheirWindowAndEndBeforeTheFinalHeal() {
        for (long seed = 0; seed < 50; seed++) {
            FaultSchedule s = tenMinutes(seed);
            assertThat(s.healAtMs()).isEqualTo(600_000);
            assertThat(s.mixes()).hasSize(20);
            long lastStop = 0;
            for (TimedFault f : s.faults()) {
                assertThat(f.startMs()).as("seed %d: %s starts after the previous fault stopped", seed, f)
                        .isGreaterThanOrEqualTo(lastStop + 5_000);
                assertThat(f.stopMs() - f.startMs()).isBetween(1L, 5_000L);
                assertThat(f.startMs()).isGreaterThanOrEqualTo(f.window() * 30_000L);
                assertThat(f.stopMs()).isLessThanOrEqualTo(Math.min((f.window() + 1) * 30_000L, s.healAtMs()));
                assertThat(s.mixes().get(f.window())).contains(f.kind());
                assertThat(TARGETS.get(f.kind())).contains(f.target());
                lastStop = f.stopMs();
            }
        }
    }

    @Test
    void windowsRotateMixesAndAboutAQuarterAreQuiet() {
        long quiet = 0;
        long windows = 0;
        Set<List<FaultKind>> distinctMixes = new java.util.HashSet<>();
        for (long seed = 0; seed < 100; seed++) {
            FaultSchedule s = tenMinutes(seed);
            quiet += s.quietWindows();
            windows += s.mixes().size();
            s.mixes().stream().filter(m -> !m.isEmpty()).forEach(distinctMixes::add);
            for (int w = 0; w < s.mixes().size(); w++) {
                int window = w;
                boolean hasFaults = s.faults().stream().anyMatch(f -> f.window() == window);
                assertThat(hasFaults).as("a window has faults iff it is not quiet").isEqualTo(!s.mixes().get(w).isEmpty());
            }
        }
        assertThat((double) quiet / windows).isBetween(0.20, 0.30);
        assertThat(distinctMixes.size()).as("many different subsets").isGreaterThan(15);
    }

    @Test
    void headerFaultsUseTheNemesisWireNames() {
        FaultSchedule s = tenMinutes(3);
        List<ScheduledFault> header = s.scheduledFaults();
        assertThat(header).hasSameSizeAs(s.faults());
        Set<String> names = header.stream().map(ScheduledFault::fault).collect(Collectors.toSet());
        assertThat(names).isSubsetOf("drop-after-request", "replay-stale", EventValue.Nemesis.KILL, "pause",
                EventValue.Nemesis.CRASH_AFTER_COMMIT_BEFORE_ACK);
        assertThat(s.countByKind().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(s.faults().size());
        assertThat(FaultKind.fromWireName("crash-after-commit-before-ack")).isEqualTo(FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK);
        assertThat(FaultKind.DROP_AFTER_REQUEST.proxyPolicy()).isPresent();
        assertThat(FaultKind.KILL.proxyPolicy()).isEmpty();
    }

    @Test
    void aScheduleWithoutTargetsIsRefused() {
        assertThatThrownBy(() -> FaultSchedule.generate(ScheduleOptions.jepsenStyle(1, Duration.ofSeconds(60)),
                Map.of(FaultKind.KILL, List.of()))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no fault kind");
    }
}
