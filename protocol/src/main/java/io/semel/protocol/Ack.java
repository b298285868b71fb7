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
 * <p><b>Version 2</b> (written by this code) carries items and results as <em>ranges</em>: a run
 * of items of one partition and lease epoch over consecutive offsets is one range on the wire, and
 * a run of results of one partition with consecutive offsets and the same error is one result
 * range, so a batch of 500 messages acked in order is one 28-byte range and (when all succeed) one
 * 22-byte result. In memory both versions are lists per offset ({@link Item}, {@link Result})
 * held as the same ranges ({@link AckItemRanges}, {@link AckResultRanges}): nothing is expanded on
 * decode or coalesced again on encode. A list covers at most {@link Protocol#MAX_LIST_ITEMS}
 * offsets, else INVALID_REQUEST. Version 1 (per item) is still read, and a response is written in
 * the version of the request it answers ({@link Request#version()}).
 *
 * <pre>
 * Request v2           type      meaning
 * -------------------  --------  -----------------------------------------------------------
 * group                string
 * memberId             string    from {@link JoinGroup}
 * ranges               [Range]   at least one
 *   partition          int32     of the group's topic
 *   leaseEpoch         int64     from the {@link Delivery}
 *   firstOffset        int64     from the {@link Delivery}, >= 0
 *   lastOffset         int64     >= firstOffset; every offset in between is acked, in order
 *
 * Response v2          type      meaning (default in an error frame)
 * -------------------  --------  -----------------------------------------------------------
 * error, errorMessage  int16, string?  whole-request outcome (UNKNOWN_GROUP_MEMBER, ...)
 * results              [Range]   per offset, in request order, consecutive ones with one error
 *                                coalesced ([])
 *   partition          int32
 *   firstOffset        int64
 *   lastOffset         int64     >= firstOffset
 *   error              int16     NONE, STALE_LEASE (redelivered elsewhere: do not count it as
 *                                settled), OFFSET_OUT_OF_RANGE (never delivered), STORAGE_ERROR
 *
 * Version 1: items [partition int32, leaseEpoch int64, offset int64] and results
 * [partition int32, offset int64, error int16], one per offset; otherwise the same.
 * </pre>
 *
 * <p>The ack is durable (group commit) before it is answered.
 */
public final class Ack {
    /** The layout version that carries ranges. */
    public static final short VERSION_RANGES = 2;
    /** The per-item layout. */
    public static final short VERSION_ITEMS = 1;

    private Ack() {
    }

    /** Identifies one delivery to settle. */
    public record Item(int partition, long leaseEpoch, long offset) {
        static final int ENCODED_BYTES = 4 + 8 + 8;
        static final int RANGE_ENCODED_BYTES = 4 + 8 + 8 + 8;

        public Item {
            Check.range("partition", partition, 0, Protocol.MAX_PARTITIONS_PER_TOPIC - 1);
            Check.range("leaseEpoch", leaseEpoch, 0, Long.MAX_VALUE);
            Check.range("offset", offset, 0, Long.MAX_VALUE);
        }
    }

    /** The outcome for one {@link Item}. */
    public record Result(int partition, long offset, ErrorCode error) {
        static final int ENCODED_BYTES = 4 + 8 + 2;
        static final int RANGE_ENCODED_BYTES = 4 + 8 + 8 + 2;

        public Result {
            Check.notNull(error, "error");
        }
    }

    /** @param version the layout it travels in: {@link #VERSION_RANGES} (default) or {@link #VERSION_ITEMS} */
    public record Request(String group, String memberId, List<Item> items, short version) implements ApiRequest {
        public Request {
            Check.notNull(group, "group");
            Check.notNull(memberId, "memberId");
            items = AckItemRanges.of(items);
            Check.range("items", items.size(), 1, Protocol.MAX_LIST_ITEMS);
            checkVersion(version);
        }

        /** A request in the latest layout (ranges). */
        public Request(String group, String memberId, List<Item> items) {
            this(group, memberId, items, VERSION_RANGES);
        }

        /** {@link #items()} as the ranges it holds. */
        public AckItemRanges itemRanges() {
            return (AckItemRanges) items;
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.ACK;
        }

        @Override
        public short apiVersion() {
            return version;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeString(group).writeString(memberId);
            if (version == VERSION_ITEMS) {
                writeItems(w, items);
            } else {
                writeItemRanges(w, itemRanges());
            }
        }

        public static Request decode(WireReader r) throws ProtocolException {
            return decode(r, VERSION_ITEMS);
        }

        public static Request decode(WireReader r, short version) throws ProtocolException {
            String group = r.readString("group");
            String memberId = r.readString("memberId");
            return new Request(group, memberId, version == VERSION_ITEMS ? readItems(r) : readItemRanges(r), version);
        }
    }

    /** @param version as the request's: a response is written in the version of the request it answers */
    public record Response(ErrorCode error, String errorMessage, List<Result> results, short version)
            implements ApiResponse {
        public Response {
            Check.notNull(error, "error");
            results = AckResultRanges.of(results);
            checkVersion(version);
        }

        /** {@link #results()} as the ranges it holds. */
        public AckResultRanges resultRanges() {
            return (AckResultRanges) results;
        }

        public Response(ErrorCode error, String errorMessage, List<Result> results) {
            this(error, errorMessage, results, VERSION_RANGES);
        }

        public static Response error(ErrorCode error, String message) {
            return new Response(error, message, List.of());
        }

        /** This response in {@code v}'s layout (to answer a request of that version). */
        public Response inVersion(short v) {
            return v == version ? this : new Response(error, errorMessage, results, v);
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.ACK;
        }

        @Override
        public short apiVersion() {
            return version;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeErrorCode(error).writeNullableString(errorMessage);
            if (version == VERSION_ITEMS) {
                writeResults(w, results);
            } else {
                writeResultRanges(w, resultRanges());
            }
        }

        public static Response decode(WireReader r) throws ProtocolException {
            return decode(r, VERSION_ITEMS);
        }

        public static Response decode(WireReader r, short version) throws ProtocolException {
            ErrorCode error = r.readErrorCode();
            String message = r.readNullableString();
            return new Response(error, message, version == VERSION_ITEMS ? readResults(r) : readResultRanges(r),
                    version);
        }
    }

    private static void checkVersion(short version) {
        if (version != VERSION_ITEMS && version != VERSION_RANGES) {
            throw new IllegalArgumentException("ACK version " + version + ", known " + VERSION_ITEMS + ".."
                    + VERSION_RANGES);
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

    static void writeItemRanges(WireWriter w, AckItemRanges items) {
        w.writeCount(items.rangeCount());
        for (int i = 0; i < items.rangeCount(); i++) {
            w.writeInt32(items.partition(i)).writeInt64(items.leaseEpoch(i)).writeInt64(items.firstOffset(i))
                    .writeInt64(items.lastOffset(i));
        }
    }

    static AckItemRanges readItemRanges(WireReader r) throws ProtocolException {
        return readItemRanges(r, false);
    }

    /** @param mayBeEmpty an ACK must settle something; the acks riding on a POLL may be none */
    static AckItemRanges readItemRanges(WireReader r, boolean mayBeEmpty) throws ProtocolException {
        int count = r.readCount(Item.RANGE_ENCODED_BYTES);
        if (count == 0 && !mayBeEmpty) {
            throw WireReader.invalid("ranges is empty; send at least one");
        }
        AckItemRanges.Builder items = AckItemRanges.builder();
        for (int n = 0; n < count; n++) {
            int partition = r.readInt32("partition", 0, Protocol.MAX_PARTITIONS_PER_TOPIC - 1);
            long epoch = r.readInt64("leaseEpoch", 0, Long.MAX_VALUE);
            long first = r.readInt64("firstOffset", 0, Long.MAX_VALUE);
            long last = r.readInt64("lastOffset", first, Long.MAX_VALUE);
            checkExpansion(items.size(), first, last);
            items.addRange(partition, epoch, first, last);
        }
        return items.build();
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

    static void writeResultRanges(WireWriter w, AckResultRanges results) {
        w.writeCount(results.rangeCount());
        for (int i = 0; i < results.rangeCount(); i++) {
            w.writeInt32(results.partition(i)).writeInt64(results.firstOffset(i)).writeInt64(results.lastOffset(i))
                    .writeErrorCode(results.error(i));
        }
    }

    static AckResultRanges readResultRanges(WireReader r) throws ProtocolException {
        int count = r.readCount(Result.RANGE_ENCODED_BYTES);
        AckResultRanges.Builder results = AckResultRanges.builder();
        for (int n = 0; n < count; n++) {
            int partition = r.readInt32();
            long first = r.readInt64();
            long last = r.readInt64();
            ErrorCode error = r.readErrorCode();
            if (last < first) {
                throw WireReader.invalid("result range " + first + ".." + last + " ends before it starts");
            }
            checkExpansion(results.size(), first, last);
            results.addRange(partition, first, last, error);
        }
        return results.build();
    }

    /**
     * Ranges expand to at most MAX_LIST_ITEMS offsets per list. {@code last - first} is compared without the
     * {@code + 1}: a range 0..Long.MAX_VALUE made {@code last - first + 1} overflow to a negative count that
     * passed, and the expansion loop then ran until the broker's heap was gone (fuzzing finding).
     */
    private static void checkExpansion(int sofar, long first, long last) throws ProtocolException {
        long span = last - first; // negative when last < first or when the subtraction overflowed
        if (span < 0 || span >= Protocol.MAX_LIST_ITEMS - sofar) {
            throw WireReader.invalid("ranges cover more than " + Protocol.MAX_LIST_ITEMS + " offsets");
        }
    }
}
