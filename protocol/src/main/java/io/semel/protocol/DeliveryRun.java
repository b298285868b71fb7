package io.semel.protocol;

import io.semel.protocol.internal.Check;
import io.semel.protocol.internal.WireReader;
import io.semel.protocol.internal.WireWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Deliveries of consecutive offsets of one partition that share their lease epoch, delivery count
 * and timestamp: how {@link Poll} v4 carries them, so the records travel in their stored layout
 * ({@link RecordSlice}) and what every delivery would repeat is said once. Immutable.
 *
 * <pre>
 * field          type       meaning
 * -------------  ---------  ------------------------------------------------------------------
 * topic          string
 * partition      int32      0..{@value Protocol#MAX_PARTITIONS_PER_TOPIC}-1
 * leaseEpoch     int64      lease the deliveries were made under; send it back with ACK/NACK
 * deliveryCount  int32      of every delivery of the run; >= 1
 * timestampMs    int64      producer's timestamp of the records' batch, ms since the epoch
 * firstOffset    int64      offset of the first record; the others follow one by one; >= 0
 * recordCount    int32      records in the run; >= 1
 * recordBytes    int32      bytes of the records that follow
 * records        bytes      recordCount records in {@link RecordBatch}'s record layout
 * </pre>
 */
public record DeliveryRun(String topic, int partition, long leaseEpoch, int deliveryCount, long timestampMs,
        long firstOffset, RecordSlice records) {
    /** Bytes a run takes besides its topic and its records. */
    static final int FIXED_BYTES = 2 + 4 + 8 + 4 + 8 + 8 + 4 + 4;
    /** Smallest encoding: empty topic, one record with null key and value and no headers. */
    static final int MIN_ENCODED_BYTES = FIXED_BYTES + RecordBatch.RECORD_MIN_BYTES;

    public DeliveryRun {
        Check.notNull(topic, "topic");
        Check.range("partition", partition, 0, Protocol.MAX_PARTITIONS_PER_TOPIC - 1);
        Check.range("leaseEpoch", leaseEpoch, 0, Long.MAX_VALUE);
        Check.range("deliveryCount", deliveryCount, 1, Integer.MAX_VALUE);
        Check.notNull(records, "records");
        // Every offset of the run must be a non-negative long.
        Check.range("firstOffset", firstOffset, 0, Long.MAX_VALUE - records.count());
    }

    /** Offset of the last record. */
    public long lastOffset() {
        return firstOffset + records.count() - 1;
    }

    /** Appends the run's deliveries to {@code out}, decoded. */
    public void addDeliveriesTo(List<Delivery> out) {
        records.forEach((i, key, value, headers) -> out.add(new Delivery(topic, partition, firstOffset + i,
                deliveryCount, leaseEpoch, timestampMs, key, value, headers)));
    }

    /** Groups {@code deliveries} into runs, keeping their order: a new run wherever one cannot continue. */
    public static List<DeliveryRun> of(List<Delivery> deliveries) {
        List<DeliveryRun> runs = new ArrayList<>();
        int i = 0;
        while (i < deliveries.size()) {
            Delivery first = deliveries.get(i);
            List<LogRecord> records = new ArrayList<>();
            int j = i;
            while (j < deliveries.size() && continues(first, j - i, deliveries.get(j))) {
                Delivery d = deliveries.get(j);
                records.add(new LogRecord(d.key(), d.value(), d.headers()));
                j++;
            }
            runs.add(new DeliveryRun(first.topic(), first.partition(), first.leaseEpoch(), first.deliveryCount(),
                    first.timestampMs(), first.offset(), RecordSlice.of(records)));
            i = j;
        }
        return runs;
    }

    /** Whether {@code d} can be the {@code index}-th delivery of a run that starts with {@code first}. */
    private static boolean continues(Delivery first, int index, Delivery d) {
        return d.topic().equals(first.topic()) && d.partition() == first.partition()
                && d.leaseEpoch() == first.leaseEpoch() && d.deliveryCount() == first.deliveryCount()
                && d.timestampMs() == first.timestampMs() && d.offset() - index == first.offset();
    }

    void encode(WireWriter w) {
        w.writeString(topic).writeInt32(partition).writeInt64(leaseEpoch).writeInt32(deliveryCount)
                .writeInt64(timestampMs).writeInt64(firstOffset).writeInt32(records.count())
                .writeInt32(records.sizeInBytes()).writeRaw(records.buffer());
    }

    /** Bytes {@link #encode} writes, the topic counted as ASCII: a buffer size hint only. */
    int encodedBytesHint() {
        return FIXED_BYTES + topic.length() + records.sizeInBytes();
    }

    static DeliveryRun decode(WireReader r) throws ProtocolException {
        String topic = r.readString("topic");
        int partition = r.readInt32("partition", 0, Protocol.MAX_PARTITIONS_PER_TOPIC - 1);
        long leaseEpoch = r.readInt64("leaseEpoch", 0, Long.MAX_VALUE);
        int deliveryCount = r.readInt32("deliveryCount", 1, Integer.MAX_VALUE);
        long timestampMs = r.readInt64();
        long firstOffset = r.readInt64("firstOffset", 0, Long.MAX_VALUE);
        int count = r.readInt32("recordCount", 1, Protocol.MAX_LIST_ITEMS);
        if (firstOffset > Long.MAX_VALUE - count) {
            throw WireReader.invalid("firstOffset " + firstOffset + " with " + count + " records overflows");
        }
        int bytes = r.readInt32("recordBytes", count * RecordBatch.RECORD_MIN_BYTES, Integer.MAX_VALUE);
        return new DeliveryRun(topic, partition, leaseEpoch, deliveryCount, timestampMs, firstOffset,
                r.readSlice(count, bytes));
    }
}
