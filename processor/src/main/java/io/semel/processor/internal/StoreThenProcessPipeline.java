package io.semel.processor.internal;

import io.semel.processor.CrashPoints;
import io.semel.processor.SourceMessage;
import io.semel.processor.store.HandlerException;
import io.semel.processor.store.InboxEntry;
import io.semel.processor.store.InboxStatus;
import io.semel.processor.store.StoreTransaction;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * STORE_THEN_PROCESS mode, receive side: one transaction stores the chunk as RECEIVED inbox rows
 * with their payload (an id already in the inbox is ignored) and moves the positions; commit, then
 * ack, then wake the {@link InboxWorkers}.
 *
 * <p>Not thread-safe: used by the poll thread only.
 */
public final class StoreThenProcessPipeline implements Pipeline {
    private static final Logger LOG = LoggerFactory.getLogger(StoreThenProcessPipeline.class);

    private final ProcessorContext ctx;
    private final Runnable wakeWorkers;

    public StoreThenProcessPipeline(ProcessorContext ctx, Runnable wakeWorkers) {
        this.ctx = ctx;
        this.wakeWorkers = wakeWorkers;
    }

    private record Outcome(Batches.TopicPartition fenced, int stored, int duplicates,
            Map<Batches.TopicPartition, Batches.Advance> advances) {
    }

    @Override
    public void accept(List<SourceMessage> batch) {
        List<SourceMessage> remaining = Pipeline.refuseUnstorable(ctx, batch, true, LOG);
        while (!remaining.isEmpty()) {
            Outcome o = store(remaining);
            if (o.fenced() != null) {
                ctx.metrics().fenced();
                LOG.warn("consumer {}: {}/{} is fenced; not storing or acking its messages", ctx.consumer(),
                        o.fenced().topic(), o.fenced().partition());
                remaining = Batches.without(remaining, o.fenced());
                continue;
            }
            for (int i = 0; i < o.duplicates(); i++) {
                ctx.metrics().duplicate();
            }
            o.advances().forEach((tp, a) -> ctx.metrics().committed(tp.topic(), tp.partition(), a.nextOffset()));
            CrashPoints.reached(CrashPoints.AFTER_RECEIVE_COMMIT_BEFORE_ACK);
            Pipeline.ackQuietly(ctx, remaining, LOG);
            if (o.stored() > 0) {
                wakeWorkers.run();
            }
            return;
        }
    }

    private Outcome store(List<SourceMessage> batch) {
        long start = System.nanoTime();
        try {
            return ctx.store().inTransaction(tx -> run(tx, batch));
        } catch (HandlerException e) {
            throw new AssertionError("no handler runs in a receive transaction", e);
        } finally {
            ctx.metrics().commitTimer().record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    private Outcome run(StoreTransaction tx, List<SourceMessage> batch) throws SQLException {
        Map<Batches.TopicPartition, Batches.Advance> advances = Batches.advances(batch);
        // With a sequenced source the processed offsets are kept here too (a received row counts: the
        // workers process it), so a consumer switched to TRANSACTIONAL later skips what was stored.
        SequenceDedup seq = null;
        Batches.TopicPartition fenced;
        if (ctx.sequenceState()) {
            seq = SequenceDedup.lock(tx, ctx.consumer(), advances);
            fenced = seq.fenced();
        } else {
            fenced = Batches.advancePositions(tx, ctx.consumer(), advances);
        }
        if (fenced != null) {
            tx.setRollbackOnly();
            return new Outcome(fenced, 0, 0, advances);
        }
        long nowMs = ctx.clock().millis();
        int stored = 0;
        int duplicates = 0;
        for (SourceMessage m : batch) {
            if (seq != null && seq.processed(m)) {
                duplicates++;
                continue;
            }
            InboxEntry e = new InboxEntry(m.messageId(), m.topic(), m.partition(), m.offset(), nowMs, m.key(),
                    m.value(), m.headers());
            if (tx.insertInbox(ctx.consumer(), e, InboxStatus.RECEIVED)) {
                stored++;
            } else {
                duplicates++;
            }
            if (seq != null) {
                seq.settle(m);
            }
        }
        if (seq != null) {
            seq.save(tx, ctx.consumer(), advances);
        }
        return new Outcome(null, stored, duplicates, advances);
    }
}
