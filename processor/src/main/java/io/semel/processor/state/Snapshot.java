package io.semel.processor.state;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A state machine's encoded state and, per partition, the next offset to apply after it.
 *
 * @param index increasing snapshot number (names the file)
 * @param positions partition → next offset to apply
 */
public record Snapshot(long index, Map<Integer, Long> positions, byte[] state) {
    public Snapshot {
        Objects.requireNonNull(state, "state");
        positions = java.util.Collections.unmodifiableMap(new TreeMap<>(positions));
        if (index < 0) {
            throw new IllegalArgumentException("index must be >= 0, was " + index);
        }
    }
}
