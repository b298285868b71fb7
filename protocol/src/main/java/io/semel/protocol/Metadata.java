package io.semel.protocol;

import io.semel.protocol.internal.Check;
import io.semel.protocol.internal.WireReader;
import io.semel.protocol.internal.WireWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * METADATA (api key 1): partition counts of the topics a producer or consumer is about to use, so
 * it can compute {@code partition = murmur2(key) mod n}.
 *
 * <pre>
 * Request              type              meaning
 * -------------------  ----------------  -----------------------------------------------------
 * topics               [string]          topic names; an empty list means every topic
 *
 * Response             type              meaning (default in an error frame)
 * -------------------  ----------------  -----------------------------------------------------
 * error, errorMessage  int16, string?    see {@link ApiResponse}
 * topics               [TopicMetadata]   one per requested topic, in request order ([])
 *   name               string
 *   error              int16             NONE, UNKNOWN_TOPIC_OR_PARTITION or INVALID_TOPIC_NAME
 *   partitionCount     int32             0 when the topic has an error
 * </pre>
 */
public final class Metadata {
    private Metadata() {
    }

    /** One topic's answer; a per-topic error does not fail the whole request. */
    public record TopicMetadata(String name, ErrorCode error, int partitionCount) {
        public TopicMetadata {
            Check.notNull(name, "name");
            Check.notNull(error, "error");
            Check.range("partitionCount", partitionCount, 0, Protocol.MAX_PARTITIONS_PER_TOPIC);
        }
    }

    public record Request(List<String> topics) implements ApiRequest {
        public Request {
            topics = List.copyOf(topics);
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.METADATA;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeCount(topics.size());
            topics.forEach(w::writeString);
        }

        public static Request decode(WireReader r) throws ProtocolException {
            int count = r.readCount(2);
            List<String> topics = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                topics.add(r.readString("topic"));
            }
            return new Request(topics);
        }
    }

    public record Response(ErrorCode error, String errorMessage, List<TopicMetadata> topics) implements ApiResponse {
        public Response {
            Check.notNull(error, "error");
            topics = List.copyOf(topics);
        }

        public static Response error(ErrorCode error, String message) {
            return new Response(error, message, List.of());
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.METADATA;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeErrorCode(error).writeNullableString(errorMessage).writeCount(topics.size());
            for (TopicMetadata t : topics) {
                w.writeString(t.name()).writeErrorCode(t.error()).writeInt32(t.partitionCount());
            }
        }

        public static Response decode(WireReader r) throws ProtocolException {
            ErrorCode error = r.readErrorCode();
            String message = r.readNullableString();
            int count = r.readCount(8);
            List<TopicMetadata> topics = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                topics.add(new TopicMetadata(r.readString("topic"), r.readErrorCode(),
                        r.readInt32("partitionCount", 0, Protocol.MAX_PARTITIONS_PER_TOPIC)));
            }
            return new Response(error, message, topics);
        }
    }
}
