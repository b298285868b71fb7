package io.semel.verify.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.broker.internal.ControlledClock;
import io.semel.log.internal.ForcedLengths;
import io.semel.verify.run.child.ControlledInstantSource;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness drives the broker child's verify-mode switches by name and by file, without compiling against
 * broker or log (nothing depends on broker): the names it passes and the offset it writes must be what the
 * broker side reads, or clock jumps and power cuts silently stop reaching the broker.
 */
class BrokerSwitchesTest {
    @Test
    void theHarnessPassesThePropertyNamesTheBrokerReads() {
        assertThat(ControlledInstantSource.OFFSET_FILE_PROPERTY).isEqualTo(ControlledClock.OFFSET_FILE_PROPERTY);
        assertThat(BrokerNode.FORCED_LENGTHS_PROPERTY).isEqualTo(ForcedLengths.DIR_PROPERTY);
    }

    @Test
    void anOffsetTheHarnessWritesMovesTheBrokersClock(@TempDir Path dir) throws Exception {
        Path file = BrokerNode.clockFile(dir, RunSchedule.BROKER);
        ControlledInstantSource.writeOffset(file, 3_600_000);
        Clock clock;
        System.setProperty(ControlledClock.OFFSET_FILE_PROPERTY, file.toString());
        try {
            clock = ControlledClock.systemOrControlled();
        } finally {
            System.clearProperty(ControlledClock.OFFSET_FILE_PROPERTY);
        }
        long shiftMs = clock.millis() - System.currentTimeMillis();
        assertThat(shiftMs).isBetween(3_600_000L - 1_000, 3_600_000L + 1_000);
    }
}
