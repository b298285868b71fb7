package io.semel.protocol;

import io.semel.protocol.internal.Check;
import io.semel.protocol.internal.WireReader;
import io.semel.protocol.internal.WireWriter;

/**
 * DELETE_TOPIC (api key 40): deletes a topic, its dead-letter topic {@code <topic>.dlq} (unless the
 * topic is itself a dead-letter topic) and every consumer group on either. Durable before the
 * answer: a broker that crashes while deleting comes back with the whole topic or none of it.
 *
 * <pre>
 * Request              type    meaning
 * -------------------  ------  --------------------------------------------------------------
 * topic                string  the topic to delete
 *
 * Response             type    meaning
 * -------------------  ------  --------------------------------------------------------------
 * error, errorMessage  int16, string?  see {@link ApiResponse}
 * </pre>
 *
 * <p>Errors: {@code UNKNOWN_TOPIC_OR_PARTITION}. Afterwards producers, readers and consumers of the
 * topic get {@code UNKNOWN_TOPIC_OR_PARTITION}. Not idempotent: a retry after a lost answer gets
 * {@code UNKNOWN_TOPIC_OR_PARTITION}.
 */
public final class DeleteTopic {
    private DeleteTopic() {
    }

    public record Request(String topic) implements ApiRequest {
        public Request {
            Check.notNull(topic, "topic");
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.DELETE_TOPIC;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeString(topic);
        }

        public static Request decode(WireReader r) throws ProtocolException {
            return new Request(r.readString("topic"));
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
            return ApiKey.DELETE_TOPIC;
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
