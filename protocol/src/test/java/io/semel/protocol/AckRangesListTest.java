package io.semel.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * {@link AckItemRanges} and {@link AckResultRanges} as lists: equal to any list of the same
 * elements however the ranges were built, indexed across range boundaries, merged exactly where
 * offsets adjoin, and carried unchanged through ACK v1 and v2.
 */
class AckRangesListTest {
    private final FrameCodec codec = new FrameCodec(Protocol.MAX_FRAME_BYTES_DEFAULT);

    private static Ack.Item item(int partition, long epoch, long offset) {
        return new Ack.Item(partition, epoch, offset);
    }

    private static Ack.Result result(int partition, long offset, ErrorCode error) {
        return new Ack.Result(partition, offset, error);
    }

    @Test
    void itemRangesEqualThePlainListHoweverBuilt() {
        List<Ack.Item> plain = List.of(item(0, 1, 5), item(0, 1, 6), item(0, 1, 7), item(1, 1, 8), item(0, 1, 9));
        AckItemRanges byItem = AckItemRanges.of(plain);
        AckItemRanges byRanges = AckItemRanges.builder().addRange(0, 1, 5, 6).add(0, 1, 7).addRange(1, 1, 8, 8)
                .add(0, 1, 9).build();
        AckItemRanges fromArrayList = AckItemRanges.of(new ArrayList<>(plain));

        for (List<Ack.Item> l : List.of(byItem, byRanges, fromArrayList)) {
            assertThat(l).isEqualTo(plain).hasSameHashCodeAs(plain);
            assertThat(plain).isEqualTo(l);
        }
        assertThat(byItem).isEqualTo(byRanges).hasSameHashCodeAs(byRanges);
        assertThat(byRanges.rangeCount()).as("5..7 of 0, 8 of 1, 9 of 0").isEqualTo(3);
        assertThat(AckItemRanges.of(byRanges)).as("already ranges: the same object").isSameAs(byRanges);
        assertThat(byRanges).isNotEqualTo(List.of(item(0, 1, 5), item(0, 1, 6), item(0, 1, 7), item(1, 1, 8)));
        assertThat(byRanges).isNotEqualTo(List.of(item(0, 1, 5), item(0, 1, 6), item(0, 1, 7), item(1, 1, 8),
                item(0, 2, 9)));
    }

    @Test
    void resultRangesEqualThePlainListHoweverBuilt() {
        List<Ack.Result> plain = List.of(result(0, 5, ErrorCode.NONE), result(0, 6, ErrorCode.NONE),
                result(0, 7, ErrorCode.STALE_LEASE), result(0, 8, ErrorCode.STALE_LEASE), result(2, 9, ErrorCode.NONE));
        AckResultRanges byResult = AckResultRanges.of(plain);
        AckResultRanges byRanges = AckResultRanges.builder().add(0, 5, ErrorCode.NONE).add(0, 6, ErrorCode.NONE)
                .addRange(0, 7, 8, ErrorCode.STALE_LEASE).addRange(2, 9, 9, ErrorCode.NONE).build();
        for (List<Ack.Result> l : List.of(byResult, byRanges)) {
            assertThat(l).isEqualTo(plain).hasSameHashCodeAs(plain);
            assertThat(plain).isEqualTo(l);
        }
        assertThat(byRanges.rangeCount()).isEqualTo(3);
        assertThat(byRanges.error(1)).isEqualTo(ErrorCode.STALE_LEASE);
        assertThat(AckResultRanges.of(byRanges)).isSameAs(byRanges);
    }

    @Test
    void getWalksAcrossRangeBoundariesAndRefusesIndexesOutside() {
        AckItemRanges r = AckItemRanges.builder().addRange(3, 7, 10, 12).addRange(3, 8, 13, 13).addRange(4, 8, 0, 1)
                .build();
        assertThat(r).hasSize(6);
        assertThat(r.get(0)).isEqualTo(item(3, 7, 10));
        assertThat(r.get(2)).as("last of the first range").isEqualTo(item(3, 7, 12));
        assertThat(r.get(3)).as("the only one of the second").isEqualTo(item(3, 8, 13));
        assertThat(r.get(4)).as("first of the third").isEqualTo(item(4, 8, 0));
        assertThat(r.get(5)).isEqualTo(item(4, 8, 1));
        assertThatThrownBy(() -> r.get(6)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> r.get(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> AckItemRanges.empty().get(0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> r.partition(3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> r.count(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> r.lastOffset(3)).isInstanceOf(IndexOutOfBoundsException.class);

        AckResultRanges res = AckResultRanges.builder().addRange(0, 0, 2, ErrorCode.NONE)
                .addRange(0, 3, 3, ErrorCode.OFFSET_OUT_OF_RANGE).build();
        assertThat(res.get(2)).isEqualTo(result(0, 2, ErrorCode.NONE));
        assertThat(res.get(3)).isEqualTo(result(0, 3, ErrorCode.OFFSET_OUT_OF_RANGE));
        assertThatThrownBy(() -> res.get(4)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void theBuilderMergesAdjoiningOffsetsOfOnePartitionAndEpochOnly() {
        AckItemRanges r = AckItemRanges.builder()
                .add(0, 1, 0).add(0, 1, 1).addRange(0, 1, 2, 4) // one range 0..4
                .add(0, 1, 6) // gap
                .add(0, 2, 7) // new epoch
                .add(1, 2, 8) // other partition
                .add(1, 2, 8) // the same offset again: not adjoining
                .add(1, 2, 7) // backwards: not adjoining
                .build();
        assertThat(r.rangeCount()).isEqualTo(6);
        assertThat(r.size()).isEqualTo(10);
        long[][] expected = {{0, 1, 0, 4}, {0, 1, 6, 6}, {0, 2, 7, 7}, {1, 2, 8, 8}, {1, 2, 8, 8}, {1, 2, 7, 7}};
        for (int i = 0; i < expected.length; i++) {
            assertThat(new long[] {r.partition(i), r.leaseEpoch(i), r.firstOffset(i), r.lastOffset(i)})
                    .as("range %d", i).containsExactly(expected[i]);
            assertThat(r.count(i)).isEqualTo(expected[i][3] - expected[i][2] + 1);
        }

        AckResultRanges res = AckResultRanges.builder().add(0, 0, ErrorCode.NONE).add(0, 1, ErrorCode.NONE)
                .add(0, 2, ErrorCode.STALE_LEASE).add(1, 3, ErrorCode.STALE_LEASE).add(1, 5, ErrorCode.STALE_LEASE)
                .addRange(1, 6, 9, ErrorCode.STALE_LEASE).build();
        assertThat(res.rangeCount()).as("error change, partition change, gap").isEqualTo(4);
        assertThat(res.firstOffset(3)).isEqualTo(5);
        assertThat(res.lastOffset(3)).isEqualTo(9);
        assertThat(res.count(3)).isEqualTo(5);
        assertThat(res.error(0)).isEqualTo(ErrorCode.NONE);
    }

    @Test
    void emptyListsAreEmpty() {
        assertThat(AckItemRanges.empty()).isEmpty();
        assertThat(AckItemRanges.empty().rangeCount()).isZero();
        assertThat(AckItemRanges.of(List.of())).isEqualTo(List.of()).hasSameHashCodeAs(List.of());
        assertThat(AckResultRanges.empty()).isEqualTo(List.of());
        assertThat(AckResultRanges.builder().build().rangeCount()).isZero();
    }

    @Test
    void invalidItemsAreRejected() {
        AckItemRanges.Builder b = AckItemRanges.builder();
        assertThatThrownBy(() -> b.add(-1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.add(Protocol.MAX_PARTITIONS_PER_TOPIC, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.add(0, -1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.add(0, 0, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.addRange(0, 0, 5, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.addRange(0, 0, 0, Long.MAX_VALUE)).as("more than a list holds")
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(b.size()).as("nothing rejected was added").isZero();
        assertThat(b.build()).isEmpty();

        AckResultRanges.Builder rb = AckResultRanges.builder();
        assertThatThrownBy(() -> rb.addRange(0, 5, 4, ErrorCode.NONE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> rb.add(0, 5, null)).isInstanceOf(NullPointerException.class);
        assertThat(rb.size()).isZero();
    }

    /**
     * Long.MAX_VALUE and Long.MIN_VALUE are not adjoining offsets: merged as if they were (MAX + 1
     * overflowed to MIN), the range ended before it started, and a v2 response of two valid results
     * could not be read back ("ends before it starts").
     */
    @Test
    void offsetsDoNotAdjoinAcrossTheOverflow() throws ProtocolException {
        List<Ack.Result> results = List.of(result(0, Long.MAX_VALUE, ErrorCode.NONE),
                result(0, Long.MIN_VALUE, ErrorCode.NONE));
        AckResultRanges ranges = AckResultRanges.of(results);
        assertThat(ranges.rangeCount()).isEqualTo(2);
        assertThat(ranges.lastOffset(0)).isEqualTo(Long.MAX_VALUE);
        assertThat(ranges).isEqualTo(results);
        Ack.Response response = new Ack.Response(ErrorCode.NONE, null, results);
        assertThat(codec.decodeResponse(codec.next(codec.encodeResponse(3, response)).orElseThrow()))
                .isEqualTo(response);
    }

    // ---- properties ---------------------------------------------------------------------------

    @Provide
    Arbitrary<List<Ack.Item>> items() {
        // Few partitions, epochs and offsets, so that runs (and breaks in them) are common.
        Arbitrary<Ack.Item> item = Combinators.combine(Arbitraries.integers().between(0, 2),
                Arbitraries.longs().between(0, 2), Arbitraries.longs().between(0, 12))
                .as(Ack.Item::new);
        Arbitrary<List<Ack.Item>> run = Combinators.combine(item, Arbitraries.integers().between(1, 6))
                .as((first, n) -> {
                    List<Ack.Item> out = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        out.add(new Ack.Item(first.partition(), first.leaseEpoch(), first.offset() + i));
                    }
                    return out;
                });
        return run.list().ofMinSize(1).ofMaxSize(12).map(runs -> {
            List<Ack.Item> out = new ArrayList<>();
            runs.forEach(out::addAll);
            return out;
        });
    }

    @Provide
    Arbitrary<List<Ack.Result>> results() {
        Arbitrary<ErrorCode> errors = Arbitraries.of(ErrorCode.NONE, ErrorCode.STALE_LEASE,
                ErrorCode.OFFSET_OUT_OF_RANGE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        Arbitrary<List<Ack.Result>> run = Combinators.combine(Arbitraries.integers().between(0, 2),
                Arbitraries.longs().between(0, 12), Arbitraries.integers().between(1, 6), errors)
                .as((p, first, n, e) -> {
                    List<Ack.Result> out = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        out.add(new Ack.Result(p, first + i, e));
                    }
                    return out;
                });
        return run.list().ofMaxSize(12).map(runs -> {
            List<Ack.Result> out = new ArrayList<>();
            runs.forEach(out::addAll);
            return out;
        });
    }

    @Property(tries = 500)
    void itemsAsRangesEqualTheListAndRoundTripInBothVersions(@ForAll("items") List<Ack.Item> items)
            throws ProtocolException {
        AckItemRanges ranges = AckItemRanges.of(items);
        assertThat(ranges).isEqualTo(items).hasSameHashCodeAs(items).hasSize(items.size());
        for (int i = 0; i < items.size(); i++) {
            assertThat(ranges.get(i)).isEqualTo(items.get(i));
        }
        assertMaximalRanges(ranges);

        for (short v : new short[] {Ack.VERSION_RANGES, Ack.VERSION_ITEMS}) {
            Ack.Request request = new Ack.Request("g", "m", items, v);
            Ack.Request decoded = (Ack.Request) codec.decodeRequest(
                    codec.next(codec.encodeRequest(3, request)).orElseThrow());
            assertThat(decoded).isEqualTo(request);
            assertThat(decoded.items()).isEqualTo(items);
            assertThat(decoded.itemRanges().rangeCount()).as("v%d: the same ranges", v)
                    .isEqualTo(ranges.rangeCount());
        }
    }

    @Property(tries = 500)
    void resultsAsRangesEqualTheListAndRoundTripInBothVersions(@ForAll("results") List<Ack.Result> results)
            throws ProtocolException {
        AckResultRanges ranges = AckResultRanges.of(results);
        assertThat(ranges).isEqualTo(results).hasSameHashCodeAs(results).hasSize(results.size());
        for (int r = 0; r < ranges.rangeCount(); r++) {
            assertThat(ranges.lastOffset(r)).isGreaterThanOrEqualTo(ranges.firstOffset(r));
            if (r > 0) {
                assertThat(ranges.partition(r) == ranges.partition(r - 1) && ranges.error(r) == ranges.error(r - 1)
                        && ranges.firstOffset(r) == ranges.lastOffset(r - 1) + 1).as("range %d continues %d", r, r - 1)
                        .isFalse();
            }
        }
        for (short v : new short[] {Ack.VERSION_RANGES, Ack.VERSION_ITEMS}) {
            Ack.Response response = new Ack.Response(ErrorCode.NONE, null, results, v);
            ByteBuffer framed = codec.encodeResponse(3, response);
            Ack.Response decoded = (Ack.Response) codec.decodeResponse(codec.next(framed).orElseThrow());
            assertThat(decoded).isEqualTo(response);
            assertThat(decoded.results()).isEqualTo(results);
            assertThat(decoded.resultRanges().rangeCount()).isEqualTo(ranges.rangeCount());
        }
    }

    /** No range continues the one before it: equal lists have equal ranges. */
    private static void assertMaximalRanges(AckItemRanges r) {
        int total = 0;
        for (int i = 0; i < r.rangeCount(); i++) {
            assertThat(r.count(i)).isPositive();
            assertThat(r.lastOffset(i) - r.firstOffset(i) + 1).isEqualTo(r.count(i));
            total += r.count(i);
            if (i > 0) {
                assertThat(r.partition(i) == r.partition(i - 1) && r.leaseEpoch(i) == r.leaseEpoch(i - 1)
                        && r.firstOffset(i) == r.lastOffset(i - 1) + 1).as("range %d continues %d", i, i - 1).isFalse();
            }
        }
        assertThat(total).isEqualTo(r.size());
    }
}
