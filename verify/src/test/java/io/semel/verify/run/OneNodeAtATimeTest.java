package io.semel.verify.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The Kafka cluster's turn: one node fault at a time, and a rested take waits for the cluster to be whole. */
class OneNodeAtATimeTest {
    private final Set<String> down = ConcurrentHashMap.newKeySet();
    private final AtomicLong nowMs = new AtomicLong(1_000_000);
    private final OneNodeAtATime turns = new OneNodeAtATime(List.of("k1", "k2", "k3"), n -> !down.contains(n),
            nowMs::get);

    @Test
    void aSecondFaultCannotTakeTheTurnUntilTheFirstsNodeIsUpAgain() throws Exception {
        turns.take("k1", 0, 0);
        down.add("k1");
        assertThatThrownBy(() -> turns.take("k2", 0, 0)).isInstanceOf(IOException.class)
                .hasMessageContaining("not hitting k2").hasMessageContaining("a fault on k1 still holds the turn");
        down.remove("k1");
        assertThatThrownBy(() -> turns.take("k2", 0, 0)).as("up, but its fault has not healed it yet")
                .hasMessageContaining("holds the turn");
        turns.upAgain("k2"); // a heal of a node that does not hold the turn changes nothing
        assertThat(turns.holder()).isEqualTo("k1");
        turns.upAgain("k1");
        turns.take("k2", 0, 0);
        assertThat(turns.holder()).isEqualTo("k2");
    }

    @Test
    void aPlannedFaultWaitsOnlyForTheOtherNodesAndARestedOneForTheWholeClusterToHaveRested() throws Exception {
        down.add("k3");
        assertThatThrownBy(() -> turns.take("k1", 0, 0)).hasMessageContaining("k3 is still down or paused");
        turns.take("k3", 0, 0); // its own node down does not stop it (as before the turn)
        turns.upAgain("k3");
        down.remove("k3");
        assertThatThrownBy(() -> turns.take("k1", 4_000, 0)).hasMessageContaining("not been whole for 4000 ms yet (0 ms)");
        nowMs.addAndGet(3_999);
        assertThatThrownBy(() -> turns.take("k1", 4_000, 0)).hasMessageContaining("(3999 ms)");
        nowMs.addAndGet(1);
        turns.take("k1", 4_000, 0);
        assertThat(turns.holder()).isEqualTo("k1");
    }

    @Test
    void theControllerIsNamedAfterTheTurnIsTakenAndAFailedHitGivesTheTurnBack() throws Exception {
        down.add("k2");
        assertThatThrownBy(() -> turns.take(null, 0, 0)).as("the controller: every node must be up")
                .hasMessageContaining("k2 is still down");
        down.remove("k2");
        turns.take(null, 0, 0);
        turns.resolved("k2");
        assertThat(turns.holder()).isEqualTo("k2");
        turns.abandon();
        assertThat(turns.holder()).isNull();
        turns.take("k1", 0, 0);
        turns.clear();
        assertThat(turns.holder()).as("the final heal").isNull();
    }
}
