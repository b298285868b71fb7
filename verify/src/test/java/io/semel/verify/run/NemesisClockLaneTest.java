package io.semel.verify.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.verify.history.EventValue;
import io.semel.verify.history.Guarantee;
import io.semel.verify.process.PowerCut;
import io.semel.verify.schedule.FaultKind;
import io.semel.verify.schedule.FaultSchedule;
import io.semel.verify.schedule.TimedFault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A clock jump only writes its target's clock-offset file, so it must not wait behind the target's slow restart: in
 * a 48-minute soak two clock jumps on processors queued behind kills and restarts, came too late, were skipped, and
 * the run was trivial. Here the broker's restart blocks; the clock jump planned after it still takes effect on time.
 */
class NemesisClockLaneTest {
    @Test
    void aClockJumpDoesNotWaitBehindItsTargetsRestart(@TempDir Path dir) throws Exception {
        AtomicLong nowNs = new AtomicLong(1_000_000_000L);
        TimedFault kill = new TimedFault(FaultKind.KILL, "broker", 1_000, 2_000, 0);
        TimedFault jump = new TimedFault(FaultKind.CLOCK_JUMP, "broker", 3_000, 60_000, 1);
        FaultSchedule schedule = new FaultSchedule(1, 60_000, List.of(), List.of(kill, jump));
        CountDownLatch restartMayFinish = new CountDownLatch(1);
        RestartBlocksBrokers brokers = new RestartBlocksBrokers(restartMayFinish);
        RunHistory history = new RunHistory(dir.resolve("history.jsonl"), nowNs::get,
                new EventValue.Header(Guarantee.EXACTLY_ONCE, List.of()), 60);
        history.markStart();
        // 1.5 s in, and the test's clock stands still: the kill is due now; the dispatcher sleeps (real time) 0.5 s
        // to the restart, which blocks, and 1.5 s to the clock jump, whose window is still open.
        nowNs.addAndGet(1_500_000_000L);
        Nemesis nemesis = new Nemesis(schedule, Map.of(), brokers, Map.of(), Map.of(), history, 1, dir, line -> { });
        nemesis.start();
        try {
            assertThat(brokers.restarting.await(5, TimeUnit.SECONDS)).isTrue();
            Path offset = BrokerNode.clockFile(dir, "broker");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!Files.exists(offset) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(offset).as("the clock jump ran while the restart was still blocked").exists();
            assertThat(Long.parseLong(Files.readString(offset).trim())).isNotZero();
        } finally {
            restartMayFinish.countDown();
            nemesis.interrupt();
            history.close();
        }
    }

    @Test
    void onlyClockJumpsHaveTheirOwnLane() {
        assertThat(Nemesis.lane(new TimedFault(FaultKind.CLOCK_JUMP, "c1", 0, 1, 0))).isEqualTo("c1-clock");
        for (FaultKind k : List.of(FaultKind.KILL, FaultKind.PAUSE, FaultKind.POWER_LOSS, FaultKind.STALL)) {
            assertThat(Nemesis.lane(new TimedFault(k, "c1", 0, 1, 0))).isEqualTo("c1");
        }
    }

    /** A broker whose kill returns at once and whose restart waits for the test. */
    private static final class RestartBlocksBrokers implements Brokers {
        final CountDownLatch restarting = new CountDownLatch(1);
        private final CountDownLatch mayFinish;

        RestartBlocksBrokers(CountDownLatch mayFinish) {
            this.mayFinish = mayFinish;
        }

        @Override
        public boolean isBroker(String target) {
            return target.equals("broker");
        }

        @Override
        public String kill(String target) {
            return "pid 1";
        }

        @Override
        public String pause(String target) {
            return "pid 1";
        }

        @Override
        public void resume(String target) {
        }

        @Override
        public void ensureRunning(String target) {
            restarting.countDown();
            try {
                mayFinish.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public List<PowerCut.Cut> powerLoss(String target, Random random) {
            return List.of();
        }

        @Override
        public void heal() {
        }

        @Override
        public void close() {
        }
    }
}
