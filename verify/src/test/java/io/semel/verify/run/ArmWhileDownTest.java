package io.semel.verify.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.verify.history.EventValue;
import io.semel.verify.history.Guarantee;
import io.semel.verify.schedule.FaultKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash point armed while its processor is down waits for it (docs/kafka.md, Faults): the harness does not start
 * the process for the fault, its next generation is armed from its start, and a {@code crash-after-claim} on a
 * generation armed at its start does not restart it again (it claims on joining). Real child JVMs.
 */
class ArmWhileDownTest {
    @Test
    void aFaultArmedWhileTheProcessIsHeldDownWaitsForItsNextGenerationAndDoesNotRestartIt(@TempDir Path dir)
            throws Exception {
        try (RunHistory history = new RunHistory(dir.resolve("history.jsonl"), System::nanoTime,
                new EventValue.Header(Guarantee.EXACTLY_ONCE, List.of()), 60);
                EventSink sink = EventSink.start(history)) {
            ProcessorNode c1 = new ProcessorNode("c1", ArmedMain.class.getName(), "READY",
                    List.of("--events", "127.0.0.1:" + sink.address().getPort()), Map.of(), dir, sink, history, e -> { });
            try (c1) {
                c1.start();
                assertThat(c1.generation()).isEqualTo(1);
                c1.killAndHold();
                // Down and held by a kill: arming neither fails the run nor starts the process behind the kill's back.
                assertThat(c1.arm(FaultKind.CRASH_AFTER_CLAIM)).isFalse();
                assertThat(c1.generation()).isEqualTo(1);
                assertThat(c1.alive()).isFalse();
                c1.release();
                assertThat(c1.generation()).isEqualTo(2);
                assertThat(Files.readString(dir.resolve("c1").resolve("stdout.log")))
                        .contains("ARMED-AT-START crash-after-claim");
                // Armed at its start: it claims on joining, so arming it again restarts nothing.
                assertThat(c1.arm(FaultKind.CRASH_AFTER_CLAIM)).isTrue();
                assertThat(c1.generation()).isEqualTo(2);
            }
        }
    }
}
