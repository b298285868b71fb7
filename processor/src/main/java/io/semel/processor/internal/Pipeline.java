package io.semel.processor.internal;

import io.semel.processor.SourceMessage;
import java.util.List;
import org.slf4j.Logger;

/** What the poll thread does with each chunk of polled messages (one receive transaction). */
public interface Pipeline {

    /**
     * Processes one chunk: commit, then ack. Throws only for store failures
     * ({@link io.semel.processor.store.StoreException}); the chunk is then neither committed nor acked.
     */
    void accept(List<SourceMessage> batch);

    /**
     * Splits off the messages the store cannot hold (message id or, for store-then-process, payload
     * over the store's limits) and nacks them with the reason, so a malformed message goes to the
     * dead letters like any poison message instead of stopping the processor.
     *
     * @return the storable messages, in order
     */
    static List<SourceMessage> refuseUnstorable(ProcessorContext ctx, List<SourceMessage> batch, boolean withPayload,
            Logger log) {
        List<SourceMessage> ok = new java.util.ArrayList<>(batch.size());
        for (SourceMessage m : batch) {
            String problem = unstorable(m, withPayload);
            if (problem == null) {
                ok.add(m);
                continue;
            }
            nackQuietly(ctx, m, problem, log);
        }
        return ok;
    }

    /**
     * Nacks a message that was not committed, with the reason the broker records if it dead-letters
     * it; counts it and says when this was its last delivery. A failed nack is only logged: the
     * delivery times out and comes back anyway.
     */
    static void nackQuietly(ProcessorContext ctx, SourceMessage m, String error, Logger log) {
        boolean last = ctx.source().isLastDelivery(m);
        ctx.metrics().handlerFailure(error);
        ctx.metrics().nacked(last);
        log.warn("consumer {}: nacking {} ({}){}", ctx.consumer(), m, error,
                last ? "; this was its last delivery, the source dead-letters it" : "");
        try {
            ctx.source().nack(m, error);
        } catch (RuntimeException e) {
            log.warn("consumer {}: nack of {} failed: {}", ctx.consumer(), m, e.toString());
        }
    }

    /** Why the store cannot hold the message, or null when it can. */
    static String unstorable(SourceMessage m, boolean withPayload) {
        try {
            io.semel.processor.store.internal.Checks.messageId(m.messageId());
            if (withPayload) {
                io.semel.processor.store.internal.Checks.payload(m.messageId(), m.key(), m.value(), m.headers());
            }
            return null;
        } catch (IllegalArgumentException e) {
            return "cannot be stored: " + e.getMessage();
        }
    }

    /**
     * Acks after commit. A refused or failed ack is only logged: the message is committed, so its
     * redelivery will be skipped by the inbox.
     */
    static void ackQuietly(ProcessorContext ctx, List<SourceMessage> messages, Logger log) {
        try {
            int settled = ctx.source().ack(messages);
            if (settled < messages.size()) {
                log.info("consumer {}: {} of {} acks refused (lease moved); their redeliveries will be skipped",
                        ctx.consumer(), messages.size() - settled, messages.size());
            }
        } catch (RuntimeException e) {
            log.warn("consumer {}: ack of {} committed messages failed ({}); their redeliveries will be skipped",
                    ctx.consumer(), messages.size(), e.toString());
        }
    }
}
