package io.semel.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.protocol.ApiResponse;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Produce;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProduceDeadlinesTest {
    private long nowNanos = 1_000_000_000L;
    private final List<Runnable> scheduled = new ArrayList<>();
    private final ProduceDeadlines deadlines = new ProduceDeadlines((task, delayMs) -> {
        assertThat(delayMs).isEqualTo(ProduceDeadlines.SWEEP_INTERVAL_MS);
        scheduled.add(task);
    }, () -> nowNanos);

    private void advanceMs(long ms) {
        nowNanos += TimeUnit.MILLISECONDS.toNanos(ms);
    }

    /** Runs the one scheduled sweep, as the event loop would. */
    private void runSweep() {
        assertThat(scheduled).as("scheduled sweeps").hasSize(1);
        Runnable sweep = scheduled.remove(0);
        sweep.run();
    }

    private static ApiResponse ok() {
        return new Produce.Response(ErrorCode.NONE, null, 0, 0, false);
    }

    @Test
    void manyRequestsShareOneScheduledSweepInsteadOfATimerEach() {
        for (int i = 0; i < 1000; i++) {
            deadlines.add(new CompletableFuture<>(), 30_000);
        }
        assertThat(scheduled).hasSize(1);
    }

    @Test
    void anAnswerNotCompleteByItsDeadlineGetsTimeoutAndAnAnsweredOneIsLeftAlone() {
        CompletableFuture<ApiResponse> answered = new CompletableFuture<>();
        CompletableFuture<ApiResponse> stuck = new CompletableFuture<>();
        deadlines.add(answered, 100);
        deadlines.add(stuck, 100);
        answered.complete(ok());
        advanceMs(ProduceDeadlines.SWEEP_INTERVAL_MS);
        runSweep();
        assertThat(stuck).as("before its deadline").isNotDone();
        assertThat(deadlines.size()).as("the answered head left the queue").isEqualTo(1);
        advanceMs(100);
        runSweep();
        assertThat(stuck.join().error()).isEqualTo(ErrorCode.TIMEOUT);
        assertThat(answered.join().error()).isEqualTo(ErrorCode.NONE);
        assertThat(deadlines.size()).isZero();
        assertThat(scheduled).as("no sweep while nothing waits").isEmpty();
    }

    @Test
    void aShortTimeoutExpiresBehindALongerOneStillWaiting() {
        CompletableFuture<ApiResponse> slow = new CompletableFuture<>();
        CompletableFuture<ApiResponse> fast = new CompletableFuture<>();
        deadlines.add(slow, 30_000);
        deadlines.add(fast, 100);
        advanceMs(150);
        runSweep();
        assertThat(fast.join().error()).isEqualTo(ErrorCode.TIMEOUT);
        assertThat(slow).isNotDone();
        assertThat(scheduled).as("a sweep stays scheduled for the waiting one").hasSize(1);
    }

    @Test
    void anAnswerCompletedAfterItsTimeoutKeepsTheTimeout() {
        CompletableFuture<ApiResponse> late = new CompletableFuture<>();
        deadlines.add(late, 100);
        advanceMs(100);
        runSweep();
        late.complete(ok()); // the append became durable after the TIMEOUT: the client already retries
        assertThat(late.join().error()).isEqualTo(ErrorCode.TIMEOUT);
    }
}
