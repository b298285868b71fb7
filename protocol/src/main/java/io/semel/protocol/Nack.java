package io.semel.protocol;

import io.semel.protocol.internal.Check;
import io.semel.protocol.internal.WireReader;
import io.semel.protocol.internal.WireWriter;
import java.util.List;

/**
 * NACK (api key 13): the member could not process these deliveries; redeliver them after a
 * backoff. The delivery count still grows, so a poison message reaches the dead-letter topic
 * {@code <topic>.dlq} after the maximum count; the reason is recorded in its dead-letter headers.
 *
 * <pre>
 * Request              type      meaning
 * -------------------  --------  -----------------------------------------------------------
 * group                string
 * memberId             string    from {@link JoinGroup}
 * items                [Item]    as in {@link Ack}; at least one
 * reason               string?   why (e.g. the handler's exception), for the dead-letter headers
 * backoffMs            int32     earliest redelivery, ms from now; >= 0
 *
 * Response             type      meaning (default in an error frame)
 * -------------------  --------  -----------------------------------------------------------
 * error, errorMessage  int16, string?  whole-request outcome
 * results              [Result]  as in {@link Ack}: one per item, STALE_LEASE per message ([])
 * </pre>
 */
public final class Nack {
    private Nack() {
    }

    public record Request(String group, String memberId, List<Ack.Item> items, String reason, int backoffMs)
            implements ApiRequest {
        public Request {
            Check.notNull(group, "group");
            Check.notNull(memberId, "memberId");
            items = List.copyOf(items);
            Check.range("items", items.size(), 1, Protocol.MAX_LIST_ITEMS);
            Check.range("backoffMs", backoffMs, 0, Integer.MAX_VALUE);
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.NACK;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeString(group).writeString(memberId);
            Ack.writeItems(w, items);
            w.writeNullableString(reason).writeInt32(backoffMs);
        }

        public static Request decode(WireReader r) throws ProtocolException {
            return new Request(r.readString("group"), r.readString("memberId"), Ack.readItems(r),
                    r.readNullableString(), r.readInt32("backoffMs", 0, Integer.MAX_VALUE));
        }
    }

    public record Response(ErrorCode error, String errorMessage, List<Ack.Result> results) implements ApiResponse {
        public Response {
            Check.notNull(error, "error");
            results = List.copyOf(results);
        }

        public static Response error(ErrorCode error, String message) {
            return new Response(error, message, List.of());
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.NACK;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeErrorCode(error).writeNullableString(errorMessage);
            Ack.writeResults(w, results);
        }

        public static Response decode(WireReader r) throws ProtocolException {
            return new Response(r.readErrorCode(), r.readNullableString(), Ack.readResults(r));
        }
    }
}
