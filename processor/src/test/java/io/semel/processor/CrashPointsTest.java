package io.semel.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The crash-point plan without halting: which hit of which step would halt. */
class CrashPointsTest {
    private static List<Long> hits(CrashPoints.Plan plan, String name, int times) {
        List<Long> halts = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            long h = plan.hit(name);
            if (h > 0) {
                halts.add(h);
            }
        }
        return halts;
    }

    @Test
    void nothingEnabledNeverHalts() {
        CrashPoints.Plan plan = new CrashPoints.Plan("", 1, 1);
        for (String name : CrashPoints.NAMES) {
            assertThat(hits(plan, name, 10)).isEmpty();
        }
    }

    @Test
    void aPlainNameHaltsAtTheFirstHitWithProbabilityOne() {
        CrashPoints.Plan plan = new CrashPoints.Plan(" relay.afterAssignBeforeSend , afterCommitBeforeAck", 1, 1);
        assertThat(hits(plan, CrashPoints.RELAY_AFTER_ASSIGN_BEFORE_SEND, 1)).containsExactly(1L);
        assertThat(hits(plan, CrashPoints.AFTER_COMMIT_BEFORE_ACK, 1)).containsExactly(1L);
        assertThat(hits(plan, CrashPoints.AFTER_HANDLER_BEFORE_COMMIT, 5)).isEmpty();
    }

    @Test
    void nameAtNHaltsAtExactlyTheNthHitIgnoringTheProbability() {
        CrashPoints.Plan plan = new CrashPoints.Plan("snapshot.afterTempWriteBeforeRename@3", 0, 1);
        assertThat(hits(plan, CrashPoints.SNAPSHOT_AFTER_TEMP_WRITE_BEFORE_RENAME, 10)).containsExactly(3L);
    }

    @Test
    void aProbabilityIsReplayableBySeed() {
        List<Long> first = hits(new CrashPoints.Plan("afterHandlerBeforeCommit", 0.1, 42), "afterHandlerBeforeCommit",
                1_000);
        List<Long> again = hits(new CrashPoints.Plan("afterHandlerBeforeCommit", 0.1, 42), "afterHandlerBeforeCommit",
                1_000);
        assertThat(first).isEqualTo(again);
        assertThat(first.size()).isBetween(50, 150);
    }

    @Test
    void unknownNamesAndBadHitNumbersAreRefused() {
        assertThatThrownBy(() -> new CrashPoints.Plan("afterCommitBeforeAk", 1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown step 'afterCommitBeforeAk'");
        assertThatThrownBy(() -> new CrashPoints.Plan("afterCommitBeforeAck@0", 1, 1))
                .hasMessageContaining("must be an integer >= 1");
        assertThatThrownBy(() -> new CrashPoints.Plan("afterCommitBeforeAck@x", 1, 1))
                .hasMessageContaining("must be an integer >= 1");
        assertThatThrownBy(() -> new CrashPoints.Plan("", 1.5, 1)).hasMessageContaining("0..1");
    }
}
