package io.semel.processor;

/** How the processor splits receiving from handling; see {@code docs/processor.md}. */
public enum ProcessingMode {
    /**
     * Per polled batch, one store transaction runs the handler, records each message as PROCESSED and
     * moves the positions; commit, then ack. The default.
     */
    TRANSACTIONAL,
    /**
     * One transaction stores the batch as RECEIVED rows (with payload) and moves the positions;
     * commit, ack; then workers run the handler per message in its own transaction and mark it
     * PROCESSED. The broker ack does not wait for the handler.
     */
    STORE_THEN_PROCESS
}
