package io.semel.processor.internal;

import io.semel.processor.CrashPoints;
import io.semel.processor.ProcessorMessage;
import io.semel.processor.SourceMessage;
import io.semel.processor.store.HandlerException;
import io.semel.processor.store.InboxEntry;
import io.semel.processor.store.InboxStatus;
import io.semel.processor.store.StoreTransaction;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TRANSACTIONAL mode: one store transaction per batch runs the handlers, records each message
 * PROCESSED in the inbox and moves the positions; commit, then ack. On a handler failure the batch
 * is rolled back and re-run one message per transaction, so only the failing message is nacked.
 *
 * <p>Not thread-safe: used by the poll thread only.
 */
public final class TransactionalPipeline implements Pipeline {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionalPipeline.class);

    private final ProcessorContext ctx;

    public TransactionalPipeline(ProcessorContext ctx) {
        this.ctx = ctx;
    }

    /** What one batch transaction did; counted only after the store returned (the work may re-run). */
    private record Outcome(Batches.TopicPartition fenced, int processed, int duplicates,
            Map<Batches.TopicPartition, Batches.Advance> advances) {
    }

    @Override
    public void accept(List<SourceMessage> batch) {
        List<SourceMessage> remaining = Pipeline.refuseUnstorable(ctx, batch, false, LOG);
        // Each round either commits or drops one fenced partition, so this ends.
        while (!remaining.isEmpty()) {
            Outcome o;
            try {
                o = runTimed(remaining);
            } catch (HandlerException e) {
                LOG.warn("consumer {}: {}; batch of {} rolled back, re-running one message per transaction",
                        ctx.consumer(), e.getMessage(), remaining.size());
                oneByOne(remaining);
                return;
            }
            if (o.fenced() != null) {
                fenced(o.fenced());
                remaining = Batches.without(remaining, o.fenced());
                continue;
            }
            committed(o);
            CrashPoints.reached(CrashPoints.AFTER_COMMIT_BEFORE_ACK);
            ack(remaining);
            return;
        }
    }

    private Outcome runTimed(List<SourceMessage> batch) throws HandlerException {
        long start = System.nanoTime();
        try {
            return ctx.store().inTransaction(tx -> run(tx, batch));
        } finally {
            ctx.metrics().commitTimer().record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    private Outcome run(StoreTransaction tx, List<SourceMessage> batch) throws SQLException, HandlerException {
        Map<Batches.TopicPartition, Batches.Advance> advances = Batches.advances(batch);
        Batches.TopicPartition fenced = Batches.advancePositions(tx, ctx.consumer(), advances);
        if (fenced != null) {
            tx.setRollbackOnly();
            return new Outcome(fenced, 0, 0, advances);
        }
        long nowMs = ctx.clock().millis();
        int processed = 0;
        int duplicates = 0;
        for (SourceMessage m : batch) {
            // The inbox row goes in before the handler runs (same transaction, so the order is not
            // visible): on PostgreSQL a concurrent member inserting the same id waits here for our
            // commit and then sees the duplicate, instead of running the handler for nothing.
            if (!tx.insertInbox(ctx.consumer(), InboxEntry.of(m.messageId(), m.topic(), m.partition(), m.offset(),
                    nowMs), InboxStatus.PROCESSED)) {
                duplicates++;
                continue;
            }
            ProcessorMessage pm = new ProcessorMessage(m.messageId(), m.topic(), m.partition(), m.offset(), m.key(),
                    m.value(), m.headers(), m.deliveryCount());
            Batches.runHandler(ctx.handler(), pm, new TxSender(tx, m.messageId(), nowMs));
            processed++;
        }
        CrashPoints.reached(CrashPoints.AFTER_HANDLER_BEFORE_COMMIT);
        return new Outcome(null, processed, duplicates, advances);
    }

    private void committed(Outcome o) {
        ctx.metrics().processed(o.processed());
        for (int i = 0; i < o.duplicates(); i++) {
            ctx.metrics().duplicate();
        }
        o.advances().forEach((tp, a) -> ctx.metrics().committed(tp.topic(), tp.partition(), a.nextOffset()));
    }

    private void fenced(Batches.TopicPartition tp) {
        ctx.metrics().fenced();
        LOG.warn("consumer {}: {}/{} is fenced (a newer lease holder wrote its position); rolled back, not "
                + "acking its messages: the new holder processes them", ctx.consumer(), tp.topic(), tp.partition());
    }

    /** After a handler failure: each message alone, so the good ones commit and only the bad one is nacked. */
    private void oneByOne(List<SourceMessage> batch) {
        List<SourceMessage> toAck = new ArrayList<>(batch.size());
        for (SourceMessage m : batch) {
            Outcome o;
            try {
                o = runTimed(List.of(m));
            } catch (HandlerException e) {
                Pipeline.nackQuietly(ctx, m, e.getMessage(), LOG);
                continue;
            }
            if (o.fenced() != null) {
                fenced(o.fenced());
                continue;
            }
            committed(o);
            toAck.add(m);
        }
        if (!toAck.isEmpty()) {
            CrashPoints.reached(CrashPoints.AFTER_COMMIT_BEFORE_ACK);
            ack(toAck);
        }
    }

    private void ack(List<SourceMessage> messages) {
        Pipeline.ackQuietly(ctx, messages, LOG);
    }
}
