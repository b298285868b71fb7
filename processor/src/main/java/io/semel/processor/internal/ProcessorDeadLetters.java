package io.semel.processor.internal;

import io.semel.processor.SourceMessage;
import io.semel.processor.store.HandlerException;
import io.semel.processor.store.OutboxMessage;
import io.semel.processor.store.PositionUpdate;
import io.semel.processor.store.StoreTransaction;
import io.semel.protocol.Header;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Dead-lettering done by the processor for an {@link io.semel.processor.Source#ordered() ordered}
 * source (Kafka has no broker-side dead letters): one store transaction moves the position past the
 * message and enqueues a copy to
 * {@code <topic>.dlq} in the outbox, with the same {@code semel.dlq.*} headers the Semel broker
 * writes. The copy is then published exactly once by the outbox relay. Like a broker dead letter, it
 * leaves no inbox row: the message was not processed. Stateless.
 */
final class ProcessorDeadLetters {
    static final String DLQ_SUFFIX = ".dlq";
    static final String H_REASON = "semel.dlq.reason";
    static final String H_ERROR = "semel.dlq.error";
    static final String H_DELIVERY_COUNT = "semel.dlq.delivery-count";
    static final String H_TOPIC = "semel.dlq.topic";
    static final String H_PARTITION = "semel.dlq.partition";
    static final String H_OFFSET = "semel.dlq.offset";
    static final String H_GROUP = "semel.dlq.group";
    static final String REASON_MAX_DELIVERIES = "max-deliveries-exceeded";
    static final String REASON_UNSTORABLE = "unstorable";

    /** What the dead-letter transaction found. */
    enum Result {
        /** Committed: position past the message, outbox copy enqueued. */
        DEAD_LETTERED,
        /** A newer lease holder owns the partition: nothing written. */
        FENCED,
        /** The position was already past the message (someone settled it): nothing written. */
        ALREADY_SETTLED
    }

    private ProcessorDeadLetters() {
    }

    static Result deadLetter(ProcessorContext ctx, SourceMessage m, String reason, String error)
            throws HandlerException {
        return ctx.store().inTransaction(tx -> write(tx, ctx, m, reason, error));
    }

    private static Result write(StoreTransaction tx, ProcessorContext ctx, SourceMessage m, String reason,
            String error) throws SQLException {
        if (ctx.sequenceState()) {
            // The offset joins the processed ones (it is settled: a redelivery must be skipped), so the
            // watermark moves past it as past any processed message.
            Map<Batches.TopicPartition, Batches.Advance> advance = Batches.advances(List.of(m));
            SequenceDedup seq = SequenceDedup.lock(tx, ctx.consumer(), advance);
            if (seq.fenced() != null || seq.processed(m)) {
                tx.setRollbackOnly();
                return seq.fenced() != null ? Result.FENCED : Result.ALREADY_SETTLED;
            }
            seq.settle(m);
            seq.save(tx, ctx.consumer(), advance);
        } else {
            PositionUpdate u = tx.advancePosition(ctx.consumer(), m.topic(), m.partition(), m.offset() + 1,
                    m.leaseEpoch());
            if (u != PositionUpdate.APPLIED) {
                tx.setRollbackOnly();
                return u == PositionUpdate.FENCED ? Result.FENCED : Result.ALREADY_SETTLED;
            }
        }
        long nowMs = ctx.clock().millis();
        // Keyed by position, not by the message id: the id may be the unstorable part, and each offset
        // is dead-lettered at most once (the position moves past it in this transaction).
        String id = m.topic() + "/" + m.partition() + "/" + m.offset() + "#dlq";
        tx.enqueueOutbox(new OutboxMessage(m.topic() + DLQ_SUFFIX, m.key(), m.value(), headers(ctx, m, reason, error, id),
                id, nowMs));
        return Result.DEAD_LETTERED;
    }

    private static List<Header> headers(ProcessorContext ctx, SourceMessage m, String reason, String error, String id) {
        List<Header> out = new ArrayList<>(m.headers().size() + 8);
        for (Header h : m.headers()) {
            if (!SourceMessage.ID_HEADER.equals(h.key())) {
                out.add(h);
            }
        }
        out.add(Header.of(H_REASON, reason));
        out.add(Header.of(H_ERROR, error));
        out.add(Header.of(H_DELIVERY_COUNT, Integer.toString(m.deliveryCount())));
        out.add(Header.of(H_TOPIC, m.topic()));
        out.add(Header.of(H_PARTITION, Integer.toString(m.partition())));
        out.add(Header.of(H_OFFSET, Long.toString(m.offset())));
        out.add(Header.of(H_GROUP, ctx.consumer()));
        out.add(Header.of(SourceMessage.ID_HEADER, id));
        return out;
    }
}
