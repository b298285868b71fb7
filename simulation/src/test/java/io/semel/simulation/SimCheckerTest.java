package io.semel.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.protocol.LogRecord;
import io.semel.protocol.Produce;
import io.semel.protocol.RecordBatch;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Each invariant of {@link SimChecker} caught on a planted log and history. */
class SimCheckerTest {
    private final SimClock clock = new SimClock();
    private final Scheduler scheduler = new Scheduler(clock);
    private final SimConfig config = new SimConfig(1, new SplittableRandom(1), false, false);
    private final SimBroker broker = new SimBroker(scheduler, clock, new SplittableRandom(2), config);
    private final SimHistory history = new SimHistory();
    private final SimChecker checker = new SimChecker(config.partitions);

    SimCheckerTest() {
        config.heal();
        broker.start();
    }

    /** Appends {@code id} to partition 0 without a producer id (no dedup), and runs the round to the end. */
    private void plant(String id) {
        RecordBatch b = RecordBatch.of(0, List.of(new LogRecord(null, id.getBytes(StandardCharsets.UTF_8), List.of())));
        broker.produce(new Produce.Request(SimBroker.TOPIC, 0, 0, b), r -> { });
        while (scheduler.step()) {
            // the group-commit round and its force
        }
    }

    @Test
    void aConsistentLogPasses() {
        history.sent("a");
        plant("a");
        history.confirmed("a", 0, 0, 1);
        assertThat(checker.check(broker, history)).isEmpty();
    }

    @Test
    void aRecordTwiceIsADuplicate() {
        history.sent("a");
        plant("a");
        plant("a");
        history.unknown("a");
        assertThat(checker.check(broker, history)).singleElement().asString().startsWith("DUPLICATE: record a");
    }

    @Test
    void aConfirmedRecordMissingFromTheLogIsLost() {
        history.sent("a");
        history.confirmed("a", 0, 0, 1);
        assertThat(checker.check(broker, history)).singleElement().asString().startsWith("LOST: record a");
    }

    @Test
    void aConfirmedRecordAtAnotherOffsetIsReported() {
        history.sent("x");
        history.sent("a");
        plant("x");
        plant("a");
        history.confirmed("a", 0, 0, 1);
        assertThat(checker.check(broker, history)).singleElement().asString()
                .contains("confirmed at 0@0 but is in the log at 0@1");
    }

    @Test
    void aDefinitelyFailedRecordInTheLogIsReportedEvenWhenItLandsLater() {
        history.sent("a");
        history.failed("a", 1, "refused");
        assertThat(checker.check(broker, history)).isEmpty();
        plant("a");
        assertThat(checker.check(broker, history)).singleElement().asString()
                .contains("record a failed definitely (refused) but is in the log");
    }

    @Test
    void aRecordNobodySentIsReported() {
        plant("ghost");
        assertThat(checker.check(broker, history)).singleElement().asString().contains("was never sent");
    }
}
