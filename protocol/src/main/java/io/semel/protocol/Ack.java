package io.semel.protocol;

import io.semel.protocol.internal.Check;
import io.semel.protocol.internal.WireReader;
import io.semel.protocol.internal.WireWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * ACK (api key 12): settles deliveries, one result per item, so one stale lease fails only its
 * own message. Acking an already settled message succeeds again (acks are idempotent).
 *
 * <pre>
 * Request              type      meaning
 * -------------------  --------  -----------------------------------------------------------
 * group                string
 * memberId             string    from {@link JoinGroup}
 * items                [Item]    at least one
 *   partition          int32     of the group's topic
 *   leaseEpoch         int64     from the {@link Delivery}
 *   offset             int64     from the {@link Delivery}
 *
 * Response             type      meaning (default in an error frame)
 * -------------------  --------  -----------------------------------------------------------
 * error, errorMessage  int16, string?  whole-request outcome (UNKNOWN_GROUP_MEMBER, ...)
 * results              [Result]  one per item, in request order ([])
 *   partition          int32
 *   offset             int64
 *   error              int16     NONE, STALE_LEASE (redelivered elsewhere: do not count it as
 *                                settled), OFFSET_OUT_OF_RANGE (never delivered), STORAGE_ERROR
 * </pre>
 *
 * <p>The ack is durable (group commit) before it is answered.
 */
public final class Ack {
    private Ack() {
    }

    /** Identifies one delivery to settle. */
    public record Item(int partition, long leaseEpoch, long offset) {
        static final int ENCODED_BYTES = 4 + 8 + 8;

        public Item {
            Check.range("partition", partition, 0, Protocol.MAX_PARTITIONS_PER_TOPIC - 1);
            Check.range("leaseEpoch", leaseEpoch, 0, Long.MAX_VALUE);
            Check.range("offset", offset, 0, Long.MAX_VALUE);
        }
    }

    /** The outcome for one {@link Item}. */
    public record Result(int partition, long offset, ErrorCode error) {
        static final int ENCODED_BYTES = 4 + 8 + 2;

        public Result {
            Check.notNull(error, "error");
        }
    }

    public record Request(String group, String memberId, List<Item> items) implements ApiRequest {
        public Request {
            Check.notNull(group, "group");
            Check.notNull(memberId, "memberId");
            items = List.copyOf(items);
            Check.range("items", items.size(), 1, Protocol.MAX_LIST_ITEMS);
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.ACK;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeString(group).writeString(memberId);
            writeItems(w, items);
        }

        public static Request decode(WireReader r) throws ProtocolException {
            return new Request(r.readString("group"), r.readString("memberId"), readItems(r));
        }
    }

    public record Response(ErrorCode error, String errorMessage, List<Result> results) implements ApiResponse {
        public Response {
            Check.notNull(error, "error");
            results = List.copyOf(results);
        }

        public static Response error(ErrorCode error, String message) {
            return new Response(error, message, List.of());
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.ACK;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeErrorCode(error).writeNullableString(errorMessage);
            writeResults(w, results);
        }

        public static Response decode(WireReader r) throws ProtocolException {
            return new Response(r.readErrorCode(), r.readNullableString(), readResults(r));
        }
    }

    static void writeItems(WireWriter w, List<Item> items) {
        w.writeCount(items.size());
        for (Item i : items) {
            w.writeInt32(i.partition()).writeInt64(i.leaseEpoch()).writeInt64(i.offset());
        }
    }

    static List<Item> readItems(WireReader r) throws ProtocolException {
        int count = r.readCount(Item.ENCODED_BYTES);
        if (count == 0) {
            throw WireReader.invalid("items is empty; send at least one");
        }
        List<Item> items = new ArrayList<>(count);
        for (int n = 0; n < count; n++) {
            items.add(new Item(r.readInt32("partition", 0, Protocol.MAX_PARTITIONS_PER_TOPIC - 1),
                    r.readInt64("leaseEpoch", 0, Long.MAX_VALUE), r.readInt64("offset", 0, Long.MAX_VALUE)));
        }
        return items;
    }

    static void writeResults(WireWriter w, List<Result> results) {
        w.writeCount(results.size());
        for (Result res : results) {
            w.writeInt32(res.partition()).writeInt64(res.offset()).writeErrorCode(res.error());
        }
    }

    static List<Result> readResults(WireReader r) throws ProtocolException {
        int count = r.readCount(Result.ENCODED_BYTES);
        List<Result> results = new ArrayList<>(count);
        for (int n = 0; n < count; n++) {
            results.add(new Result(r.readInt32(), r.readInt64(), r.readErrorCode()));
        }
        return results;
    }
}
