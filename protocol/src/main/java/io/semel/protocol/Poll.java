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
 * <p><b>Version 2</b> (written by this code) also carries acks: the settlements of earlier
 * deliveries ride on the next poll, as {@link Ack} v2's ranges, so a consumer that acks each batch
 * makes one round trip per batch, and the broker writes the acks and the new deliveries to its group
 * log together (one fsync). The acks are applied first (so they free room under the member's unacked
 * limit for this poll's deliveries) and are durable before the answer, as an {@link Ack}'s are; their
 * results come back with the deliveries. A refused request (error other than NONE) applied nothing.
 *
 * <pre>
 * Request v2           type        meaning
 * -------------------  ----------  ---------------------------------------------------------
 * group                string
 * memberId             string      from {@link JoinGroup}
 * maxMessages          int32       most deliveries to return; >= 1
 * maxWaitMs            int32       how long to wait when nothing is deliverable, ms; >= 0
 * acks                 [Range]     may be empty; each as in {@link Ack} v2: partition int32,
 *                                  leaseEpoch int64, firstOffset int64, lastOffset int64
 *
 * Response v2          type        meaning (default in an error frame)
 * -------------------  ----------  ---------------------------------------------------------
 * error, errorMessage  int16, string?  see {@link ApiResponse}; UNKNOWN_GROUP_MEMBER: rejoin
 * deliveries           [Delivery]  see {@link Delivery} ([])
 * ackResults           [Range]     one per acked offset, as {@link Ack} v2's results ([])
 *
 * Version 1: the request without acks, the response without ackResults.
 * </pre>
 *
 * <p>Responses on a connection come back in request order, so a long {@code maxWaitMs} delays the
 * member's heartbeats on the same connection: keep it below sessionTimeoutMs / 3, or poll on a
 * separate connection.
 */
public final class Poll {
    private Poll() {
    }

    /** The layout with acks on the request and their results on the response. */
    public static final short VERSION_WITH_ACKS = 2;
    /** The layout without them. */
    public static final short VERSION_PLAIN = 1;

    /**
     * @param acks settlements to apply before choosing deliveries ({@link Ack.Item} per offset);
     *     empty in version 1
     * @param version the layout it travels in: {@link #VERSION_WITH_ACKS} (default) or {@link #VERSION_PLAIN}
     */
    public record Request(String group, String memberId, int maxMessages, int maxWaitMs, List<Ack.Item> acks,
            short version) implements ApiRequest {
        public Request {
            Check.notNull(group, "group");
            Check.notNull(memberId, "memberId");
            Check.range("maxMessages", maxMessages, 1, Protocol.MAX_LIST_ITEMS);
            Check.range("maxWaitMs", maxWaitMs, 0, Integer.MAX_VALUE);
            acks = List.copyOf(acks);
            Check.range("acks", acks.size(), 0, Protocol.MAX_LIST_ITEMS);
            checkVersion(version);
            if (version == VERSION_PLAIN && !acks.isEmpty()) {
                throw new IllegalArgumentException("POLL version " + VERSION_PLAIN + " carries no acks, "
                        + acks.size() + " given");
            }
        }

        /** A poll without acks, in the latest layout. */
        public Request(String group, String memberId, int maxMessages, int maxWaitMs) {
            this(group, memberId, maxMessages, maxWaitMs, List.of(), VERSION_WITH_ACKS);
        }

        /** A poll carrying {@code acks}, in the latest layout. */
        public Request(String group, String memberId, int maxMessages, int maxWaitMs, List<Ack.Item> acks) {
            this(group, memberId, maxMessages, maxWaitMs, acks, VERSION_WITH_ACKS);
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.POLL;
        }

        @Override
        public short apiVersion() {
            return version;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeString(group).writeString(memberId).writeInt32(maxMessages).writeInt32(maxWaitMs);
            if (version == VERSION_WITH_ACKS) {
                Ack.writeItemRanges(w, acks);
            }
        }

        public static Request decode(WireReader r) throws ProtocolException {
            return decode(r, VERSION_PLAIN);
        }

        public static Request decode(WireReader r, short version) throws ProtocolException {
            String group = r.readString("group");
            String memberId = r.readString("memberId");
            int max = r.readInt32("maxMessages", 1, Protocol.MAX_LIST_ITEMS);
            int wait = r.readInt32("maxWaitMs", 0, Integer.MAX_VALUE);
            List<Ack.Item> acks = version == VERSION_WITH_ACKS ? Ack.readItemRanges(r, true) : List.of();
            return new Request(group, memberId, max, wait, acks, version);
        }
    }

    /** @param version as the request's: a response is written in the version of the request it answers */
    public record Response(ErrorCode error, String errorMessage, List<Delivery> deliveries,
            List<Ack.Result> ackResults, short version) implements ApiResponse {
        public Response {
            Check.notNull(error, "error");
            deliveries = List.copyOf(deliveries);
            ackResults = List.copyOf(ackResults);
            checkVersion(version);
        }

        public Response(ErrorCode error, String errorMessage, List<Delivery> deliveries) {
            this(error, errorMessage, deliveries, List.of(), VERSION_WITH_ACKS);
        }

        public static Response error(ErrorCode error, String message) {
            return new Response(error, message, List.of());
        }

        /** This response in {@code v}'s layout (to answer a request of that version; v1 drops the ack results). */
        public Response inVersion(short v) {
            return v == version ? this : new Response(error, errorMessage, deliveries,
                    v == VERSION_PLAIN ? List.of() : ackResults, v);
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.POLL;
        }

        @Override
        public short apiVersion() {
            return version;
        }

        @Override
        public int encodedBytesHint() {
            long n = 128; // the error fields, the counts and the usual few ack result ranges
            for (Delivery d : deliveries) {
                n += d.encodedBytesHint();
            }
            return (int) Math.min(Integer.MAX_VALUE, n);
        }

        @Override
        public void encode(WireWriter w) {
            w.writeErrorCode(error).writeNullableString(errorMessage).writeCount(deliveries.size());
            deliveries.forEach(d -> d.encode(w));
            if (version == VERSION_WITH_ACKS) {
                Ack.writeResultRanges(w, ackResults);
            }
        }

        public static Response decode(WireReader r) throws ProtocolException {
            return decode(r, VERSION_PLAIN);
        }

        public static Response decode(WireReader r, short version) throws ProtocolException {
            ErrorCode error = r.readErrorCode();
            String message = r.readNullableString();
            int count = r.readCount(Delivery.MIN_ENCODED_BYTES);
            List<Delivery> deliveries = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                deliveries.add(Delivery.decode(r));
            }
            List<Ack.Result> results = version == VERSION_WITH_ACKS ? Ack.readResultRanges(r) : List.of();
            return new Response(error, message, deliveries, results, version);
        }
    }

    private static void checkVersion(short version) {
        if (version != VERSION_PLAIN && version != VERSION_WITH_ACKS) {
            throw new IllegalArgumentException("POLL version " + version + ", known " + VERSION_PLAIN + ".."
                    + VERSION_WITH_ACKS);
        }
    }
}
