package io.semel.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.broker.BrokerConfig;
import io.semel.broker.group.GroupConfig;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.JoinGroup;
import io.semel.protocol.LeaveGroup;
import io.semel.protocol.ResetGroup;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TIMESTAMP reset computes its targets off the coordinator thread and applies them on it: what
 * changed in between must be checked again there. Real topic manager, group log and coordinator;
 * the scan executor is held shut so the change lands deterministically inside the window.
 */
class GroupResetRaceTest {
    private static final long WAIT_S = 10;

    @TempDir
    Path dataDir;
    private TopicManager topics;
    private GroupCoordinator coordinator;
    private final CountDownLatch scanMayRun = new CountDownLatch(1);
    /** Tasks handed to the scan executor (the first is the test's own gate). */
    private final Semaphore scansQueued = new Semaphore(0);

    @BeforeEach
    void start() throws Exception {
        BrokerConfig config = BrokerConfig.builder(dataDir).build();
        topics = TopicManager.open(config, Clock.systemUTC());
        topics.create("t", 1);
        topics.create("u", 2);
        ExecutorService lookups = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>()) {
            @Override
            public void execute(Runnable task) {
                super.execute(task);
                scansQueued.release();
            }
        };
        lookups.execute(() -> {
            try {
                scanMayRun.await(); // every scan queues behind this until the test lets it go
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        coordinator = GroupCoordinator.start(dataDir, config.logConfig().segmentBytes(),
                config.groupLogCompactBytes(), topics, new NoDeadLetters(), GroupConfig.defaults(), 100, 5_000,
                Clock.systemUTC(), () -> System.nanoTime() / 1_000_000, lookups);
    }

    @AfterEach
    void stop() throws Exception {
        scanMayRun.countDown();
        if (coordinator != null) {
            coordinator.close();
        }
        if (topics != null) {
            topics.close();
        }
    }

    /** A TIMESTAMP reset of g on t, returned once its first checks passed and its scan is queued (held). */
    private CompletableFuture<ResetGroup.Response> timestampReset() throws InterruptedException {
        assertThat(scansQueued.tryAcquire(WAIT_S, TimeUnit.SECONDS)).as("the gate task").isTrue();
        CompletableFuture<ResetGroup.Response> reset = coordinator.resetGroup(new ResetGroup.Request("g", "t",
                ResetGroup.Request.ALL_PARTITIONS, ResetGroup.Mode.TIMESTAMP, 0));
        assertThat(scansQueued.tryAcquire(WAIT_S, TimeUnit.SECONDS)).as("the reset's scan is queued").isTrue();
        assertThat(reset).isNotDone();
        return reset;
    }

    @Test
    void aTimestampResetIsRefusedWhenItsTopicIsRecreatedWhileItsTargetsAreComputed() throws Exception {
        CompletableFuture<ResetGroup.Response> reset = timestampReset();
        topics.delete("t", coordinator::deleteGroupsOn, 5_000);
        topics.create("t", 1);

        scanMayRun.countDown();
        ResetGroup.Response answer = reset.get(WAIT_S, TimeUnit.SECONDS);

        assertThat(answer.error()).as(answer.errorMessage()).isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(answer.errorMessage()).contains("re-created");
    }

    @Test
    void aTimestampResetIsRefusedWhenItsGroupTakesAnotherTopicWhileItsTargetsAreComputed() throws Exception {
        CompletableFuture<ResetGroup.Response> reset = timestampReset();
        JoinGroup.Response joined = coordinator.joinGroup(new JoinGroup.Request("g", "u", null, 10_000))
                .get(WAIT_S, TimeUnit.SECONDS);
        assertThat(joined.error()).isEqualTo(ErrorCode.NONE);
        assertThat(coordinator.leaveGroup(new LeaveGroup.Request("g", joined.memberId()))
                .get(WAIT_S, TimeUnit.SECONDS).error()).isEqualTo(ErrorCode.NONE);

        scanMayRun.countDown();
        ResetGroup.Response answer = reset.get(WAIT_S, TimeUnit.SECONDS);

        assertThat(answer.error()).as(answer.errorMessage()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(answer.errorMessage()).contains("consumes topic 'u'");
    }

    /** Refused by the re-check and, behind it, by {@code GroupState.reset} itself. */
    @Test
    void aTimestampResetIsRefusedWhenAMemberJoinedWhileItsTargetsAreComputed() throws Exception {
        CompletableFuture<ResetGroup.Response> reset = timestampReset();
        assertThat(coordinator.joinGroup(new JoinGroup.Request("g", "t", null, 10_000)).get(WAIT_S, TimeUnit.SECONDS)
                .error()).isEqualTo(ErrorCode.NONE);

        scanMayRun.countDown();

        assertThat(reset.get(WAIT_S, TimeUnit.SECONDS).error()).isEqualTo(ErrorCode.GROUP_NOT_EMPTY);
    }
}
