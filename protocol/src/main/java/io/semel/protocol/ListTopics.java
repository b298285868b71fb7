package io.semel.protocol;

import io.semel.protocol.internal.Check;
import io.semel.protocol.internal.WireReader;
import io.semel.protocol.internal.WireWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * LIST_TOPICS (api key 3): every topic and its partition count, for {@code semel topic list}.
 *
 * <pre>
 * Request              type              meaning
 * -------------------  ----------------  -----------------------------------------------------
 * (empty body)
 *
 * Response             type              meaning (default in an error frame)
 * -------------------  ----------------  -----------------------------------------------------
 * error, errorMessage  int16, string?    see {@link ApiResponse}
 * topics               [Topic]           sorted by name ([])
 *   name               string
 *   partitionCount     int32             1..{@value Protocol#MAX_PARTITIONS_PER_TOPIC}
 * </pre>
 */
public final class ListTopics {
    private ListTopics() {
    }

    public record Topic(String name, int partitionCount) {
        public Topic {
            Check.notNull(name, "name");
            Check.range("partitionCount", partitionCount, 1, Protocol.MAX_PARTITIONS_PER_TOPIC);
        }
    }

    public record Request() implements ApiRequest {
        @Override
        public ApiKey apiKey() {
            return ApiKey.LIST_TOPICS;
        }

        @Override
        public void encode(WireWriter w) {
            // No fields: the frame header says it all.
        }

        public static Request decode(WireReader r) {
            return new Request();
        }
    }

    public record Response(ErrorCode error, String errorMessage, List<Topic> topics) implements ApiResponse {
        public Response {
            Check.notNull(error, "error");
            topics = List.copyOf(topics);
        }

        public static Response error(ErrorCode error, String message) {
            return new Response(error, message, List.of());
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.LIST_TOPICS;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeErrorCode(error).writeNullableString(errorMessage).writeCount(topics.size());
            for (Topic t : topics) {
                w.writeString(t.name()).writeInt32(t.partitionCount());
            }
        }

        public static Response decode(WireReader r) throws ProtocolException {
            ErrorCode error = r.readErrorCode();
            String message = r.readNullableString();
            int count = r.readCount(6);
            List<Topic> topics = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                topics.add(new Topic(r.readString("topic"),
                        r.readInt32("partitionCount", 1, Protocol.MAX_PARTITIONS_PER_TOPIC)));
            }
            return new Response(error, message, topics);
        }
    }
}
