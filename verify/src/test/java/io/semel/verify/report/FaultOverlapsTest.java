package io.semel.verify.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FaultOverlapsTest {
    private static InjectedFault f(String fault, String target, long startMs, long stopMs) {
        return new InjectedFault(fault, List.of(target), startMs, stopMs);
    }

    @Test
    void chainedOverlapsFormOneGroupAndTouchingOrLoneFaultsNone() {
        InjectedFault net = f("drop-replies", "px-producers", 20_900, 25_900);
        InjectedFault pause = f("pause", "p3", 21_500, 24_900);
        InjectedFault power = f("power-loss", "broker", 22_100, 23_900);
        InjectedFault later = f("delay", "px-processor", 25_500, 27_000);
        InjectedFault touching = f("reset", "px-processor", 27_000, 28_000);
        InjectedFault alone = f("kill", "c2", 40_000, 42_000);
        InjectedFault unhealed = f("stall", "px-producers", 41_000, InjectedFault.NOT_HEALED);

        List<List<InjectedFault>> groups = FaultOverlaps.groups(
                List.of(alone, touching, power, net, later, pause, unhealed), 60_000);

        assertThat(groups).containsExactly(List.of(net, pause, power, later), List.of(alone, unhealed));
        assertThat(FaultOverlaps.describe(groups.get(0), 60_000)).isEqualTo("drop-replies [px-producers] 20.9–25.9 s"
                + " + pause [p3] 21.5–24.9 s + power-loss [broker] 22.1–23.9 s + delay [px-processor] 25.5–27.0 s");
        assertThat(FaultOverlaps.describe(groups.get(1), 60_000)).endsWith("stall [px-producers] 41.0–60.0 s");
        assertThat(FaultOverlaps.pairs(List.of(alone, touching, power, net, later, pause, unhealed), 60_000))
                .containsExactly(new FaultOverlaps.Pair(net, pause), new FaultOverlaps.Pair(net, power),
                        new FaultOverlaps.Pair(net, later), new FaultOverlaps.Pair(pause, power),
                        new FaultOverlaps.Pair(alone, unhealed));
    }

    @Test
    void faultsOneAfterAnotherDoNotOverlap() {
        List<InjectedFault> apart = List.of(f("kill", "c1", 0, 1_000), f("pause", "c2", 1_000, 2_000));
        assertThat(FaultOverlaps.groups(apart, 5_000)).isEmpty();
        assertThat(FaultOverlaps.pairs(apart, 5_000)).isEmpty();
    }
}
