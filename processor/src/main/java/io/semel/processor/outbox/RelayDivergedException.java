package io.semel.processor.outbox;

/**
 * The store and the broker disagree about what the relay has published, in a way no retry can
 * repair: the broker holds sequences the store never assigned (the store lost outbox rows, e.g. it was
 * restored from a backup, or another store's relay uses the same name), or the broker lacks
 * sequences it once confirmed (the broker lost data). Sending anyway could drop or duplicate
 * messages, so the relay stops; the message has the topic, partition and both numbers. An operator
 * must reconcile (see docs/processor.md, "Outbox relay").
 */
public final class RelayDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RelayDivergedException(String message) {
        super(message);
    }
}
