package io.semel.client.internal;

import io.semel.protocol.RecordBatch;
import java.util.Random;

/**
 * Where the keyless records of one topic go: all to one partition (the <em>sticky</em> one) until a
 * batch's worth of bytes went there or its batch was handed to the sender, then all to the next.
 * Fewer, fuller batches than spreading each record round-robin, so fewer PRODUCE requests and, on a
 * broker that forces before it confirms, one fsync per partition per batch instead of one per
 * partition per linger round (the idea of Kafka's sticky partitioner, KIP-480, with KIP-794's byte
 * budget so that a slow partition cannot draw more than its share).
 *
 * <p>Transitions (state: sticky partition {@code p}, bytes {@code used} given to it in this stick,
 * {@code left} = the stick is over):
 *
 * <table>
 *   <caption>Sticky partitioner transitions</caption>
 *   <tr><th>state</th><th>event</th><th>next state</th><th>answer</th></tr>
 *   <tr><td>no stick yet, or {@code left}</td><td>record of {@code s} bytes</td>
 *       <td>{@code p := next of round}, {@code used := header + s}</td><td>{@code p}</td></tr>
 *   <tr><td>{@code p}, {@code used + s <= stickBytesMax}</td><td>record of {@code s} bytes</td>
 *       <td>{@code used += s}</td><td>{@code p}</td></tr>
 *   <tr><td>{@code p}, {@code used + s > stickBytesMax}</td><td>record of {@code s} bytes</td>
 *       <td>{@code q := next of round}, {@code used := header + s}</td>
 *       <td>{@code q}, and {@code p} is reported full (its batch need not linger)</td></tr>
 *   <tr><td>{@code p}</td><td>a batch of {@code p} handed to the sender</td><td>{@code left}</td><td>—</td></tr>
 *   <tr><td>{@code p}</td><td>a batch of another partition handed to the sender</td><td>unchanged</td><td>—</td></tr>
 * </table>
 *
 * <p>"Next of round": partitions are visited in rounds, each round a fresh random permutation of all
 * partitions (so over {@code r} complete rounds every partition was sticky exactly {@code r} times),
 * and a round never starts with the partition the previous one ended on (no stick follows itself).
 * The permutation comes from the injected {@link Random}, so a seed replays the choices; random rather
 * than 0, 1, 2… so that many producers do not all fill the same partition at once.
 *
 * <p>A stick holds at most {@code stickBytesMax} bytes counted as the accumulator counts a batch
 * (batch header plus each record's encoded size), except that a record too large for an empty stick
 * still gets one of its own. Pure: no clock, no I/O. Not thread-safe: the producer guards each
 * instance with its monitor.
 */
public final class StickyPartitioner {
    /** The partition a record goes to, and the partition whose stick this record ended ({@code -1}: none). */
    public record Choice(int partition, int leftFull) {
    }

    private final int partitionCount;
    private final int stickBytesMax;
    private final Random random;
    private final int[] round;
    private int roundIndex;
    private int sticky = -1;
    private long usedBytes;
    /** The partition of the last stick, or -1: the next round must not start with it. */
    private int lastGiven = -1;

    /**
     * @param stickBytesMax bytes a stick may hold (the producer passes batchBytesMax, so one stick
     *     fills one batch)
     * @throws IllegalArgumentException when {@code partitionCount < 1} or {@code stickBytesMax < 1}
     */
    public StickyPartitioner(int partitionCount, int stickBytesMax, Random random) {
        if (partitionCount < 1 || stickBytesMax < 1) {
            throw new IllegalArgumentException("partitionCount " + partitionCount + " and stickBytesMax "
                    + stickBytesMax + " must be >= 1");
        }
        this.partitionCount = partitionCount;
        this.stickBytesMax = stickBytesMax;
        this.random = random;
        this.round = new int[partitionCount];
        for (int i = 0; i < partitionCount; i++) {
            round[i] = i;
        }
        this.roundIndex = partitionCount; // the first record starts a round
    }

    /** The partition for a keyless record of {@code recordBytes} encoded bytes. */
    public Choice choose(int recordBytes) {
        if (sticky >= 0 && usedBytes + recordBytes <= stickBytesMax) {
            usedBytes += recordBytes;
            return new Choice(sticky, -1);
        }
        // A stick that was left (its batch went) is not full: only a stick that ran out of room is.
        int leftFull = sticky;
        sticky = next();
        lastGiven = sticky;
        usedBytes = RecordBatch.HEADER_BYTES + (long) recordBytes;
        return new Choice(sticky, leftFull == sticky ? -1 : leftFull);
    }

    /** The sender cut a batch of {@code partition}: if it is the sticky one, the next record moves on. */
    public void batchTaken(int partition) {
        if (partition == sticky) {
            sticky = -1;
            usedBytes = 0;
        }
    }

    /** The sticky partition, or -1 before the first record and after its batch was taken. */
    public int sticky() {
        return sticky;
    }

    private int next() {
        if (roundIndex == partitionCount) {
            shuffle();
            if (partitionCount > 1 && round[0] == lastGiven) {
                // Swapping with a uniformly chosen later slot leaves a uniform permutation among those
                // that do not start with lastGiven.
                int j = 1 + random.nextInt(partitionCount - 1);
                round[0] = round[j];
                round[j] = lastGiven;
            }
            roundIndex = 0;
        }
        return round[roundIndex++];
    }

    private void shuffle() {
        for (int i = partitionCount - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = round[i];
            round[i] = round[j];
            round[j] = t;
        }
    }
}
