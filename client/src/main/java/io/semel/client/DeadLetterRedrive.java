package io.semel.client;

import io.semel.protocol.ErrorCode;
import io.semel.protocol.Header;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Moves the messages of {@code <topic>.dlq} back to {@code <topic>}, each exactly once, also when a
 * redrive is killed at any point and run again.
 *
 * <p><b>How it stays exactly once.</b> Two durable things, both kept by the broker:
 * <ol>
 *   <li>A <em>cursor</em>: the consumer group {@value #CURSOR_GROUP_PREFIX}{@code <topic>.dlq} on
 *       the dead-letter topic, without members, moved with RESET_GROUP after each block. Every
 *       dead letter below it is redriven. A group never expires, so the cursor outlives any idle
 *       time between redrives.
 *   <li>An <em>idempotent producer per block</em>: the records from the cursor {@code F} on are
 *       read in blocks of exactly {@value #BLOCK_RECORDS} offsets (fewer only at the end of the
 *       dead-letter topic, which only grows). Block {@code F} is written by the durable producer
 *       {@value #PRODUCER_PREFIX}{@code <topic>.dlq.<partition>.<F>}, and the sequence of a record in
 *       its target partition is the number of records before it in the block that target the same
 *       partition. The block's content is immutable, so a repeated run computes the same sequences
 *       for the same records; INIT_PRODUCER tells which sequences the broker already has, those
 *       records are skipped, and any retry is answered as a duplicate.
 * </ol>
 * A kill before the cursor moves repeats the block under the same identity (nothing twice); a kill
 * after it starts at the next block. The other design, acking each dead letter in a consumer group
 * only after its re-append is confirmed, leaves a window (appended, not acked) that only a search
 * of the target topic for the dead letter's identity could close; the producer identity closes it
 * with the broker's ordinary sequence check instead.
 *
 * <p><b>Limits.</b> A block's identity must outlive an interrupted run: if a run stays interrupted
 * longer than the broker keeps idle producer state, the repeat cannot tell which records of that
 * one block were written. If retention removed dead letters below the cursor, the redrive starts
 * at the log start, and refuses when the removed block had been partly written. Records are
 * re-appended to the partition they were dead-lettered from, with their key, value and original
 * headers, the {@code semel.dlq.*} headers replaced by {@value #H_SOURCE} (dead-letter topic,
 * partition and offset). Every group consuming the topic sees them again.
 *
 * <p>Not thread-safe; one redrive per dead-letter topic at a time (a second one fences the first
 * through the producer epoch, which then fails with PRODUCER_FENCED).
 */
public final class DeadLetterRedrive {
    /** Offsets per block. Part of the identity scheme: changing it would renumber interrupted blocks. */
    public static final int BLOCK_RECORDS = 1000;
    /** The cursor group is this prefix plus the dead-letter topic's name. */
    public static final String CURSOR_GROUP_PREFIX = "semel-redrive.";
    /** Block producers are named this prefix plus {@code <dlq>.<partition>.<blockStart>}. */
    public static final String PRODUCER_PREFIX = "semel-redrive.";
    /** Header on every redriven record: {@code <dlq>/<partition>/<offset>} of the dead letter it came from. */
    public static final String H_SOURCE = "semel.redrive.source";
    static final String DLQ_SUFFIX = ".dlq";
    static final String DLQ_HEADER_PREFIX = "semel.dlq.";

    /** What a redrive did; {@code cursor} is the next dead-letter offset per dead-letter partition. */
    public record Outcome(long redriven, long alreadyRedriven, long skipped, Map<Integer, Long> cursor) {
        public Outcome {
            cursor = Map.copyOf(cursor);
        }
    }

    /** Told after each block whose cursor move is durable. */
    public interface Listener {
        void blockDone(int dlqPartition, long nextOffset, long endOffset, long redriven, long alreadyRedriven,
                long skipped);

        /** A dead letter that cannot go back (content lost, wrong topic, partition gone): it stays in the DLQ. */
        void skipped(int dlqPartition, long offset, String why);
    }

    private final Admin admin;
    private final PartitionReader reader;
    private final Function<String, Producer> durableProducers;
    private final double maxRecordsPerSecond;
    private final LongSupplier nanoTime;
    private long redriven;
    private long already;
    private long skipped;
    private long paced;

    /**
     * @param durableProducers builds a producer with {@code Producer.Builder.durable(name)} and the
     *     connection settings wanted; the redrive closes each one
     * @param maxRecordsPerSecond pace of the re-appends, so consumers are not flooded; 0 = unlimited
     * @param nanoTime monotonic time for the pacing
     */
    public DeadLetterRedrive(Admin admin, PartitionReader reader, Function<String, Producer> durableProducers,
            double maxRecordsPerSecond, LongSupplier nanoTime) {
        this.admin = Objects.requireNonNull(admin, "admin");
        this.reader = Objects.requireNonNull(reader, "reader");
        this.durableProducers = Objects.requireNonNull(durableProducers, "durableProducers");
        if (maxRecordsPerSecond < 0) {
            throw new IllegalArgumentException("maxRecordsPerSecond must be >= 0, was " + maxRecordsPerSecond);
        }
        this.maxRecordsPerSecond = maxRecordsPerSecond;
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /**
     * Redrives every dead letter of {@code topic} present when this call starts.
     *
     * @throws SemelException when a read, append or cursor move fails: run again to resume
     */
    public Outcome redrive(String topic, Listener listener) {
        String dlq = topic + DLQ_SUFFIX;
        String cursorGroup = CURSOR_GROUP_PREFIX + dlq;
        Map<Integer, Long> floors = cursor(cursorGroup);
        Map<Integer, Long> next = new HashMap<>();
        long startNanos = nanoTime.getAsLong();
        for (Admin.PartitionInfo dp : admin.describeTopic(dlq)) {
            int q = dp.partition();
            long from = floors.getOrDefault(q, dp.startOffset());
            if (from < dp.startOffset()) {
                requireUntouched(topic, dlq, q, from, dp.startOffset());
                from = dp.startOffset();
            }
            while (from < dp.nextOffset()) {
                int count = (int) Math.min(BLOCK_RECORDS, dp.nextOffset() - from);
                redriveBlock(topic, dlq, q, from, read(dlq, q, from, count), listener, startNanos);
                from += count;
                admin.resetGroup(cursorGroup, dlq, q, Admin.ResetTo.offset(from)); // the block is done
                listener.blockDone(q, from, dp.nextOffset(), redriven, already, skipped);
            }
            next.put(q, from);
        }
        return new Outcome(redriven, already, skipped, next);
    }

    private Map<Integer, Long> cursor(String cursorGroup) {
        Map<Integer, Long> floors = new HashMap<>();
        try {
            admin.describeGroup(cursorGroup).partitions().forEach(p -> floors.put(p.partition(), p.ackFloor()));
        } catch (DefiniteFailureException e) {
            if (e.errorCode() != ErrorCode.GROUP_NOT_FOUND) {
                throw e;
            }
        }
        return floors;
    }

    /** Retention passed the cursor: fine only if the block at the cursor was never started. */
    private void requireUntouched(String topic, String dlq, int q, long from, long logStart) {
        try (Producer p = durableProducers.apply(identity(dlq, q, from))) {
            for (int tp = 0; tp < p.partitionCount(topic); tp++) {
                if (p.nextSequence(topic, tp) > 0) {
                    throw new IllegalStateException("redrive of " + dlq + " partition " + q + " was interrupted in the "
                            + "block at offset " + from + ", and retention has since removed offsets " + from + ".."
                            + (logStart - 1) + ": which of them were redriven is unknown. Check " + topic
                            + " for header " + H_SOURCE + ", then move the cursor past them with: semel group reset "
                            + CURSOR_GROUP_PREFIX + dlq + " --topic " + dlq + " --to-offset " + logStart);
                }
            }
        }
    }

    private List<PartitionRecord> read(String dlq, int q, long from, int count) {
        List<PartitionRecord> out = new ArrayList<>(count);
        long at = from;
        while (out.size() < count) {
            PartitionRead r = reader.read(dlq, q, at, 0);
            for (PartitionRecord rec : r.records()) {
                if (out.size() < count) {
                    out.add(rec);
                }
            }
            if (r.records().isEmpty()) {
                throw new IllegalStateException(dlq + "-" + q + " returned nothing at offset " + at + " although its "
                        + "end was past it; retry the redrive");
            }
            at = r.nextOffset();
        }
        for (int i = 0; i < count; i++) {
            // The sequences are computed from positions in the block: the block must be the dense offset range.
            if (out.get(i).offset() != from + i) {
                throw new IllegalStateException(dlq + "-" + q + " offset " + out.get(i).offset() + " where " + (from + i)
                        + " was expected; the redrive needs the dead-letter offsets dense");
            }
        }
        return out;
    }

    private void redriveBlock(String topic, String dlq, int q, long from, List<PartitionRecord> block,
            Listener listener, long startNanos) {
        try (Producer producer = durableProducers.apply(identity(dlq, q, from))) {
            int partitions = producer.partitionCount(topic);
            Map<Integer, Long> sequences = new HashMap<>();
            Map<Integer, Long> brokerNext = new HashMap<>();
            List<CompletableFuture<SendResult>> sends = new ArrayList<>();
            for (PartitionRecord rec : block) {
                String why = unsendable(topic, rec, partitions);
                if (why != null) {
                    skipped++;
                    listener.skipped(q, rec.offset(), why);
                    continue;
                }
                int target = Integer.parseInt(rec.header(DLQ_HEADER_PREFIX + "partition"));
                long seq = sequences.merge(target, 1L, Long::sum) - 1;
                long has = brokerNext.computeIfAbsent(target, tp -> producer.nextSequence(topic, tp));
                if (seq < has) {
                    already++; // written by the interrupted run this one repeats
                    continue;
                }
                pace(startNanos);
                sends.add(producer.sendWithSequence(topic, target, seq, rec.key(), rec.value(), headers(dlq, q, rec)));
            }
            for (CompletableFuture<SendResult> f : sends) {
                if (await(f, dlq, from).duplicate()) {
                    already++;
                } else {
                    redriven++;
                }
            }
        }
    }

    /** Null when {@code rec} can go back to {@code topic}; otherwise why not. */
    private static String unsendable(String topic, PartitionRecord rec, int partitions) {
        if ("true".equals(rec.header(DLQ_HEADER_PREFIX + "missing"))) {
            return "its content was removed by retention before it was dead-lettered";
        }
        String origin = rec.header(DLQ_HEADER_PREFIX + "topic");
        if (!topic.equals(origin)) {
            return "it came from topic " + origin + ", not " + topic;
        }
        try {
            int p = Integer.parseInt(rec.header(DLQ_HEADER_PREFIX + "partition"));
            return p >= 0 && p < partitions ? null : "its partition " + p + " is not in 0.." + (partitions - 1);
        } catch (NumberFormatException e) {
            return "its header " + DLQ_HEADER_PREFIX + "partition is missing or not a number";
        }
    }

    private static List<Header> headers(String dlq, int q, PartitionRecord rec) {
        List<Header> out = new ArrayList<>();
        for (Header h : rec.headers()) {
            if (!h.key().startsWith(DLQ_HEADER_PREFIX)) {
                out.add(h);
            }
        }
        out.add(Header.of(H_SOURCE, dlq + "/" + q + "/" + rec.offset()));
        return out;
    }

    private void pace(long startNanos) {
        if (maxRecordsPerSecond == 0) {
            return;
        }
        long dueNanos = startNanos + (long) ((paced + 1) * 1e9 / maxRecordsPerSecond);
        long waitNanos = dueNanos - nanoTime.getAsLong();
        if (waitNanos > 0) {
            try {
                Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClientClosedException("redrive interrupted; run it again to resume");
            }
        }
        paced++;
    }

    private static SendResult await(CompletableFuture<SendResult> f, String dlq, long from) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientClosedException("redrive interrupted; run it again to resume");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            String what = "redrive of " + dlq + " stopped in the block at offset " + from + ": " + c.getMessage()
                    + "; run it again to resume (nothing is written twice)";
            if (c instanceof SemelException se) {
                throw new DefiniteFailureException(se.errorCode(), se.retriable(), what, c);
            }
            throw new IllegalStateException(what, c);
        }
    }

    static String identity(String dlq, int q, long blockStart) {
        return PRODUCER_PREFIX + dlq + "." + q + "." + blockStart;
    }
}
