package io.semel.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.semel.protocol.AckResultRanges;
import io.semel.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AckResultsTest {
    /** Offsets 10..19 of partition 0: 10..13 settled, 14..15 stale, 16..19 settled. */
    private static final List<Message> MESSAGES = messages(10, 10);
    private static final AckResultRanges RANGES = AckResultRanges.builder()
            .addRange(0, 10, 13, ErrorCode.NONE)
            .addRange(0, 14, 15, ErrorCode.STALE_LEASE)
            .addRange(0, 16, 19, ErrorCode.NONE)
            .build();

    @Test
    void readsAsTheResultsMadeOneByOne() {
        AckResults lazy = new AckResults(MESSAGES, RANGES);
        assertEquals(eager(MESSAGES, RANGES), lazy);
        assertEquals(ErrorCode.STALE_LEASE, lazy.get(4).error());
        assertEquals(MESSAGES.get(4), lazy.get(4).message());
        assertThrows(IndexOutOfBoundsException.class, () -> lazy.get(10));
        assertThrows(UnsupportedOperationException.class, () -> lazy.set(0, lazy.get(1)));
    }

    @Test
    void failuresAreTheRefusedOnesInOrder() {
        AckResults lazy = new AckResults(MESSAGES, RANGES);
        List<AckResult> expected = List.of(new AckResult(MESSAGES.get(4), ErrorCode.STALE_LEASE),
                new AckResult(MESSAGES.get(5), ErrorCode.STALE_LEASE));
        assertEquals(expected, AckResult.failures(lazy));
        // Any other list gives the same answer, element by element.
        assertEquals(expected, AckResult.failures(new ArrayList<>(lazy)));
        assertEquals(List.of(), AckResult.failures(lazy.subList(6, 10)));
    }

    @Test
    void subListsCutTheRangesAtTheirBounds() {
        AckResults lazy = new AckResults(MESSAGES, RANGES);
        List<AckResult> all = eager(MESSAGES, RANGES);
        for (int from = 0; from <= 10; from++) {
            for (int to = from; to <= 10; to++) {
                List<AckResult> view = lazy.subList(from, to);
                assertInstanceOf(AckResults.class, view);
                assertEquals(all.subList(from, to), view, from + ".." + to);
                assertEquals(AckResult.failures(all.subList(from, to)), AckResult.failures(view), from + ".." + to);
            }
        }
        assertEquals(all.subList(3, 5), lazy.subList(2, 8).subList(1, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> lazy.subList(4, 11));
    }

    @Test
    void refusesResultsThatDoNotMatchTheMessages() {
        assertThrows(IllegalArgumentException.class, () -> new AckResults(messages(10, 9), RANGES));
    }

    private static List<AckResult> eager(List<Message> messages, AckResultRanges ranges) {
        List<AckResult> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            out.add(new AckResult(messages.get(i), ranges.get(i).error()));
        }
        return out;
    }

    private static List<Message> messages(long first, int count) {
        List<Message> out = new ArrayList<>();
        for (long o = first; o < first + count; o++) {
            out.add(new Message("orders", 0, o, 1, 3, null, new byte[] {(byte) o}, List.of(), 0));
        }
        return List.copyOf(out);
    }
}
