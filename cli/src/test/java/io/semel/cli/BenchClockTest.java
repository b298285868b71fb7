package io.semel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BenchClockTest {

    @Test
    void withoutAWarmUpTheClockStartsAtOnceAndSaysSo() throws InterruptedException {
        long t0 = System.nanoTime();
        BenchClock clock = BenchClock.start(false);
        assertThat((System.nanoTime() - t0) / 1_000_000).as("no wait for the JIT").isLessThan(BenchClock.JIT_QUIET_MS);
        Thread.sleep(20);

        BenchClock.Stopped stopped = clock.stop();

        assertThat(stopped.seconds()).isGreaterThanOrEqualTo(0.02);
        assertThat(stopped.jvmLine()).matches("no warm-up; this JVM in the timed part: JIT compiling \\d+ ms, \\d+ GCs? "
                + "\\d+ ms");
    }

    @Test
    void afterAWarmUpTheLineSaysHowTheWaitForTheJitEnded() throws InterruptedException {
        BenchClock.Stopped stopped = BenchClock.start(true).stop();

        assertThat(stopped.jvmLine()).matches("before the clock: JIT (quiet|still compiling) after [0-9,]+ ms; this JVM "
                + "in the timed part: JIT compiling \\d+ ms, \\d+ GCs? \\d+ ms");
    }
}
