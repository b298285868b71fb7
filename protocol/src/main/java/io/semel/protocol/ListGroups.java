package io.semel.protocol;

import io.semel.protocol.internal.Check;
import io.semel.protocol.internal.WireReader;
import io.semel.protocol.internal.WireWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * LIST_GROUPS (api key 42): every consumer group of the broker.
 *
 * <pre>
 * Request              type              meaning
 * -------------------  ----------------  -----------------------------------------------------
 * (empty body)
 *
 * Response             type              meaning (default in an error frame)
 * -------------------  ----------------  -----------------------------------------------------
 * error, errorMessage  int16, string?    see {@link ApiResponse}
 * groups               [Group]           sorted by name ([])
 *   name               string
 *   topic              string            the one topic the group consumes
 *   partitionCount     int32             1..{@value Protocol#MAX_PARTITIONS_PER_TOPIC}
 *   members            int32             live members now (0 after a restart until they rejoin)
 * </pre>
 */
public final class ListGroups {
    private ListGroups() {
    }

    public record Group(String name, String topic, int partitionCount, int members) {
        public Group {
            Check.notNull(name, "name");
            Check.notNull(topic, "topic");
            Check.range("partitionCount", partitionCount, 1, Protocol.MAX_PARTITIONS_PER_TOPIC);
            Check.range("members", members, 0, Integer.MAX_VALUE);
        }
    }

    public record Request() implements ApiRequest {
        @Override
        public ApiKey apiKey() {
            return ApiKey.LIST_GROUPS;
        }

        @Override
        public void encode(WireWriter w) {
        }

        public static Request decode(WireReader r) {
            return new Request();
        }
    }

    public record Response(ErrorCode error, String errorMessage, List<Group> groups) implements ApiResponse {
        public Response {
            Check.notNull(error, "error");
            groups = List.copyOf(groups);
        }

        public static Response error(ErrorCode error, String message) {
            return new Response(error, message, List.of());
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.LIST_GROUPS;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeErrorCode(error).writeNullableString(errorMessage).writeCount(groups.size());
            for (Group g : groups) {
                w.writeString(g.name()).writeString(g.topic()).writeInt32(g.partitionCount()).writeInt32(g.members());
            }
        }

        public static Response decode(WireReader r) throws ProtocolException {
            ErrorCode error = r.readErrorCode();
            String message = r.readNullableString();
            int count = r.readCount(12);
            List<Group> groups = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                groups.add(new Group(r.readString("name"), r.readString("topic"),
                        r.readInt32("partitionCount", 1, Protocol.MAX_PARTITIONS_PER_TOPIC),
                        r.readInt32("members", 0, Integer.MAX_VALUE)));
            }
            return new Response(error, message, groups);
        }
    }
}
