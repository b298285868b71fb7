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
 * <p><b>Version 2</b> also carries acks: the settlements of earlier deliveries ride on the next poll,
 * as {@link Ack} v2's ranges, so a consumer that acks each batch makes one round trip per batch, and
 * the broker writes the acks and the new deliveries to its group log together (one fsync). The acks are applied first (so they free room under the member's unacked
 * limit for this poll's deliveries) and are durable before the answer, as an {@link Ack}'s are; their
 * results come back with the deliveries. A refused request (error other than NONE) applied nothing.
 *
 * <p><b>Version 3</b> numbers the acks and separates their results from their
 * durability, so a poll of new messages can be answered before the group log's fsync: the request
 * carries {@code ackSequence}, the client's number for its acks (growing by one per request that
 * carries acks, per member); the response's {@code ackResults} are the outcomes as applied, and
 * {@code acksDurableThrough} says that every ack of this member numbered up to it is durable. The
 * acks of this very request may not be yet: a later response (or the answer to any later request of
 * the member's group on the same connection, such as a {@link Heartbeat}, which comes only after
 * every earlier decision of the group is durable) says so.
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
 * Version 3: v2 and, at the end of the request, ackSequence int64 (>= 1 when acks is not empty,
 * else 0); at the end of the response, acksDurableThrough int64 (>= 0; 0: none known durable).
 * Version 4: v3, with the response's deliveries as [{@link DeliveryRun}] instead of [Delivery].
 * Version 1: the request without acks, the response without ackResults.
 * </pre>
 *
 * <p><b>Version 4</b> (what this code writes; the client falls back to 3, 2 and 1 against older
 * brokers) changes only how the response carries deliveries: in runs of consecutive offsets of one
 * partition with one lease epoch, delivery count and timestamp, whose records keep the layout they
 * have in the log ({@link RecordSlice}). The broker copies them from the
 * stored batch as they are, and says topic, partition, lease and count once per run rather than once
 * per message. Runs follow the order the broker chose; a run never spans a gap or a redelivery of
 * another count.
 *
 * <p>Responses on a connection come back in request order, so a long {@code maxWaitMs} delays the
 * member's heartbeats on the same connection: keep it below sessionTimeoutMs / 3, or poll on a
 * separate connection.
 */
public final class Poll {
    private Poll() {
    }

    /** Version 3's request; the response carries deliveries in runs whose records keep their stored layout. */
    public static final short VERSION_RUNS = 4;
    /** The layout with numbered acks whose durability is reported apart from their results. */
    public static final short VERSION_ACKS_AHEAD = 3;
    /** The layout with acks on the request and their results on the response. */
    public static final short VERSION_WITH_ACKS = 2;
    /** The layout without them. */
    public static final short VERSION_PLAIN = 1;

    /**
     * @param acks settlements to apply before choosing deliveries ({@link Ack.Item} per offset);
     *     empty in version 1
     * @param ackSequence versions 3 and 4: the number of these acks (>= 1), or 0 without acks; 0 in versions 1 and 2
     * @param version the layout it travels in: {@link #VERSION_RUNS} (default), {@link #VERSION_ACKS_AHEAD},
     *     {@link #VERSION_WITH_ACKS} or {@link #VERSION_PLAIN}
     */
    public record Request(String group, String memberId, int maxMessages, int maxWaitMs, List<Ack.Item> acks,
            long ackSequence, short version) implements ApiRequest {
        public Request {
            Check.notNull(group, "group");
            Check.notNull(memberId, "memberId");
            Check.range("maxMessages", maxMessages, 1, Protocol.MAX_LIST_ITEMS);
            Check.range("maxWaitMs", maxWaitMs, 0, Integer.MAX_VALUE);
            acks = AckItemRanges.of(acks);
            Check.range("acks", acks.size(), 0, Protocol.MAX_LIST_ITEMS);
            checkVersion(version);
            if (version == VERSION_PLAIN && !acks.isEmpty()) {
                throw new IllegalArgumentException("POLL version " + VERSION_PLAIN + " carries no acks, "
                        + acks.size() + " given");
            }
            if (version >= VERSION_ACKS_AHEAD ? (acks.isEmpty() ? ackSequence != 0 : ackSequence < 1)
                    : ackSequence != 0) {
                throw new IllegalArgumentException("POLL version " + version + " with " + acks.size()
                        + " acks cannot have ackSequence " + ackSequence + " (versions 3 and 4: >= 1 with acks, "
                        + "else 0; earlier versions: 0)");
            }
        }

        /** A poll in versions 1 or 2, which do not number acks. */
        public Request(String group, String memberId, int maxMessages, int maxWaitMs, List<Ack.Item> acks,
                short version) {
            this(group, memberId, maxMessages, maxWaitMs, acks, 0, version);
        }

        /** A poll without acks, in the latest layout. */
        public Request(String group, String memberId, int maxMessages, int maxWaitMs) {
            this(group, memberId, maxMessages, maxWaitMs, List.of(), 0, VERSION_RUNS);
        }

        /** A poll carrying {@code acks} in version 2: their results come back durable with the answer. */
        public Request(String group, String memberId, int maxMessages, int maxWaitMs, List<Ack.Item> acks) {
            this(group, memberId, maxMessages, maxWaitMs, acks, 0, VERSION_WITH_ACKS);
        }

        /** A poll carrying {@code acks} numbered {@code ackSequence}, in the latest layout. */
        public Request(String group, String memberId, int maxMessages, int maxWaitMs, List<Ack.Item> acks,
                long ackSequence) {
            this(group, memberId, maxMessages, maxWaitMs, acks, ackSequence, VERSION_RUNS);
        }

        /** {@link #acks()} as the ranges it holds. */
        public AckItemRanges ackRanges() {
            return (AckItemRanges) acks;
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
            if (version >= VERSION_WITH_ACKS) {
                Ack.writeItemRanges(w, ackRanges());
            }
            if (version >= VERSION_ACKS_AHEAD) {
                w.writeInt64(ackSequence);
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
            List<Ack.Item> acks = version >= VERSION_WITH_ACKS ? Ack.readItemRanges(r, true) : List.of();
            long ackSequence = version >= VERSION_ACKS_AHEAD ? r.readInt64("ackSequence", 0, Long.MAX_VALUE) : 0;
            try {
                return new Request(group, memberId, max, wait, acks, ackSequence, version);
            } catch (IllegalArgumentException e) {
                throw WireReader.invalid(e.getMessage());
            }
        }
    }

    /**
     * @param runs the deliveries, grouped ({@link DeliveryRun}); a response of any version holds them
     *     this way, and versions 1 to 3 write each delivery on its own ({@link Delivery})
     * @param acksDurableThrough versions 3 and 4: every ack of the member numbered up to this is durable
     *     (0: none known); 0 in earlier versions, where the acks of a request are durable when it is answered
     * @param version as the request's: a response is written in the version of the request it answers
     */
    public record Response(ErrorCode error, String errorMessage, List<DeliveryRun> runs,
            List<Ack.Result> ackResults, long acksDurableThrough, short version) implements ApiResponse {
        public Response {
            Check.notNull(error, "error");
            runs = List.copyOf(runs);
            ackResults = AckResultRanges.of(ackResults);
            Check.range("acksDurableThrough", acksDurableThrough, 0, Long.MAX_VALUE);
            checkVersion(version);
        }

        /** A response of these deliveries, grouped into runs ({@link DeliveryRun#of}). */
        public static Response of(ErrorCode error, String errorMessage, List<Delivery> deliveries,
                List<Ack.Result> ackResults, long acksDurableThrough, short version) {
            return new Response(error, errorMessage, DeliveryRun.of(deliveries), ackResults, acksDurableThrough,
                    version);
        }

        /** A response of version 1 or 2. */
        public static Response of(ErrorCode error, String errorMessage, List<Delivery> deliveries,
                List<Ack.Result> ackResults, short version) {
            return of(error, errorMessage, deliveries, ackResults, 0, version);
        }

        /** Deliveries without acks, in the latest layout. */
        public static Response of(ErrorCode error, String errorMessage, List<Delivery> deliveries) {
            return of(error, errorMessage, deliveries, List.of(), 0, VERSION_RUNS);
        }

        public static Response error(ErrorCode error, String message) {
            return new Response(error, message, List.of(), List.of(), 0, VERSION_RUNS);
        }

        /** {@link #ackResults()} as the ranges it holds. */
        public AckResultRanges ackResultRanges() {
            return (AckResultRanges) ackResults;
        }

        /** The deliveries one by one, decoded from the runs anew on each call. */
        public List<Delivery> deliveries() {
            List<Delivery> out = new ArrayList<>(deliveryCount());
            for (DeliveryRun run : runs) {
                run.addDeliveriesTo(out);
            }
            return out;
        }

        /** How many deliveries the runs hold. */
        public int deliveryCount() {
            int n = 0;
            for (DeliveryRun run : runs) {
                n += run.records().count();
            }
            return n;
        }

        /**
         * This response in {@code v}'s layout (to answer a request of that version; v1 drops the ack
         * results, v1 and v2 the durability mark).
         */
        public Response inVersion(short v) {
            return v == version ? this : new Response(error, errorMessage, runs,
                    v == VERSION_PLAIN ? List.of() : ackResults, v >= VERSION_ACKS_AHEAD ? acksDurableThrough : 0, v);
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
            for (DeliveryRun run : runs) {
                // v1-v3 repeat the run's header and the topic for every delivery
                n += run.encodedBytesHint() + (version >= VERSION_RUNS ? 0
                        : (long) run.records().count() * (Delivery.MIN_ENCODED_BYTES + run.topic().length()));
            }
            return (int) Math.min(Integer.MAX_VALUE, n);
        }

        @Override
        public void encode(WireWriter w) {
            w.writeErrorCode(error).writeNullableString(errorMessage);
            if (version >= VERSION_RUNS) {
                w.writeCount(runs.size());
                runs.forEach(run -> run.encode(w));
            } else {
                List<Delivery> deliveries = deliveries();
                w.writeCount(deliveries.size());
                deliveries.forEach(d -> d.encode(w));
            }
            if (version >= VERSION_WITH_ACKS) {
                Ack.writeResultRanges(w, ackResultRanges());
            }
            if (version >= VERSION_ACKS_AHEAD) {
                w.writeInt64(acksDurableThrough);
            }
        }

        public static Response decode(WireReader r) throws ProtocolException {
            return decode(r, VERSION_PLAIN);
        }

        public static Response decode(WireReader r, short version) throws ProtocolException {
            ErrorCode error = r.readErrorCode();
            String message = r.readNullableString();
            List<DeliveryRun> runs;
            if (version >= VERSION_RUNS) {
                int count = r.readCount(DeliveryRun.MIN_ENCODED_BYTES);
                runs = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    runs.add(DeliveryRun.decode(r));
                }
            } else {
                int count = r.readCount(Delivery.MIN_ENCODED_BYTES);
                List<Delivery> deliveries = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    deliveries.add(Delivery.decode(r));
                }
                runs = DeliveryRun.of(deliveries);
            }
            List<Ack.Result> results = version >= VERSION_WITH_ACKS ? Ack.readResultRanges(r) : List.of();
            long durableThrough = version >= VERSION_ACKS_AHEAD ? r.readInt64("acksDurableThrough", 0, Long.MAX_VALUE) : 0;
            return new Response(error, message, runs, results, durableThrough, version);
        }
    }

    private static void checkVersion(short version) {
        if (version < VERSION_PLAIN || version > VERSION_RUNS) {
            throw new IllegalArgumentException("POLL version " + version + ", known " + VERSION_PLAIN + ".."
                    + VERSION_RUNS);
        }
    }
}
