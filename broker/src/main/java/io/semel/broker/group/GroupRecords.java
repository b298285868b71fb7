package io.semel.broker.group;

import io.semel.broker.group.GroupRecord.Delivered;
import io.semel.broker.group.GroupRecord.DeliveredRange;
import io.semel.broker.group.GroupRecord.SettleReason;
import io.semel.broker.group.GroupRecord.Settled;
import io.semel.broker.group.GroupRecord.SettledRange;
import java.util.ArrayList;
import java.util.List;

/**
 * Coalescing of group records for the group log: a run of adjacent {@link Settled} records of one
 * partition and reason over consecutive offsets becomes one {@link SettledRange}, and a run of
 * {@link Delivered} records of one partition and delivery count over consecutive offsets one
 * {@link DeliveredRange}. Only adjacent records merge, so {@link GroupState#replay} of the result
 * applies exactly the same facts in the same order. A batch of 500 messages acked in order is one
 * record instead of 500 (and a poll's new deliveries one instead of 500).
 *
 * <p>Stateless; thread-safe.
 */
public final class GroupRecords {
    private GroupRecords() {
    }

    /** {@code records} with every run coalesced (runs longer than RANGE_OFFSETS_MAX are split). */
    public static List<GroupRecord> coalesced(List<GroupRecord> records) {
        List<GroupRecord> out = new ArrayList<>(Math.min(records.size(), 16));
        int i = 0;
        while (i < records.size()) {
            GroupRecord r = records.get(i);
            int end = i + 1;
            if (r instanceof Settled first) {
                while (end < records.size() && end - i < GroupRecord.RANGE_OFFSETS_MAX
                        && records.get(end) instanceof Settled next && next.partition() == first.partition()
                        && next.reason() == first.reason() && next.offset() == first.offset() + (end - i)) {
                    end++;
                }
                out.add(end - i == 1 ? r : settledRange(first.partition(), first.offset(), end - i, first.reason()));
            } else if (r instanceof Delivered first) {
                while (end < records.size() && end - i < GroupRecord.RANGE_OFFSETS_MAX
                        && records.get(end) instanceof Delivered next && next.partition() == first.partition()
                        && next.deliveryCount() == first.deliveryCount() && next.offset() == first.offset() + (end - i)) {
                    end++;
                }
                out.add(end - i == 1 ? r
                        : new DeliveredRange(first.partition(), first.offset(), first.offset() + (end - i) - 1,
                                first.deliveryCount()));
            } else {
                out.add(r);
            }
            i = end;
        }
        return out;
    }

    private static SettledRange settledRange(int partition, long firstOffset, int count, SettleReason reason) {
        return new SettledRange(partition, firstOffset, firstOffset + count - 1, reason);
    }
}
