package io.semel.verify.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.verify.history.EventValue;
import io.semel.verify.history.ScheduledFault;
import io.semel.verify.run.RunSchedule;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FaultScheduleTest {
    private static final Set<FaultKind> KINDS = Set.of(FaultKind.DROP_AFTER_REQUEST, FaultKind.REPLAY_STALE,
            FaultKind.KILL, FaultKind.PAUSE, FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK);

    @Test
    void headerFaultsUseTheNemesisWireNames() {
        FaultSchedule s = RunSchedule.plan(3, Duration.ofMinutes(10), KINDS, 3_500);
        List<ScheduledFault> header = s.scheduledFaults();
        assertThat(header).isNotEmpty().hasSameSizeAs(s.faults());
        Set<String> names = header.stream().map(ScheduledFault::fault).collect(Collectors.toSet());
        assertThat(names).isSubsetOf("drop-after-request", "replay-stale", EventValue.Nemesis.KILL, "pause",
                EventValue.Nemesis.CRASH_AFTER_COMMIT_BEFORE_ACK);
        assertThat(s.countByKind().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(s.faults().size());
        assertThat(FaultKind.fromWireName("crash-after-commit-before-ack")).isEqualTo(FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK);
        assertThat(FaultKind.DROP_AFTER_REQUEST.proxyPolicy()).isPresent();
        assertThat(FaultKind.KILL.proxyPolicy()).isEmpty();
    }
}
