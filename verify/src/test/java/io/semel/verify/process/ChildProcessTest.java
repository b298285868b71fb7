package io.semel.verify.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildProcessTest {
    @TempDir
    Path runDir;
    private final List<ProcessEvent> events = new CopyOnWriteArrayList<>();

    private ChildSpec counter(String... args) {
        return ChildSpec.of("c1", CounterMain.class.getName(), runDir, "READY")
                .withArgs(List.of(args))
                .withSystemProperties(Map.of("semel.test.prop", "x7"))
                .withHeapMb(64)
                .withReadyTimeout(Duration.ofSeconds(20));
    }

    private long lastTick(ChildSpec spec) throws IOException {
        List<String> ticks = Files.readAllLines(spec.stdout()).stream().filter(l -> l.startsWith("tick ")).toList();
        return ticks.isEmpty() ? 0 : Long.parseLong(ticks.get(ticks.size() - 1).substring(5).trim());
    }

    private long ticks(ChildSpec spec) throws IOException {
        return Files.readAllLines(spec.stdout()).stream().filter(l -> l.startsWith("tick ")).count();
    }

    private static void await(ThrowingCondition c, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!c.holds()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    interface ThrowingCondition {
        boolean holds() throws Exception;
    }

    @Test
    void startWaitsForTheReadinessLineAndPassesArgsAndProperties() throws Exception {
        ChildSpec spec = counter("a", "b");
        try (ChildProcess c = ChildProcess.start(spec, events::add)) {
            assertThat(c.isAlive()).isTrue();
            assertThat(Files.readAllLines(spec.stdout())).contains("READY a,b prop=x7");
            assertThat(events).singleElement().satisfies(e -> {
                assertThat(e.action()).isEqualTo(ProcessAction.START);
                assertThat(e.ok()).isTrue();
                assertThat(e.pid()).isEqualTo(c.pid());
            });
            assertThat(c.command()).contains("-Xmx64m", "-Dsemel.test.prop=x7");
        }
    }

    @Test
    void killStopsTheProcessWithSigkill() throws Exception {
        ChildSpec spec = counter();
        try (ChildProcess c = ChildProcess.start(spec, events::add)) {
            c.kill();
            assertThat(c.isAlive()).isFalse();
            assertThat(c.exitCode()).hasValue(137);
            long after = ticks(spec);
            Thread.sleep(100);
            assertThat(ticks(spec)).isEqualTo(after);
            c.kill();
        }
        assertThat(events).extracting(ProcessEvent::action, ProcessEvent::ok).containsExactly(
                org.assertj.core.groups.Tuple.tuple(ProcessAction.START, true),
                org.assertj.core.groups.Tuple.tuple(ProcessAction.KILL, true),
                org.assertj.core.groups.Tuple.tuple(ProcessAction.KILL, false));
    }

    @Test
    void pauseFreezesTheCounterAndResumeContinuesIt() throws Exception {
        ChildSpec spec = counter();
        try (ChildProcess c = ChildProcess.start(spec, events::add)) {
            await(() -> lastTick(spec) >= 3, "a few ticks");
            c.pause();
            assertThat(c.isPaused()).isTrue();
            Thread.sleep(100); // let a line in flight land
            long frozen = lastTick(spec);
            Thread.sleep(300);
            assertThat(lastTick(spec)).as("no tick while stopped").isEqualTo(frozen);
            assertThat(c.isAlive()).isTrue();
            c.resume();
            await(() -> lastTick(spec) > frozen + 3, "ticks after resume");
            assertThat(c.isPaused()).isFalse();
        }
        assertThat(events).extracting(ProcessEvent::action)
                .containsExactly(ProcessAction.START, ProcessAction.PAUSE, ProcessAction.RESUME);
    }

    @Test
    void killWorksOnAPausedProcess() throws Exception {
        try (ChildProcess c = ChildProcess.start(counter(), events::add)) {
            c.pause();
            c.kill();
            assertThat(c.isAlive()).isFalse();
            assertThatThrownBy(c::resume).isInstanceOf(IllegalStateException.class).hasMessageContaining("not running");
        }
    }

    @Test
    void restartGivesANewPidWithTheSameIdentity() throws Exception {
        ChildSpec spec = counter("--id", "c1");
        try (ChildProcess c = ChildProcess.start(spec, events::add)) {
            long first = c.pid();
            c.restart();
            assertThat(c.pid()).isNotEqualTo(first);
            assertThat(c.isAlive()).isTrue();
            assertThat(ProcessHandle.of(first).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(Files.readAllLines(spec.stdout()).stream().filter(l -> l.startsWith("READY")))
                    .as("both lives append to the same file with the same args")
                    .containsExactly("READY --id,c1 prop=x7", "READY --id,c1 prop=x7");
            ProcessEvent restart = events.get(events.size() - 1);
            assertThat(restart.action()).isEqualTo(ProcessAction.RESTART);
            assertThat(restart.pid()).isEqualTo(c.pid());
            assertThat(restart.detail()).contains("killed pid " + first);
        }
    }

    @Test
    void aChildThatExitsEarlyIsReportedWithItsExitCodeAndStderr() {
        assertThatThrownBy(() -> ChildProcess.start(counter("--fail"), events::add))
                .isInstanceOf(IOException.class).hasMessageContaining("exited with code 3")
                .hasMessageContaining("refusing to start");
        assertThat(events).singleElement().extracting(ProcessEvent::ok).isEqualTo(false);
    }

    @Test
    void aChildThatNeverGetsReadyIsKilledAfterTheTimeout() {
        ChildSpec spec = counter("--silent").withReadyTimeout(Duration.ofMillis(500));
        assertThatThrownBy(() -> ChildProcess.start(spec, events::add))
                .isInstanceOf(IOException.class).hasMessageContaining("within 500 ms");
    }
}
