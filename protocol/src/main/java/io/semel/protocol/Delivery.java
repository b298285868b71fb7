package io.semel.protocol;

import io.semel.protocol.internal.Check;
import io.semel.protocol.internal.WireReader;
import io.semel.protocol.internal.WireWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One message handed to a group member by {@link Poll}. Immutable; the arrays are not copied.
 *
 * <pre>
 * field          type       meaning
 * -------------  ---------  ------------------------------------------------------------------
 * topic          string
 * partition      int32      0..{@value Protocol#MAX_PARTITIONS_PER_TOPIC}-1
 * offset         int64      the record's offset; >= 0
 * deliveryCount  int32      1 on first delivery, +1 on each redelivery; >= 1
 * leaseEpoch     int64      lease under which it was delivered; send it back with ACK/NACK
 * timestampMs    int64      producer's timestamp of the batch, ms since the epoch
 * key            bytes?     null when the record has no key
 * value          bytes?     null when the record has no value
 * headers        [Header]   each: key string, value bytes
 * </pre>
 */
public record Delivery(String topic, int partition, long offset, int deliveryCount, long leaseEpoch,
        long timestampMs, byte[] key, byte[] value, List<Header> headers) {
    /** Smallest encoding: empty topic, null key and value, no headers. */
    static final int MIN_ENCODED_BYTES = 2 + 4 + 8 + 4 + 8 + 8 + 4 + 4 + 4;

    public Delivery {
        Check.notNull(topic, "topic");
        Check.range("partition", partition, 0, Protocol.MAX_PARTITIONS_PER_TOPIC - 1);
        Check.range("offset", offset, 0, Long.MAX_VALUE);
        Check.range("deliveryCount", deliveryCount, 1, Integer.MAX_VALUE);
        Check.range("leaseEpoch", leaseEpoch, 0, Long.MAX_VALUE);
        headers = List.copyOf(headers);
    }

    void encode(WireWriter w) {
        w.writeString(topic).writeInt32(partition).writeInt64(offset).writeInt32(deliveryCount)
                .writeInt64(leaseEpoch).writeInt64(timestampMs).writeNullableBytes(key).writeNullableBytes(value)
                .writeHeaders(headers);
    }

    /** About the bytes {@link #encode} writes (header keys counted as ASCII): a buffer size hint only. */
    int encodedBytesHint() {
        long n = MIN_ENCODED_BYTES + topic.length() + (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        for (Header h : headers) {
            n += 6 + h.key().length() + h.value().length;
        }
        return (int) Math.min(Integer.MAX_VALUE, n);
    }

    static Delivery decode(WireReader r) throws ProtocolException {
        return new Delivery(r.readString("topic"), r.readInt32("partition", 0, Protocol.MAX_PARTITIONS_PER_TOPIC - 1),
                r.readInt64("offset", 0, Long.MAX_VALUE), r.readInt32("deliveryCount", 1, Integer.MAX_VALUE),
                r.readInt64("leaseEpoch", 0, Long.MAX_VALUE), r.readInt64(), r.readNullableBytes(),
                r.readNullableBytes(), r.readHeaders());
    }

    /** Compares array contents: two deliveries of the same bytes are equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Delivery d && topic.equals(d.topic) && partition == d.partition && offset == d.offset
                && deliveryCount == d.deliveryCount && leaseEpoch == d.leaseEpoch && timestampMs == d.timestampMs
                && Arrays.equals(key, d.key) && Arrays.equals(value, d.value) && headers.equals(d.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset, deliveryCount, leaseEpoch, timestampMs,
                Arrays.hashCode(key), Arrays.hashCode(value), headers);
    }

    @Override
    public String toString() {
        return "Delivery[" + topic + "/" + partition + "@" + offset + ", count " + deliveryCount + ", lease "
                + leaseEpoch + ", key " + (key == null ? "null" : key.length + "B") + ", value "
                + (value == null ? "null" : value.length + "B") + ", " + headers.size() + " headers]";
    }
}
