package io.semel.processor;

/**
 * A snapshot of a processor's state and counters since it was built.
 *
 * @param state lifecycle state
 * @param processed messages whose handler effects committed
 * @param duplicatesSkipped deliveries skipped because their id was already in the inbox
 * @param redeliveriesSeen deliveries with deliveryCount &gt; 1
 * @param nacked messages nacked after a handler failure
 * @param fencedBatches transactions rolled back because a newer lease holder had written the position
 * @param lastError the last failure's text (handler or store), or null
 */
public record ProcessorStatus(String consumer, ProcessingMode mode, State state, long processed,
        long duplicatesSkipped, long redeliveriesSeen, long nacked, long fencedBatches, String lastError) {

    /** NEW → RUNNING → STOPPED; FAILED when the poll loop hit an error it cannot survive. */
    public enum State { NEW, RUNNING, STOPPED, FAILED }
}
