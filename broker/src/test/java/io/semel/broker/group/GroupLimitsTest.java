package io.semel.broker.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.protocol.ErrorCode;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class GroupLimitsTest {
    private static final GroupConfig SMALL = GroupConfig.builder().membersMax(2).groupsMax(2).acksPerRequestMax(3)
            .pollMessagesMax(50).nackErrorBytesMax(8).build();

    private final GroupRegistry registry = new GroupRegistry(SMALL);

    @Test
    void configRejectsNonsenseNamingTheField() {
        assertThatThrownBy(() -> GroupConfig.builder().maxDeliveries(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDeliveries");
        assertThatThrownBy(() -> GroupConfig.builder().sessionTimeoutMs(500).build())
                .hasMessageContaining("sessionTimeoutMs (500)");
        assertThatThrownBy(() -> GroupConfig.builder().nackBackoffMs(5_000).nackBackoffMaxMs(1_000).build())
                .hasMessageContaining("nackBackoffMaxMs");
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        GroupConfig d = GroupConfig.defaults();
        assertThat(d.ackTimeoutMs()).isEqualTo(30_000);
        assertThat(d.maxDeliveries()).isEqualTo(5);
        assertThat(d.sessionTimeoutMs()).isEqualTo(10_000);
        assertThat(d.nackBackoffMs()).isEqualTo(100);
        assertThat(d.nackBackoffMaxMs()).isEqualTo(10_000);
        assertThat(d.maxUnackedPerMember()).isEqualTo(10_000);
        assertThat(d.nackBackoffMs(1)).isEqualTo(100);
        assertThat(d.nackBackoffMs(4)).isEqualTo(800);
        assertThat(d.nackBackoffMs(60)).isEqualTo(10_000);
    }

    @Test
    void groupNamesFollowTopicNameRules() {
        assertThat(registry.join("bad name", "c", "t", 1, 0, 0).errorMessage()).contains("illegal character ' '");
        assertThat(registry.join("", "c", "t", 1, 0, 0).error()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(registry.join("x".repeat(250), "c", "t", 1, 0, 0).errorMessage()).contains("250 characters");
        assertThat(registry.join("ok.name_1-2", "c", "t", 1, 0, 0).error()).isEqualTo(ErrorCode.NONE);
        assertThat(registry.join("g", "c", "t".repeat(246), 1, 0, 0).errorMessage()).contains("'<topic>.dlq'");
    }

    @Test
    void groupsMaxAndMembersMaxAreEnforced() {
        assertThat(registry.join("g1", "c", "t", 1, 0, 0).isOk()).isTrue();
        assertThat(registry.join("g2", "c", "t", 1, 0, 0).isOk()).isTrue();
        Decision<MemberView> third = registry.join("g3", "c", "t", 1, 0, 0);
        assertThat(third.errorMessage()).contains("groupsMax");
        assertThat(registry.groupNames()).containsExactly("g1", "g2");

        assertThat(registry.join("g1", "c", "t", 1, 0, 0).isOk()).isTrue();
        assertThat(registry.join("g1", "c", "t", 1, 0, 0).errorMessage()).contains("membersMax");
    }

    @Test
    void aGroupConsumesOneTopicAndSessionTimeoutsAreBounded() {
        registry.join("g1", "c", "orders", 2, 0, 0);
        Decision<MemberView> other = registry.join("g1", "c", "payments", 2, 0, 0);
        assertThat(other.error()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(other.errorMessage()).contains("consumes topic 'orders'");
        assertThat(registry.join("g1", "c", "orders", 2, 999, 0).errorMessage()).contains("session timeout 999 ms");
        assertThat(registry.join("g1", "c", "orders", 2, 300_001, 0).error()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(registry.join("g1", "bad client", "orders", 2, 0, 0).errorMessage()).contains("client id");
    }

    @Test
    void firstJoinCreatesTheGroupRecordFirstAndARefusedFirstJoinLeavesNoGroup() {
        assertThat(registry.join("g1", "bad client", "orders", 2, 0, 0).isOk()).isFalse();
        assertThat(registry.groupNames()).isEmpty();
        Decision<MemberView> d = registry.join("g1", "c", "orders", 2, 0, 0);
        assertThat(d.records().get(0)).isEqualTo(new GroupRecord.GroupCreated("g1", "orders", 2));
        assertThat(registry.join("g1", "c", "orders", 2, 0, 0).records())
                .noneMatch(r -> r instanceof GroupRecord.GroupCreated);
    }

    @Test
    void requestSizeLimitsAreEnforced() {
        String m = registry.join("g1", "c", "orders", 1, 0, 0).reply().memberId();
        GroupState g = registry.group("g1").orElseThrow();
        Decision<List<ErrorCode>> tooMany = g.ack(m, Collections.nCopies(4, new AckItem(0, 1, 0)));
        assertThat(tooMany.errorMessage()).contains("acksPerRequestMax 3");
        assertThat(g.poll(m, 51, 0, new TestLog(1)).errorMessage()).contains("pollMessagesMax");
        assertThat(g.poll(m, 0, 0, new TestLog(1)).error()).isEqualTo(ErrorCode.INVALID_REQUEST);

        TestLog log = new TestLog(1).append(0, 1);
        Delivery d = g.poll(m, 1, 0, log).reply().get(0);
        Decision<List<ErrorCode>> longText = g.nack(m, List.of(new NackItem(0, d.leaseEpoch(), 0, "123456789")), 0);
        assertThat(longText.reply()).containsExactly(ErrorCode.INVALID_REQUEST);
        assertThat(g.slotState(0, 0)).contains(SlotState.DELIVERED);
    }

    @Test
    void slotTransitionsAreOnlyThoseInTheTable() {
        assertThat(SlotState.DELIVERED.canMoveTo(SlotState.ACKED)).isTrue();
        assertThat(SlotState.DUE.canMoveTo(SlotState.DEAD_LETTER_PENDING)).isFalse();
        assertThat(SlotState.DEAD_LETTER_PENDING.canMoveTo(SlotState.ACKED)).isFalse();
        assertThat(SlotState.ACKED.isTerminal()).isTrue();
        DeliverySlot s = new DeliverySlot(0, SlotState.DEAD_LETTER_PENDING, 1);
        assertThatThrownBy(() -> s.moveTo(SlotState.ACKED)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("DEAD_LETTER_PENDING -> ACKED");
    }
}
