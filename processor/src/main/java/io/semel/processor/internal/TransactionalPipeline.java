package io.semel.processor.internal;

import io.semel.processor.CrashPoints;
import io.semel.processor.ProcessorMessage;
import io.semel.processor.SourceMessage;
import io.semel.processor.store.HandlerException;
import io.semel.processor.store.InboxEntry;
import io.semel.processor.store.InboxStatus;
import io.semel.processor.store.SequencePosition;
import io.semel.processor.store.StoreTransaction;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TRANSACTIONAL mode: one store transaction per batch runs the handlers, records each message
 * PROCESSED in the inbox and moves the positions; commit, then ack. On a handler failure the batch
 * is rolled back and re-run one message per transaction, so only the failing message is nacked.
 *
 * <p>With an {@link io.semel.processor.Source#ordered() ordered} source (Kafka, which redelivers by
 * position) the one-by-one pass stops at a partition's first failed message: committing its later
 * messages would move the position past it, and a crash would then lose it. After its last delivery
 * the message is dead-lettered here ({@link ProcessorDeadLetters}), and the partition moves on.
 *
 * <p>Not thread-safe: used by the poll thread only.
 */
public final class TransactionalPipeline implements Pipeline {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionalPipeline.class);

    private final ProcessorContext ctx;
    /**
     * Ordered sources: per partition, the nacked message its source redelivers next. Later messages of
     * that partition under the same lease epoch (already fetched, or in the next chunk of the same
     * poll) are dropped until it comes back; a new epoch (a new claim) starts over.
     */
    private final Map<Batches.TopicPartition, SourceMessage> unsettled = new HashMap<>();
    /** Sequenced sources: the position rows this processor last committed (see {@link PositionCache}). */
    private final PositionCache positions = new PositionCache();

    public TransactionalPipeline(ProcessorContext ctx) {
        this.ctx = ctx;
    }

    /**
     * What one batch transaction did; counted only after the store returned (the work may re-run).
     *
     * @param stale the cached position rows were not what the store holds: rolled back, nothing done
     * @param written sequenced source: the position rows as the transaction left them (when it committed)
     */
    private record Outcome(Batches.TopicPartition fenced, boolean stale, int processed, int duplicates,
            int sequenceDuplicates, Map<Batches.TopicPartition, Batches.Advance> advances,
            Map<Batches.TopicPartition, SequencePosition> written) {

        static Outcome rolledBack(Batches.TopicPartition fenced, boolean stale,
                Map<Batches.TopicPartition, Batches.Advance> advances) {
            return new Outcome(fenced, stale, 0, 0, 0, advances, null);
        }
    }

    /** This processor's cached position row of a partition, or null (tests). */
    SequencePosition cachedPosition(String topic, int partition) {
        return positions.get(new Batches.TopicPartition(topic, partition));
    }

    @Override
    public void accept(List<SourceMessage> polled) {
        boolean ordered = ctx.source().ordered();
        List<SourceMessage> batch = ordered ? dropPastUnsettled(polled) : polled;
        if (batch.isEmpty()) {
            return;
        }
        List<SourceMessage> remaining;
        if (ordered) {
            if (batch.stream().anyMatch(m -> Pipeline.unstorable(m, false) != null)) {
                // In order: the messages before the unstorable one commit, it is dead-lettered, then the rest.
                oneByOne(batch);
                return;
            }
            remaining = batch; // every message was just checked storable
        } else {
            remaining = Pipeline.refuseUnstorable(ctx, batch, false, LOG);
        }
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

    private List<SourceMessage> dropPastUnsettled(List<SourceMessage> batch) {
        if (unsettled.isEmpty()) {
            return batch;
        }
        List<SourceMessage> out = new ArrayList<>(batch.size());
        for (SourceMessage m : batch) {
            Batches.TopicPartition tp = new Batches.TopicPartition(m.topic(), m.partition());
            SourceMessage failed = unsettled.get(tp);
            if (failed != null && failed.leaseEpoch() == m.leaseEpoch() && m.offset() > failed.offset()) {
                continue; // fetched before the source seeked back to the failed message
            }
            unsettled.remove(tp);
            out.add(m);
        }
        return out;
    }

    /**
     * One batch transaction. When the cached position rows turn out stale, they are forgotten and the batch
     * runs again reading the rows (uncached, so it is not stale twice).
     */
    private Outcome runTimed(List<SourceMessage> batch) throws HandlerException {
        Outcome o = runOnce(batch);
        if (o.stale()) {
            positions.forget(o.advances().keySet());
            ctx.metrics().positionStale();
            LOG.debug("consumer {}: position rows of {} changed since this processor's last commit; reading them",
                    ctx.consumer(), o.advances().keySet());
            o = runOnce(batch);
            if (o.stale()) {
                throw new IllegalStateException("consumer " + ctx.consumer() + ": the position rows of "
                        + o.advances().keySet() + " were read, yet found stale");
            }
        }
        return o;
    }

    private Outcome runOnce(List<SourceMessage> batch) throws HandlerException {
        long start = System.nanoTime();
        Outcome o;
        try {
            o = ctx.store().inTransaction(tx -> run(tx, batch));
        } catch (RuntimeException e) {
            // A store failure, maybe in the commit itself: whether the rows moved is unknown.
            positions.forget(Batches.advances(batch).keySet());
            throw e;
        } finally {
            ctx.metrics().commitTimer().record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
        // A HandlerException above, a fenced or a stale outcome: rolled back, the rows are what they were.
        if (o.fenced() != null) {
            positions.forget(o.fenced());
        } else if (o.written() != null) {
            positions.committed(o.written());
        }
        return o;
    }

    private Outcome run(StoreTransaction tx, List<SourceMessage> batch) throws SQLException, HandlerException {
        Map<Batches.TopicPartition, Batches.Advance> advances = Batches.advances(batch);
        SequenceDedup seq = null;
        Batches.TopicPartition fenced;
        if (ctx.sequenceState()) {
            seq = positions.covers(advances)
                    ? SequenceDedup.fromCache(tx, ctx.consumer(), advances, Batches.offsets(batch), positions.view())
                    : SequenceDedup.lock(tx, ctx.consumer(), advances);
            if (seq == null) {
                tx.setRollbackOnly();
                return Outcome.rolledBack(null, true, advances);
            }
            fenced = seq.fenced();
        } else {
            fenced = Batches.advancePositions(tx, ctx.consumer(), advances);
        }
        if (fenced != null) {
            tx.setRollbackOnly();
            return Outcome.rolledBack(fenced, false, advances);
        }
        long nowMs = ctx.clock().millis();
        int processed = 0;
        int inboxDuplicates = 0;
        int sequenceDuplicates = 0;
        for (SourceMessage m : batch) {
            if (seq != null && seq.processed(m)) {
                sequenceDuplicates++;
                continue;
            }
            // The inbox row goes in before the handler runs (same transaction, so the order is not
            // visible): on PostgreSQL a concurrent member inserting the same id waits here for our
            // commit and then sees the duplicate, instead of running the handler for nothing.
            if ((seq == null || seq.inboxDecides(m, ctx.inboxForEveryMessage()))
                    && !tx.insertInbox(ctx.consumer(), InboxEntry.of(m.messageId(), m.topic(), m.partition(), m.offset(),
                            nowMs), InboxStatus.PROCESSED)) {
                inboxDuplicates++;
                if (seq != null) {
                    seq.settle(m); // the same message at another offset: this offset is settled too
                }
                continue;
            }
            ProcessorMessage pm = new ProcessorMessage(m.messageId(), m.topic(), m.partition(), m.offset(), m.key(),
                    m.value(), m.headers(), m.deliveryCount());
            Batches.runHandler(ctx.handler(), pm, new TxSender(tx, m.messageId(), nowMs));
            if (seq != null) {
                seq.settle(m);
            }
            processed++;
        }
        Batches.executeHandlerBatches(tx, batch);
        Map<Batches.TopicPartition, SequencePosition> written = seq == null ? null : seq.save(tx, ctx.consumer(), advances);
        CrashPoints.reached(CrashPoints.AFTER_HANDLER_BEFORE_COMMIT);
        return new Outcome(null, false, processed, inboxDuplicates, sequenceDuplicates, advances, written);
    }

    private void committed(Outcome o) {
        ctx.metrics().processed(o.processed());
        for (int i = 0; i < o.duplicates(); i++) {
            ctx.metrics().duplicate();
        }
        ctx.metrics().duplicateSequence(o.sequenceDuplicates());
        o.advances().forEach((tp, a) -> ctx.metrics().committed(tp.topic(), tp.partition(), a.nextOffset()));
    }

    private void fenced(Batches.TopicPartition tp) {
        ctx.metrics().fenced();
        LOG.warn("consumer {}: {}/{} is fenced (a newer lease holder wrote its position); rolled back, not "
                + "acking its messages: the new holder processes them", ctx.consumer(), tp.topic(), tp.partition());
        ctx.source().onFenced(tp.topic(), tp.partition());
    }

    /**
     * After a handler failure: each message alone, so the good ones commit and only the bad one is
     * nacked. For an ordered source a partition is skipped from its first unsettled message on.
     */
    private void oneByOne(List<SourceMessage> batch) {
        boolean ordered = ctx.source().ordered();
        Set<Batches.TopicPartition> stopped = new HashSet<>();
        List<SourceMessage> toAck = new ArrayList<>(batch.size());
        for (SourceMessage m : batch) {
            Batches.TopicPartition tp = new Batches.TopicPartition(m.topic(), m.partition());
            if (stopped.contains(tp) || (ordered && unsettled.containsKey(tp))) {
                continue; // not processed, not acked: the source redelivers from the failed message on
            }
            String unstorable = ordered ? Pipeline.unstorable(m, false) : null;
            if (unstorable != null) {
                if (!deadLetter(m, ProcessorDeadLetters.REASON_UNSTORABLE, unstorable)) {
                    stopped.add(tp);
                }
                continue;
            }
            Outcome o;
            try {
                o = runTimed(List.of(m));
            } catch (HandlerException e) {
                if (ordered && ctx.source().isLastDelivery(m)) {
                    if (!deadLetter(m, ProcessorDeadLetters.REASON_MAX_DELIVERIES, e.getMessage())) {
                        stopped.add(tp);
                    }
                    continue;
                }
                Pipeline.nackQuietly(ctx, m, e.getMessage(), LOG);
                if (ordered) {
                    unsettled.put(tp, m);
                }
                continue;
            }
            if (o.fenced() != null) {
                fenced(o.fenced());
                stopped.add(tp);
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

    /**
     * Dead-letters {@code m} through the outbox (ordered sources). Returns whether the partition may go
     * on past it: false when fenced (the new holder decides).
     */
    private boolean deadLetter(SourceMessage m, String reason, String error) {
        ProcessorDeadLetters.Result r;
        // It writes the row itself (reading it first): the cached one is no longer what the store holds.
        positions.forget(new Batches.TopicPartition(m.topic(), m.partition()));
        try {
            r = ProcessorDeadLetters.deadLetter(ctx, m, reason, error);
        } catch (HandlerException e) {
            throw new IllegalStateException("dead-lettering " + m + " failed inside the store: " + e.getMessage(), e);
        }
        ctx.metrics().handlerFailure(error);
        ctx.metrics().nacked(true);
        if (r == ProcessorDeadLetters.Result.FENCED) {
            fenced(new Batches.TopicPartition(m.topic(), m.partition()));
            return false;
        }
        LOG.warn("consumer {}: {} {} after delivery {} ({}): copied to {}{} through the outbox, position moved past it",
                ctx.consumer(), m, r == ProcessorDeadLetters.Result.DEAD_LETTERED ? "dead-lettered" : "already settled",
                m.deliveryCount(), error, m.topic(), ProcessorDeadLetters.DLQ_SUFFIX);
        return true;
    }

    private void ack(List<SourceMessage> messages) {
        Pipeline.ackQuietly(ctx, messages, LOG);
    }
}
