package io.semel.protocol;

import io.semel.protocol.internal.Check;
import io.semel.protocol.internal.WireReader;
import io.semel.protocol.internal.WireWriter;

/**
 * ADD_PARTITIONS (api key 41): grows a topic to {@code partitionCount} partitions. Existing
 * partitions keep their records; consumer groups on the topic get the new partitions (leased at
 * the next rebalance, read from offset 0). Keyed records map to partitions by
 * {@code murmur2(key) mod n}, so after the change a key may go to another partition than before
 * (as in Kafka): per-key order holds only among records written with the same count.
 *
 * <pre>
 * Request              type    meaning
 * -------------------  ------  --------------------------------------------------------------
 * topic                string
 * partitionCount       int32   the new total, 2..{@value Protocol#MAX_PARTITIONS_PER_TOPIC}; more
 *                              than the current count
 *
 * Response             type    meaning
 * -------------------  ------  --------------------------------------------------------------
 * error, errorMessage  int16, string?  see {@link ApiResponse}
 * </pre>
 *
 * <p>Errors: {@code UNKNOWN_TOPIC_OR_PARTITION}; {@code INVALID_REQUEST} when the count does not
 * grow, exceeds the broker's partitionsMaxPerTopic, or the topic is a dead-letter topic (those have
 * one partition).
 */
public final class AddPartitions {
    private AddPartitions() {
    }

    public record Request(String topic, int partitionCount) implements ApiRequest {
        public Request {
            Check.notNull(topic, "topic");
            Check.range("partitionCount", partitionCount, 2, Protocol.MAX_PARTITIONS_PER_TOPIC);
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.ADD_PARTITIONS;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeString(topic).writeInt32(partitionCount);
        }

        public static Request decode(WireReader r) throws ProtocolException {
            return new Request(r.readString("topic"),
                    r.readInt32("partitionCount", 2, Protocol.MAX_PARTITIONS_PER_TOPIC));
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
            return ApiKey.ADD_PARTITIONS;
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
