package io.semel.protocol;

import io.semel.protocol.internal.Check;
import io.semel.protocol.internal.WireReader;
import io.semel.protocol.internal.WireWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * RESET_GROUP (api key 44): moves a consumer group's position on one or every partition: the group
 * then treats every offset below the new position as settled and every offset from it as never
 * delivered (its in-flight, due and settled-above-floor state there is dropped). Like Kafka's
 * offset reset, only a group without members may be reset: a live member would keep acking
 * deliveries the reset has just withdrawn. A group that does not exist is created on
 * {@code topic} with no members (how a tool keeps a durable cursor, see {@code semel dlq redrive}).
 *
 * <pre>
 * Request              type     meaning
 * -------------------  -------  ------------------------------------------------------------
 * group                string
 * topic                string   the topic the group consumes (checked; creates a new group on it)
 * partition            int32    one partition, or -1 for every partition
 * mode                 int8     1 EARLIEST (log start), 2 LATEST (log end), 3 OFFSET (value,
 *                               clamped to [log start, log end]), 4 TIMESTAMP (first record whose
 *                               timestamp is >= value ms since the epoch; log end when none)
 * value                int64    the offset or timestamp; ignored for EARLIEST and LATEST
 *
 * Response             type       meaning (default in an error frame)
 * -------------------  ---------  ----------------------------------------------------------
 * error, errorMessage  int16, string?  see {@link ApiResponse}
 * positions            [Position] one per partition reset ([])
 *   partition          int32
 *   offset             int64      the group's new position (ack floor) there
 * </pre>
 *
 * <p>Errors: {@code GROUP_NOT_EMPTY} (members exist), {@code UNKNOWN_TOPIC_OR_PARTITION},
 * {@code INVALID_REQUEST} (the group consumes another topic, bad mode).
 */
public final class ResetGroup {
    private ResetGroup() {
    }

    /** Where to move to. Wire values are fixed. */
    public enum Mode {
        EARLIEST(1),
        LATEST(2),
        OFFSET(3),
        TIMESTAMP(4);

        private final int wire;

        Mode(int wire) {
            this.wire = wire;
        }

        public int wire() {
            return wire;
        }

        static Mode forWire(int wire) throws ProtocolException {
            for (Mode m : values()) {
                if (m.wire == wire) {
                    return m;
                }
            }
            throw WireReader.invalid("reset mode " + wire + " is not 1..4");
        }
    }

    public record Position(int partition, long offset) {
    }

    public record Request(String group, String topic, int partition, Mode mode, long value) implements ApiRequest {
        /** Every partition. */
        public static final int ALL_PARTITIONS = -1;

        public Request {
            Check.notNull(group, "group");
            Check.notNull(topic, "topic");
            Check.notNull(mode, "mode");
            Check.range("partition", partition, ALL_PARTITIONS, Protocol.MAX_PARTITIONS_PER_TOPIC - 1);
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.RESET_GROUP;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeString(group).writeString(topic).writeInt32(partition).writeInt8(mode.wire()).writeInt64(value);
        }

        public static Request decode(WireReader r) throws ProtocolException {
            return new Request(r.readString("group"), r.readString("topic"),
                    r.readInt32("partition", ALL_PARTITIONS, Protocol.MAX_PARTITIONS_PER_TOPIC - 1),
                    Mode.forWire(r.readInt8()), r.readInt64());
        }
    }

    public record Response(ErrorCode error, String errorMessage, List<Position> positions) implements ApiResponse {
        public Response {
            Check.notNull(error, "error");
            positions = List.copyOf(positions);
        }

        public static Response error(ErrorCode error, String message) {
            return new Response(error, message, List.of());
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.RESET_GROUP;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeErrorCode(error).writeNullableString(errorMessage).writeCount(positions.size());
            for (Position p : positions) {
                w.writeInt32(p.partition()).writeInt64(p.offset());
            }
        }

        public static Response decode(WireReader r) throws ProtocolException {
            ErrorCode error = r.readErrorCode();
            String message = r.readNullableString();
            int count = r.readCount(12);
            List<Position> positions = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                positions.add(new Position(r.readInt32("partition", 0, Protocol.MAX_PARTITIONS_PER_TOPIC - 1),
                        r.readInt64("offset", 0, Long.MAX_VALUE)));
            }
            return new Response(error, message, positions);
        }
    }
}
