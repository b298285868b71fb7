package io.semel.client.internal;

import io.semel.client.OutcomeUnknownException;
import io.semel.client.ProducerStats;
import io.semel.client.SemelException;
import io.semel.client.SendResult;
import io.semel.protocol.Produce;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the callers of {@code send} are told, and when: completions are queued here by the sender
 * thread and run later with no lock held ({@link #take}), so a continuation may call back into
 * the producer. Also the producer's outcome counters. Sender-owned, except {@link #stats()}.
 */
public final class BatchOutcomes {
    private static final Logger log = LoggerFactory.getLogger(BatchOutcomes.class);

    private final String producerName;
    private final List<Runnable> completions = new ArrayList<>();
    private int completedRecords;
    private final AtomicLong confirmed = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong unknown = new AtomicLong();

    public BatchOutcomes(String producerName) {
        this.producerName = producerName;
    }

    public ProducerStats stats() {
        return new ProducerStats(confirmed.get(), duplicates.get(), failed.get(), unknown.get());
    }

    /** Completes the batch's futures with the broker's offsets (unless they were reported unknown). */
    void confirm(ProducerBatch b, Produce.Response r) {
        if (b.reported) {
            log.info("producer '{}': {} reported as unknown earlier is now resolved: {} at offset {}", producerName,
                    b.describe(), r.duplicate() ? "already in the log" : "appended", r.baseOffset());
            return; // the caller was told "unknown", which covers both
        }
        b.reported = true;
        boolean dup = r.duplicate() || r.error() == io.semel.protocol.ErrorCode.DUPLICATE_SEQUENCE;
        confirmed.addAndGet(b.size());
        if (dup) {
            duplicates.addAndGet(b.size());
        }
        for (int i = 0; i < b.size(); i++) {
            long offset = r.baseOffset() < 0 ? -1 : r.baseOffset() + i;
            SendResult res = new SendResult(b.tp.topic(), b.tp.partition(), offset, dup);
            CompletableFuture<SendResult> f = b.records.get(i).future();
            completions.add(() -> f.complete(res));
        }
        completedRecords += b.size();
    }

    /** Fails the batch's futures with {@code e}, once. */
    void fail(ProducerBatch b, SemelException e) {
        if (b.reported) {
            return;
        }
        b.reported = true;
        for (PendingRecord r : b.records) {
            fail(r, e);
        }
    }

    /** Fails one record that never made it into a sent batch, or a batch's record. */
    public void fail(PendingRecord r, SemelException e) {
        (e instanceof OutcomeUnknownException ? unknown : failed).incrementAndGet();
        completedRecords++;
        completions.add(() -> r.future().completeExceptionally(e));
    }

    /** Fails a not-yet-settled request of the producer (INIT_PRODUCER waiters). */
    void fail(CompletableFuture<Void> waiter, SemelException e) {
        completions.add(() -> waiter.completeExceptionally(e));
    }

    void complete(CompletableFuture<Void> waiter) {
        completions.add(() -> waiter.complete(null));
    }

    public boolean isEmpty() {
        return completions.isEmpty();
    }

    /** Records settled since the last call (their buffer room can be released). */
    public int takeCompletedRecords() {
        int n = completedRecords;
        completedRecords = 0;
        return n;
    }

    /** The queued completions, to be run with no lock held. */
    public List<Runnable> take() {
        List<Runnable> run = new ArrayList<>(completions);
        completions.clear();
        return run;
    }
}
