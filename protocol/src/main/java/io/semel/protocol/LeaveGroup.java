package io.semel.protocol;

import io.semel.protocol.internal.Check;
import io.semel.protocol.internal.WireReader;
import io.semel.protocol.internal.WireWriter;

/**
 * LEAVE_GROUP (api key 9): a member leaves its group, so its partitions are reassigned now rather
 * than after the session timeout. Its unacked deliveries are redelivered to the new lessees.
 *
 * <pre>
 * Request              type     meaning
 * -------------------  -------  ------------------------------------------------------------
 * group                string
 * memberId             string   from {@link JoinGroup}
 *
 * Response             type     meaning
 * -------------------  -------  ------------------------------------------------------------
 * error, errorMessage  int16, string?  see {@link ApiResponse}; UNKNOWN_GROUP_MEMBER
 * </pre>
 */
public final class LeaveGroup {
    private LeaveGroup() {
    }

    public record Request(String group, String memberId) implements ApiRequest {
        public Request {
            Check.notNull(group, "group");
            Check.notNull(memberId, "memberId");
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.LEAVE_GROUP;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeString(group).writeString(memberId);
        }

        public static Request decode(WireReader r) throws ProtocolException {
            return new Request(r.readString("group"), r.readString("memberId"));
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
            return ApiKey.LEAVE_GROUP;
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
