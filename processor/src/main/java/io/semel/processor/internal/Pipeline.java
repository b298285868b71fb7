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
