package io.semel.protocol;

import io.semel.protocol.internal.Check;
import io.semel.protocol.internal.WireReader;
import io.semel.protocol.internal.WireWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * DESCRIBE_GROUP (api key 43): one consumer group's members and, per partition, its lease, how far
 * it has settled and how far behind the log it is.
 *
 * <pre>
 * Request              type          meaning
 * -------------------  ------------  ---------------------------------------------------------
 * group                string
 *
 * Response             type          meaning (default in an error frame)
 * -------------------  ------------  ---------------------------------------------------------
 * error, errorMessage  int16, string?  see {@link ApiResponse}; GROUP_NOT_FOUND
 * topic                string        the topic the group consumes ("")
 * members              [Member]      live members, by id ([])
 *   memberId           string
 *   sessionTimeoutMs   int64
 * partitions           [Progress]    one per partition, by number ([])
 *   partition          int32
 *   holder             string?       member holding the lease, null when none
 *   leaseEpoch         int64         >= 0; grows by one per grant, never reused
 *   ackFloor           int64         every offset below it is settled
 *   nextOffset         int64         lowest offset never delivered to the group; >= ackFloor
 *   settledAboveFloor  int32         acked or dead-lettered offsets in [ackFloor, nextOffset)
 *   inFlight           int32         delivered under the current lease, not yet acked
 *   due                int32         waiting for redelivery (ack timeout, nack, lease moved)
 *   deadLetterPending  int32         given up, being copied to the dead-letter topic
 *   logStartOffset     int64         first offset still in the partition
 *   logEndOffset       int64         offset the next record gets
 *   lag                int64         records not settled: logEnd - ackFloor - settledAboveFloor
 * </pre>
 */
public final class DescribeGroup {
    private DescribeGroup() {
    }

    public record Member(String memberId, long sessionTimeoutMs) {
        public Member {
            Check.notNull(memberId, "memberId");
        }
    }

    public record Progress(int partition, String holder, long leaseEpoch, long ackFloor, long nextOffset,
            int settledAboveFloor, int inFlight, int due, int deadLetterPending, long logStartOffset,
            long logEndOffset, long lag) {
        public Progress {
            Check.range("partition", partition, 0, Protocol.MAX_PARTITIONS_PER_TOPIC - 1);
            Check.range("leaseEpoch", leaseEpoch, 0, Long.MAX_VALUE);
            Check.range("ackFloor", ackFloor, 0, Long.MAX_VALUE);
            Check.range("nextOffset", nextOffset, ackFloor, Long.MAX_VALUE);
        }
    }

    public record Request(String group) implements ApiRequest {
        public Request {
            Check.notNull(group, "group");
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.DESCRIBE_GROUP;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeString(group);
        }

        public static Request decode(WireReader r) throws ProtocolException {
            return new Request(r.readString("group"));
        }
    }

    public record Response(ErrorCode error, String errorMessage, String topic, List<Member> members,
            List<Progress> partitions) implements ApiResponse {
        public Response {
            Check.notNull(error, "error");
            Check.notNull(topic, "topic");
            members = List.copyOf(members);
            partitions = List.copyOf(partitions);
        }

        public static Response error(ErrorCode error, String message) {
            return new Response(error, message, "", List.of(), List.of());
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.DESCRIBE_GROUP;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeErrorCode(error).writeNullableString(errorMessage).writeString(topic).writeCount(members.size());
            for (Member m : members) {
                w.writeString(m.memberId()).writeInt64(m.sessionTimeoutMs());
            }
            w.writeCount(partitions.size());
            for (Progress p : partitions) {
                w.writeInt32(p.partition()).writeNullableString(p.holder()).writeInt64(p.leaseEpoch())
                        .writeInt64(p.ackFloor()).writeInt64(p.nextOffset()).writeInt32(p.settledAboveFloor())
                        .writeInt32(p.inFlight()).writeInt32(p.due()).writeInt32(p.deadLetterPending())
                        .writeInt64(p.logStartOffset()).writeInt64(p.logEndOffset()).writeInt64(p.lag());
            }
        }

        public static Response decode(WireReader r) throws ProtocolException {
            ErrorCode error = r.readErrorCode();
            String message = r.readNullableString();
            String topic = r.readString("topic");
            int count = r.readCount(10);
            List<Member> members = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                members.add(new Member(r.readString("memberId"), r.readInt64()));
            }
            count = r.readCount(62);
            List<Progress> partitions = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int partition = r.readInt32("partition", 0, Protocol.MAX_PARTITIONS_PER_TOPIC - 1);
                String holder = r.readNullableString();
                long epoch = r.readInt64("leaseEpoch", 0, Long.MAX_VALUE);
                long floor = r.readInt64("ackFloor", 0, Long.MAX_VALUE);
                partitions.add(new Progress(partition, holder, epoch, floor,
                        r.readInt64("nextOffset", floor, Long.MAX_VALUE), r.readInt32(), r.readInt32(), r.readInt32(),
                        r.readInt32(), r.readInt64(), r.readInt64(), r.readInt64()));
            }
            return new Response(error, message, topic, members, partitions);
        }
    }
}
