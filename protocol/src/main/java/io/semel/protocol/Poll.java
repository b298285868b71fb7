package io.semel.protocol;

import io.semel.protocol.internal.Check;
import io.semel.protocol.internal.WireReader;
import io.semel.protocol.internal.WireWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * POLL (api key 11): deliveries for a group member from the partitions it leases. Each delivery
 * must be settled by {@link Ack} or {@link Nack} within the broker's ack timeout, or it is
 * redelivered with a higher delivery count (and dead-lettered after the maximum).
 *
 * <pre>
 * Request              type        meaning
 * -------------------  ----------  ---------------------------------------------------------
 * group                string
 * memberId             string      from {@link JoinGroup}
 * maxMessages          int32       most deliveries to return; >= 1
 * maxWaitMs            int32       how long to wait when nothing is deliverable, ms; >= 0
 *
 * Response             type        meaning (default in an error frame)
 * -------------------  ----------  ---------------------------------------------------------
 * error, errorMessage  int16, string?  see {@link ApiResponse}; UNKNOWN_GROUP_MEMBER: rejoin
 * deliveries           [Delivery]  see {@link Delivery} ([])
 * </pre>
 *
 * <p>Responses on a connection come back in request order, so a long {@code maxWaitMs} delays the
 * member's heartbeats on the same connection: keep it below sessionTimeoutMs / 3, or poll on a
 * separate connection.
 */
public final class Poll {
    private Poll() {
    }

    public record Request(String group, String memberId, int maxMessages, int maxWaitMs) implements ApiRequest {
        public Request {
            Check.notNull(group, "group");
            Check.notNull(memberId, "memberId");
            Check.range("maxMessages", maxMessages, 1, Protocol.MAX_LIST_ITEMS);
            Check.range("maxWaitMs", maxWaitMs, 0, Integer.MAX_VALUE);
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.POLL;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeString(group).writeString(memberId).writeInt32(maxMessages).writeInt32(maxWaitMs);
        }

        public static Request decode(WireReader r) throws ProtocolException {
            return new Request(r.readString("group"), r.readString("memberId"),
                    r.readInt32("maxMessages", 1, Protocol.MAX_LIST_ITEMS), r.readInt32("maxWaitMs", 0, Integer.MAX_VALUE));
        }
    }

    public record Response(ErrorCode error, String errorMessage, List<Delivery> deliveries) implements ApiResponse {
        public Response {
            Check.notNull(error, "error");
            deliveries = List.copyOf(deliveries);
        }

        public static Response error(ErrorCode error, String message) {
            return new Response(error, message, List.of());
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.POLL;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeErrorCode(error).writeNullableString(errorMessage).writeCount(deliveries.size());
            deliveries.forEach(d -> d.encode(w));
        }

        public static Response decode(WireReader r) throws ProtocolException {
            ErrorCode error = r.readErrorCode();
            String message = r.readNullableString();
            int count = r.readCount(Delivery.MIN_ENCODED_BYTES);
            List<Delivery> deliveries = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                deliveries.add(Delivery.decode(r));
            }
            return new Response(error, message, deliveries);
        }
    }
}
