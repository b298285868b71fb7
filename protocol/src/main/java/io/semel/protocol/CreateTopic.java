package io.semel.protocol;

import io.semel.protocol.internal.Check;
import io.semel.protocol.internal.WireReader;
import io.semel.protocol.internal.WireWriter;

/**
 * CREATE_TOPIC (api key 2): creates a topic with a fixed number of partitions.
 *
 * <pre>
 * Request              type    meaning
 * -------------------  ------  --------------------------------------------------------------
 * topic                string  name; must pass {@link TopicNames#problem} (checked by the broker)
 * partitions           int32   1..{@value Protocol#MAX_PARTITIONS_PER_TOPIC}
 *
 * Response             type    meaning
 * -------------------  ------  --------------------------------------------------------------
 * error, errorMessage  int16, string?  see {@link ApiResponse}
 * </pre>
 *
 * <p>Errors: {@code INVALID_TOPIC_NAME} (the message says which rule failed),
 * {@code TOPIC_ALREADY_EXISTS}, {@code INVALID_REQUEST} for a partition count above the broker's limit.
 */
public final class CreateTopic {
    private CreateTopic() {
    }

    public record Request(String topic, int partitions) implements ApiRequest {
        public Request {
            Check.notNull(topic, "topic");
            Check.range("partitions", partitions, 1, Protocol.MAX_PARTITIONS_PER_TOPIC);
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.CREATE_TOPIC;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeString(topic).writeInt32(partitions);
        }

        public static Request decode(WireReader r) throws ProtocolException {
            return new Request(r.readString("topic"),
                    r.readInt32("partitions", 1, Protocol.MAX_PARTITIONS_PER_TOPIC));
        }
    }

    public record Response(ErrorCode error, String errorMessage) implements ApiResponse {
        public Response {
            Check.notNull(error, "error");
        }

        public static Response error(ErrorCode error, String message) {
            return new Response(error, message);
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.CREATE_TOPIC;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeErrorCode(error).writeNullableString(errorMessage);
        }

        public static Response decode(WireReader r) throws ProtocolException {
            return new Response(r.readErrorCode(), r.readNullableString());
        }
    }
}
