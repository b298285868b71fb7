package io.semel.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JoinedTest {
    @Test
    void readsAsTheConcatenationWhateverThePartSizes() {
        List<List<Integer>> parts = List.of(List.of(0, 1, 2), List.of(), List.of(3), List.of(4, 5), List.of());
        List<Integer> all = new ArrayList<>();
        parts.forEach(all::addAll);
        Joined<Integer> joined = new Joined<>(parts);
        assertEquals(all, joined);
        for (int i = 0; i < all.size(); i++) {
            assertEquals(all.get(i), joined.get(i), "index " + i);
        }
        assertThrows(IndexOutOfBoundsException.class, () -> joined.get(6));
        assertThrows(IndexOutOfBoundsException.class, () -> joined.get(-1));
        assertThrows(UnsupportedOperationException.class, () -> joined.add(6));
        assertEquals(List.of(), new Joined<>(List.of(List.<Integer>of(), List.of())));
    }
}
