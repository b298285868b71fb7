package io.semel.protocol;

import io.semel.protocol.internal.Check;
import io.semel.protocol.internal.WireReader;
import io.semel.protocol.internal.WireWriter;

/**
 * JOIN_GROUP (api key 8): joins a consumer group that consumes one topic. The broker assigns
 * partitions to members; {@link Heartbeat} tells a member which partitions it leases.
 *
 * <pre>
 * Request              type     meaning
 * -------------------  -------  ------------------------------------------------------------
 * group                string   group name (same character rule as {@link TopicNames})
 * topic                string   the topic the group consumes; fixed by the first member
 * memberId             string?  null for a new member; a previous id to rejoin after a reconnect
 * sessionTimeoutMs     int32    membership expires this long after the last heartbeat, ms; >= 1
 *
 * Response             type     meaning (default in an error frame)
 * -------------------  -------  ------------------------------------------------------------
 * error, errorMessage  int16, string?  see {@link ApiResponse}
 * memberId             string?  the member's id, to send with every group request (null)
 * </pre>
 *
 * <p>Errors: {@code UNKNOWN_TOPIC_OR_PARTITION}; {@code INVALID_REQUEST} when the group already
 * consumes another topic or the session timeout is outside the broker's range;
 * {@code UNKNOWN_GROUP_MEMBER} when a given memberId has expired (join again with null).
 */
public final class JoinGroup {
    private JoinGroup() {
    }

    public record Request(String group, String topic, String memberId, int sessionTimeoutMs) implements ApiRequest {
        public Request {
            Check.notNull(group, "group");
            Check.notNull(topic, "topic");
            Check.range("sessionTimeoutMs", sessionTimeoutMs, 1, Integer.MAX_VALUE);
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.JOIN_GROUP;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeString(group).writeString(topic).writeNullableString(memberId).writeInt32(sessionTimeoutMs);
        }

        public static Request decode(WireReader r) throws ProtocolException {
            return new Request(r.readString("group"), r.readString("topic"), r.readNullableString(),
                    r.readInt32("sessionTimeoutMs", 1, Integer.MAX_VALUE));
        }
    }

    public record Response(ErrorCode error, String errorMessage, String memberId) implements ApiResponse {
        public Response {
            Check.notNull(error, "error");
        }

        public static Response error(ErrorCode error, String message) {
            return new Response(error, message, null);
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.JOIN_GROUP;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeErrorCode(error).writeNullableString(errorMessage).writeNullableString(memberId);
        }

        public static Response decode(WireReader r) throws ProtocolException {
            return new Response(r.readErrorCode(), r.readNullableString(), r.readNullableString());
        }
    }
}
