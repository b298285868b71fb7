package io.semel.client.internal;

import io.semel.protocol.RecordBatch;
import java.util.Random;

/**
 * Where the keyless records of one topic go: all to one partition (the <em>sticky</em> one) until
 * {@code stickBytesMax} bytes went there, then all to the next. Fewer, fuller batches than spreading
 * each record round-robin, and on a broker that forces before it confirms, one partition's writer
 * busy at a time instead of every partition forcing its own small batches (the idea of Kafka's
 * sticky partitioner, KIP-480, with the switching rule of KIP-794).
 *
 * <p>Why bytes and not "the batch left" (KIP-480's rule, which KIP-794 replaced): a partition whose
 * broker is slow keeps its in-flight window full, so its batches are cut later and a stick that
 * ends with its batch would grow there, sending more data to the slowest partition. A byte budget
 * gives every stick the same size whatever the partition's speed.
 *
 * <p>Transitions (state: sticky partition {@code p} or none, bytes {@code used} given to it in this
 * stick; a record of {@code s} encoded bytes arrives):
 *
 * <table>
 *   <caption>Sticky partitioner transitions</caption>
 *   <tr><th>state</th><th>condition</th><th>next state</th><th>answer</th></tr>
 *   <tr><td>none (first record)</td><td>—</td><td>{@code p := next of round}, {@code used := header + s}</td>
 *       <td>{@code p}</td></tr>
 *   <tr><td>{@code p}</td><td>{@code used + s <= stickBytesMax}</td><td>{@code used += s}</td><td>{@code p}</td></tr>
 *   <tr><td>{@code p}</td><td>{@code used + s > stickBytesMax}</td>
 *       <td>{@code q := next of round}, {@code used := header + s}</td>
 *       <td>{@code q}, and {@code p} reported full: what is queued for it need not linger</td></tr>
 * </table>
 *
 * <p>"Next of round": partitions are visited in rounds, each round a fresh random permutation of all
 * partitions (so over {@code r} complete rounds every partition was sticky exactly {@code r} times),
 * and a round never starts with the partition the previous one ended on (no stick follows itself).
 * The permutation comes from the injected {@link Random}, so a seed replays the choices; random rather
 * than 0, 1, 2… so that many producers do not all fill the same partition at once.
 *
 * <p>Bytes are counted as the accumulator counts a batch (batch header once per stick plus each
 * record's encoded size), so a stick of one batchBytesMax fills exactly one batch; a record larger
 * than the whole budget still gets a stick of its own.
 * Pure: no clock, no I/O. Not thread-safe: the producer guards each instance with its monitor.
 */
public final class StickyPartitioner {
    /** The partition a record goes to, and the partition whose stick this record ended, reported full ({@code -1}: none). */
    public record Choice(int partition, int leftFull) {
    }

    private final int partitionCount;
    private final int stickBytesMax;
    private final Random random;
    private final int[] round;
    private int roundIndex;
    private int sticky = -1;
    private long usedBytes;

    /**
     * @param stickBytesMax bytes a stick may hold (the producer's keylessStickBytes: by default ten
     *     batches of batchBytesMax)
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
        int leftFull = sticky;
        sticky = next();
        usedBytes = RecordBatch.HEADER_BYTES + (long) recordBytes;
        return new Choice(sticky, leftFull == sticky ? -1 : leftFull);
    }

    private int next() {
        if (roundIndex == partitionCount) {
            shuffle();
            if (partitionCount > 1 && round[0] == sticky) {
                // Swapping with a uniformly chosen later slot leaves a uniform permutation among those
                // that do not start with the partition just left.
                int j = 1 + random.nextInt(partitionCount - 1);
                round[0] = round[j];
                round[j] = sticky;
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
