package io.semel.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.broker.BrokerConfig;
import io.semel.broker.group.GroupConfig;
import io.semel.protocol.Ack;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Heartbeat;
import io.semel.protocol.JoinGroup;
import io.semel.protocol.LeaveGroup;
import io.semel.protocol.Poll;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * POLL v3's per-member ack durability, over a real topic manager, group log and coordinator: it is
 * reported once durable, and its entry goes with the member (leave, session expiry), so the map is
 * bounded by the members there are.
 */
class GroupAckDurabilityTest {
    private static final long WAIT_S = 10;

    @TempDir
    Path dataDir;
    private TopicManager topics;
    private GroupCoordinator coordinator;
    private final java.util.concurrent.ExecutorService lookups = Executors.newSingleThreadExecutor();

    @BeforeEach
    void start() throws Exception {
        BrokerConfig config = BrokerConfig.builder(dataDir).build();
        topics = TopicManager.open(config, Clock.systemUTC());
        topics.create("t", 1);
        coordinator = GroupCoordinator.start(dataDir, config.logConfig().segmentBytes(),
                config.groupLogCompactBytes(), topics, new NoDeadLetters(), GroupConfig.defaults(), 20, 5_000,
                Clock.systemUTC(), () -> System.nanoTime() / 1_000_000, lookups);
    }

    @AfterEach
    void stop() throws Exception {
        if (coordinator != null) {
            coordinator.close();
        }
        if (topics != null) {
            topics.close();
        }
        lookups.shutdownNow();
    }

    private String join(int sessionTimeoutMs) throws Exception {
        JoinGroup.Response r = coordinator.joinGroup(new JoinGroup.Request("g", "t", null, sessionTimeoutMs))
                .get(WAIT_S, TimeUnit.SECONDS);
        assertThat(r.error()).isEqualTo(ErrorCode.NONE);
        return r.memberId();
    }

    /** A v3 poll carrying one ack (of an offset never delivered: applied as OFFSET_OUT_OF_RANGE, still numbered). */
    private Poll.Response pollWithAck(String member, long sequence) throws Exception {
        return coordinator.poll(new Poll.Request("g", member, 10, 0, List.of(new Ack.Item(0, 1, 5)), sequence))
                .get(WAIT_S, TimeUnit.SECONDS);
    }

    @Test
    void ackDurabilityIsReportedAndItsEntryLeavesWithTheMember() throws Exception {
        String m = join(10_000);
        assertThat(pollWithAck(m, 1).ackResults()).extracting(Ack.Result::error)
                .containsExactly(ErrorCode.OFFSET_OUT_OF_RANGE);
        assertThat(coordinator.heartbeat(new Heartbeat.Request("g", m)).get(WAIT_S, TimeUnit.SECONDS).error())
                .isEqualTo(ErrorCode.NONE);
        Poll.Response next = coordinator.poll(new Poll.Request("g", m, 10, 0)).get(WAIT_S, TimeUnit.SECONDS);
        assertThat(next.acksDurableThrough()).isEqualTo(1);
        assertThat(coordinator.membersWithAckDurability()).isEqualTo(1);

        assertThat(coordinator.leaveGroup(new LeaveGroup.Request("g", m)).get(WAIT_S, TimeUnit.SECONDS).error())
                .isEqualTo(ErrorCode.NONE);
        assertThat(coordinator.membersWithAckDurability()).as("gone with the member that left").isZero();
    }

    @Test
    void theEntryOfAnExpiredMemberGoesWithIt() throws Exception {
        String m = join((int) GroupConfig.defaults().sessionTimeoutMinMs()); // the shortest a join may ask
        pollWithAck(m, 1);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (coordinator.membersWithAckDurability() > 0 && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertThat(coordinator.membersWithAckDurability()).as("gone with the expired member").isZero();
        assertThat(coordinator.heartbeat(new Heartbeat.Request("g", m)).get(WAIT_S, TimeUnit.SECONDS).error())
                .isEqualTo(ErrorCode.UNKNOWN_GROUP_MEMBER);
    }
}
