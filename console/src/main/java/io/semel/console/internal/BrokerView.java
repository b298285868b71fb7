package io.semel.console.internal;

import io.semel.broker.Broker;
import io.semel.broker.group.GroupRegistry;
import io.semel.broker.group.GroupState;
import io.semel.broker.group.SlotState;
import io.semel.log.Partition;
import io.semel.log.SegmentInfo;
import io.semel.log.producer.ProducerRegistry;
import io.semel.protocol.Header;
import io.semel.protocol.LogRecord;
import io.semel.protocol.RecordBatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Copies of the broker's live state for the console, read through the broker's read-only accessors:
 * partition state on each partition's writer thread, group state on the coordinator thread. Every
 * read copies into immutable records there and waits at most {@code readTimeoutMs} on the caller's
 * thread (a console thread, never a broker thread). Thread-safe (stateless apart from the broker).
 */
public final class BrokerView {
    /** Bytes one browse read asks a partition for; a batch larger than this is still returned whole. */
    static final int BROWSE_READ_BYTES_MAX = 1 << 20;

    private final Broker broker;
    private final long readTimeoutMs;

    public BrokerView(Broker broker, long readTimeoutMs) {
        this.broker = broker;
        this.readTimeoutMs = readTimeoutMs;
    }

    /** A producer's state in one partition. */
    public record ProducerRow(long producerId, String name, int epoch, long lastSequence) {
    }

    public record PartitionRow(int partition, long startOffset, long endOffset, long flushedOffset, long sizeBytes,
            int segments, List<ProducerRow> producers) {
    }

    public record TopicRow(String name, List<PartitionRow> partitions) {
        public long records() {
            return partitions.stream().mapToLong(p -> p.endOffset() - p.startOffset()).sum();
        }

        public long sizeBytes() {
            return partitions.stream().mapToLong(PartitionRow::sizeBytes).sum();
        }
    }

    public record GroupPartitionRow(int partition, String leaseHolder, long leaseEpoch, long ackFloor,
            int settledAboveFloor, int delivered, int due, int deadLetterPending, long nextOffset, long endOffset) {
        /** Messages not yet settled: the group's lag. */
        public long lag() {
            return Math.max(0, endOffset - ackFloor - settledAboveFloor);
        }

        /** Messages never delivered to the group yet. */
        public long pending() {
            return Math.max(0, endOffset - nextOffset);
        }

        /** Delivered or waiting for redelivery, not settled. */
        public int inFlight() {
            return delivered + due + deadLetterPending;
        }
    }

    /** @param deliveryCounts unsettled deliveries by delivery count */
    public record GroupRow(String name, String topic, List<String> members, List<GroupPartitionRow> partitions,
            SortedMap<Integer, Integer> deliveryCounts) {
        public long lag() {
            return partitions.stream().mapToLong(GroupPartitionRow::lag).sum();
        }
    }

    /** One record as browsed. */
    public record RecordRow(long offset, long timestampMs, long producerId, int producerEpoch, long sequence,
            byte[] key, byte[] value, List<Header> headers) {
        public String header(String name) {
            for (Header h : headers) {
                if (h.key().equals(name)) {
                    return h.valueAsString();
                }
            }
            return null;
        }
    }

    private record PartitionState(long start, long end, long flushed, List<SegmentInfo> segments,
            Map<Long, Long> sequences) {
    }

    public SortedMap<String, Integer> topicNames() {
        return broker.topicPartitionCounts();
    }

    public List<TopicRow> topics() {
        Map<Long, ProducerRegistry.Entry> producers = new HashMap<>();
        for (ProducerRegistry.Entry e : broker.producers()) {
            producers.put(e.producerId(), e);
        }
        List<TopicRow> out = new ArrayList<>();
        for (Map.Entry<String, Integer> t : broker.topicPartitionCounts().entrySet()) {
            List<PartitionRow> parts = new ArrayList<>();
            for (int p = 0; p < t.getValue(); p++) {
                PartitionState s = await(broker.readPartition(t.getKey(), p, BrokerView::copy), t.getKey() + "-" + p);
                List<ProducerRow> rows = new ArrayList<>();
                new TreeMap<>(s.sequences()).forEach((id, seq) -> {
                    ProducerRegistry.Entry e = producers.get(id);
                    rows.add(new ProducerRow(id, e == null ? "?" : e.name(), e == null ? -1 : e.epoch(), seq));
                });
                parts.add(new PartitionRow(p, s.start(), s.end(), s.flushed(),
                        s.segments().stream().mapToLong(SegmentInfo::sizeBytes).sum(), s.segments().size(), rows));
            }
            out.add(new TopicRow(t.getKey(), parts));
        }
        return out;
    }

    private static PartitionState copy(Partition p) {
        return new PartitionState(p.startOffset(), p.nextOffset(), p.flushedOffset(), List.copyOf(p.log().segments()),
                Map.copyOf(p.highestSequences()));
    }

    /** Sum of every partition's end offset: records ever appended (retention does not lower it). */
    public long recordsAppended() {
        long sum = 0;
        for (Map.Entry<String, Integer> t : broker.topicPartitionCounts().entrySet()) {
            for (int p = 0; p < t.getValue(); p++) {
                sum += await(broker.readPartition(t.getKey(), p, Partition::nextOffset), t.getKey() + "-" + p);
            }
        }
        return sum;
    }

    public long endOffset(String topic, int partition) {
        return await(broker.readPartition(topic, partition, Partition::nextOffset), topic + "-" + partition);
    }

    public List<GroupRow> groups() {
        List<GroupRow> raw = await(broker.readGroups(BrokerView::copyGroups), "consumer groups");
        List<GroupRow> out = new ArrayList<>();
        for (GroupRow g : raw) {
            List<GroupPartitionRow> parts = new ArrayList<>();
            for (GroupPartitionRow r : g.partitions()) {
                long end = endOffset(g.topic(), r.partition());
                parts.add(new GroupPartitionRow(r.partition(), r.leaseHolder(), r.leaseEpoch(), r.ackFloor(),
                        r.settledAboveFloor(), r.delivered(), r.due(), r.deadLetterPending(), r.nextOffset(), end));
            }
            out.add(new GroupRow(g.name(), g.topic(), g.members(), parts, g.deliveryCounts()));
        }
        return out;
    }

    /** Runs on the coordinator thread: copies, nothing else. */
    private static List<GroupRow> copyGroups(GroupRegistry registry) {
        List<GroupRow> out = new ArrayList<>();
        for (String name : registry.groupNames()) {
            GroupState g = registry.group(name).orElseThrow();
            List<GroupPartitionRow> parts = new ArrayList<>();
            SortedMap<Integer, Integer> counts = new TreeMap<>();
            for (int p = 0; p < g.partitionCount(); p++) {
                int delivered = 0;
                int due = 0;
                int dlq = 0;
                for (Map.Entry<Long, Integer> slot : g.inFlight(p).entrySet()) {
                    counts.merge(slot.getValue(), 1, Integer::sum);
                    SlotState st = g.slotState(p, slot.getKey()).orElse(SlotState.DUE);
                    if (st == SlotState.DELIVERED) {
                        delivered++;
                    } else if (st == SlotState.DEAD_LETTER_PENDING) {
                        dlq++;
                    } else {
                        due++;
                    }
                }
                parts.add(new GroupPartitionRow(p, g.leaseHolder(p).orElse(null), g.leaseEpoch(p), g.ackFloor(p),
                        g.settledAboveFloor(p).size(), delivered, due, dlq, g.nextOffset(p), -1));
            }
            out.add(new GroupRow(name, g.topic(), List.copyOf(g.memberIds()), parts, counts));
        }
        return out;
    }

    /** Ack floor and settled offsets above it of {@code group}'s partition; null when the group does not exist. */
    public record Settled(long ackFloor, java.util.Set<Long> above) {
        public boolean contains(long offset) {
            return offset < ackFloor || above.contains(offset);
        }
    }

    public Settled settled(String group, int partition) {
        return await(broker.readGroups(r -> r.group(group)
                .filter(g -> partition < g.partitionCount())
                .map(g -> new Settled(g.ackFloor(partition), java.util.Set.copyOf(g.settledAboveFloor(partition))))
                .orElse(null)), "group " + group);
    }

    /** Up to {@code recordsMax} records of a partition from {@code fromOffset} (clamped to the log start). */
    public List<RecordRow> read(String topic, int partition, long fromOffset, int recordsMax) {
        List<RecordRow> out = new ArrayList<>();
        long offset = fromOffset;
        while (out.size() < recordsMax) {
            long from = offset;
            List<RecordBatch> batches = await(broker.readPartition(topic, partition,
                    p -> p.read(Math.min(Math.max(from, p.startOffset()), p.nextOffset()), BROWSE_READ_BYTES_MAX)),
                    topic + "-" + partition);
            if (batches.isEmpty()) {
                break;
            }
            for (RecordBatch b : batches) {
                List<LogRecord> records = b.records();
                for (int i = 0; i < records.size() && out.size() < recordsMax; i++) {
                    long o = b.baseOffset() + i;
                    if (o < from) {
                        continue;
                    }
                    LogRecord r = records.get(i);
                    long seq = b.hasProducer() ? b.baseSequence() + i : -1;
                    out.add(new RecordRow(o, b.firstTimestampMs(), b.producerId(), b.producerEpoch(), seq, r.key(),
                            r.value(), r.headers()));
                }
                offset = b.nextOffset();
            }
        }
        return out;
    }

    private <T> T await(CompletableFuture<T> f, String what) {
        try {
            return f.get(readTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading " + what, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("reading " + what + " took longer than brokerReadTimeoutMs " + readTimeoutMs
                    + "; the broker is overloaded or stuck, try again", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("reading " + what + " failed: " + e.getCause(), e.getCause());
        }
    }
}
