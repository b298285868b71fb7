package io.semel.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.semel.protocol.Ack;
import io.semel.protocol.AckItemRanges;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeliveredTest {
    /** Two runs of partition 2 under different leases, then one of partition 0. */
    private static final Delivered FETCHED = delivered(List.of(
            new Run(2, 7, 100, 4), new Run(2, 8, 104, 3), new Run(0, 1, 50, 5)));

    @Test
    void everySliceCarriesTheItemsOfExactlyItsMessages() {
        for (int from = 0; from <= FETCHED.size(); from++) {
            for (int to = from; to <= FETCHED.size(); to++) {
                Delivered slice = FETCHED.slice(from, to);
                assertEquals(FETCHED.subList(from, to), slice);
                assertEquals(itemsOf(slice), slice.ackItems(), from + ".." + to);
            }
        }
    }

    @Test
    void aJoinCarriesBothListsItems() {
        Delivered joined = Delivered.join(FETCHED.slice(2, 6), FETCHED.slice(9, 12));
        assertEquals(12 - 9 + 6 - 2, joined.size());
        assertEquals(itemsOf(joined), joined.ackItems());
        // Adjoining runs merge back into one range.
        assertEquals(FETCHED.ackItems(), Delivered.join(FETCHED.slice(0, 5), FETCHED.slice(5, 12)).ackItems());
    }

    @Test
    void refusesItemsThatDoNotMatchAndStaysUnmodifiable() {
        assertThrows(IllegalArgumentException.class, () -> new Delivered(FETCHED.subList(0, 3), FETCHED.ackItems()));
        assertThrows(UnsupportedOperationException.class, () -> FETCHED.slice(0, 2).remove(0));
    }

    private record Run(int partition, long epoch, long first, int count) {
    }

    private static Delivered delivered(List<Run> runs) {
        List<Message> messages = new ArrayList<>();
        AckItemRanges.Builder items = AckItemRanges.builder();
        for (Run r : runs) {
            for (int i = 0; i < r.count(); i++) {
                messages.add(new Message("orders", r.partition(), r.first() + i, 1, r.epoch(), null, new byte[0],
                        List.of(), 0));
            }
            items.addRange(r.partition(), r.epoch(), r.first(), r.first() + r.count() - 1);
        }
        return new Delivered(List.copyOf(messages), items.build());
    }

    /** What acking the messages one by one would send. */
    private static List<Ack.Item> itemsOf(List<Message> messages) {
        List<Ack.Item> out = new ArrayList<>();
        for (Message m : messages) {
            out.add(new Ack.Item(m.partition(), m.leaseEpoch(), m.offset()));
        }
        return out;
    }
}
