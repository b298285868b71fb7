package io.semel.client;

import io.semel.protocol.Header;
import java.util.List;
import java.util.Objects;

/**
 * One record read from a partition by {@link PartitionReader}, with its offset. Arrays are not copied.
 *
 * @param key nullable
 * @param value nullable (a tombstone)
 * @param timestampMs the producer's timestamp of the record's batch (the first record's), epoch ms
 */
public record PartitionRecord(String topic, int partition, long offset, byte[] key, byte[] value,
        List<Header> headers, long timestampMs) {
    public PartitionRecord {
        Objects.requireNonNull(topic, "topic");
        headers = List.copyOf(headers);
    }

    /** The value of the first header named {@code key}, as UTF-8, or null. */
    public String header(String key) {
        for (Header h : headers) {
            if (h.key().equals(key)) {
                return h.valueAsString();
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "PartitionRecord[" + topic + "-" + partition + "@" + offset + ", key " + (key == null ? "null"
                : key.length + " bytes") + ", value " + (value == null ? "null" : value.length + " bytes") + "]";
    }
}
