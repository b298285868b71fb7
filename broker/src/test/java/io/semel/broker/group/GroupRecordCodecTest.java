package io.semel.broker.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.broker.group.CorruptGroupRecordException.Reason;
import io.semel.broker.group.GroupRecord.AckFloor;
import io.semel.broker.group.GroupRecord.DeadLetterRequested;
import io.semel.broker.group.GroupRecord.Delivered;
import io.semel.broker.group.GroupRecord.GroupCreated;
import io.semel.broker.group.GroupRecord.LeaseGranted;
import io.semel.broker.group.GroupRecord.MemberIdIssued;
import io.semel.broker.group.GroupRecord.Released;
import io.semel.broker.group.GroupRecord.SettleReason;
import io.semel.broker.group.GroupRecord.Settled;
import io.semel.protocol.Protocol;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class GroupRecordCodecTest {
    private static final List<GroupRecord> ONE_OF_EACH = List.of(
            new GroupCreated("billing", "orders", 12),
            new MemberIdIssued(7),
            new LeaseGranted(3, 42),
            new Delivered(3, 1L << 40, 5),
            new DeadLetterRequested(3, 17, 5, "handler threw NPE — naïve"),
            new Settled(0, 9, SettleReason.ACKED),
            new Settled(1, 10, SettleReason.DEAD_LETTERED),
            new GroupRecord.SettledRange(2, 100, 599, SettleReason.ACKED),
            new GroupRecord.DeliveredRange(4, 7, 8, 3),
            new AckFloor(2, 123_456),
            new Released(4, 77, 3, 2),
            new GroupRecord.PositionReset(1, 99),
            new GroupRecord.PartitionsAdded(24),
            new GroupRecord.GroupDeleted(),
            new GroupRecord.DeliveryHorizon(5, 1L << 41));

    @Test
    void everyRecordTypeRoundTrips() throws Exception {
        for (GroupRecord r : ONE_OF_EACH) {
            byte[] bytes = GroupRecordCodec.encode(r);
            assertThat(bytes).hasSize(GroupRecordCodec.encodedSize(r));
            assertThat(GroupRecordCodec.decode(bytes)).isEqualTo(r);
        }
    }

    @Test
    void everyTruncationIsATypedTruncatedError() {
        for (GroupRecord r : ONE_OF_EACH) {
            byte[] bytes = GroupRecordCodec.encode(r);
            for (int len = 0; len < bytes.length; len++) {
                byte[] cut = Arrays.copyOf(bytes, len);
                assertThatThrownBy(() -> GroupRecordCodec.decode(cut))
                        .as("%s cut to %d of %d bytes", r, len, bytes.length)
                        .isInstanceOfSatisfying(CorruptGroupRecordException.class,
                                e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED));
            }
        }
    }

    @Test
    void trailingBytesAreRejected() {
        byte[] bytes = Arrays.copyOf(GroupRecordCodec.encode(new LeaseGranted(1, 2)), 15);
        assertReason(bytes, Reason.TRAILING_BYTES);
    }

    @Test
    void unknownVersionAndTypeAreRejected() {
        byte[] bytes = GroupRecordCodec.encode(new MemberIdIssued(1));
        bytes[0] = 9;
        assertReason(bytes, Reason.UNKNOWN_VERSION);
        bytes[0] = GroupRecordCodec.VERSION;
        bytes[1] = 99;
        assertReason(bytes, Reason.UNKNOWN_TYPE);
    }

    @Test
    void outOfRangeFieldsAreBadContent() {
        ByteBuffer negativeOffset = ByteBuffer.allocate(18).put(GroupRecordCodec.VERSION).put(GroupRecordCodec.DELIVERED)
                .putInt(0).putLong(-1).putInt(1);
        assertReason(negativeOffset.array(), Reason.BAD_CONTENT);
        ByteBuffer zeroCount = ByteBuffer.allocate(18).put(GroupRecordCodec.VERSION).put(GroupRecordCodec.DELIVERED)
                .putInt(0).putLong(5).putInt(0);
        assertReason(zeroCount.array(), Reason.BAD_CONTENT);
        ByteBuffer badReason = ByteBuffer.allocate(15).put(GroupRecordCodec.VERSION).put(GroupRecordCodec.SETTLED)
                .putInt(0).putLong(5).put((byte) 7);
        assertReason(badReason.array(), Reason.BAD_CONTENT);
        ByteBuffer moreReleasesThanDeliveries = ByteBuffer.allocate(22).put(GroupRecordCodec.VERSION)
                .put(GroupRecordCodec.RELEASED).putInt(0).putLong(5).putInt(2).putInt(3);
        assertReason(moreReleasesThanDeliveries.array(), Reason.BAD_CONTENT);
        ByteBuffer badUtf8 = ByteBuffer.allocate(2 + 2 + 1 + 2 + 1 + 4).put(GroupRecordCodec.VERSION)
                .put(GroupRecordCodec.GROUP_CREATED).putShort((short) 1).put((byte) 0xC3).putShort((short) 1)
                .put((byte) 't').putInt(1);
        assertReason(badUtf8.array(), Reason.BAD_CONTENT);
    }

    @Test
    void aPartitionCountAboveTheProtocolLimitIsBadContentBeforeReplayAllocatesForIt() {
        // Replay allocates one PartitionProgress per partition: GroupCreated with 2^31-1 partitions
        // asked for an array the VM cannot give (OutOfMemoryError, not a typed error).
        int tooMany = Protocol.MAX_PARTITIONS_PER_TOPIC + 1;
        ByteBuffer created = ByteBuffer.allocate(2 + 3 + 3 + 4).put(GroupRecordCodec.VERSION)
                .put(GroupRecordCodec.GROUP_CREATED).putShort((short) 1).put((byte) 'g').putShort((short) 1)
                .put((byte) 't').putInt(tooMany);
        assertReason(created.array(), Reason.BAD_CONTENT);
        created.putInt(8, Integer.MAX_VALUE);
        assertReason(created.array(), Reason.BAD_CONTENT);
        created.putInt(8, Protocol.MAX_PARTITIONS_PER_TOPIC);
        assertThatCode(() -> GroupRecordCodec.decode(created.array())).doesNotThrowAnyException();
        ByteBuffer added = ByteBuffer.allocate(6).put(GroupRecordCodec.VERSION).put(GroupRecordCodec.PARTITIONS_ADDED)
                .putInt(tooMany);
        assertReason(added.array(), Reason.BAD_CONTENT);
    }

    private static void assertReason(byte[] bytes, Reason reason) {
        assertThatThrownBy(() -> GroupRecordCodec.decode(bytes))
                .isInstanceOfSatisfying(CorruptGroupRecordException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }
}
