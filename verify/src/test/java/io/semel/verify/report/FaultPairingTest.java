package io.semel.verify.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.verify.history.EventValue;
import io.semel.verify.history.NemesisPhase;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultPairingTest {
    private static EventValue.Nemesis n(NemesisPhase phase, String fault, String... targets) {
        return new EventValue.Nemesis(fault, List.of(targets), phase);
    }

    @Test
    void aStopHealsTheOpenFaultWithTheSameKindAndTargetsOnly() {
        FaultPairing p = new FaultPairing();
        p.ok(n(NemesisPhase.STOP, "kill", "c1"), 500); // nothing open: ignored
        p.ok(n(NemesisPhase.START, "kill", "c1"), 1_000);
        p.ok(n(NemesisPhase.START, "kill", "c2"), 1_200);
        p.ok(n(NemesisPhase.START, "pause", "c1"), 1_300);
        p.ok(n(NemesisPhase.STOP, "kill", "c1"), 2_000);

        assertThat(p.faults()).containsExactly(
                new InjectedFault("kill", List.of("c1"), 1_000, 2_000),
                new InjectedFault("kill", List.of("c2"), 1_200, InjectedFault.NOT_HEALED),
                new InjectedFault("pause", List.of("c1"), 1_300, InjectedFault.NOT_HEALED));
    }

    @Test
    void aStopStampedBeforeItsStartEndsAtTheStart() {
        FaultPairing p = new FaultPairing();
        p.ok(n(NemesisPhase.START, "kill", "c1"), 1_000);
        p.ok(n(NemesisPhase.STOP, "kill", "c1"), 900);
        assertThat(p.faults()).containsExactly(new InjectedFault("kill", List.of("c1"), 1_000, 1_000));
    }
}
