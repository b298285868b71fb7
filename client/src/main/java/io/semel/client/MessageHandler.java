package io.semel.client;

/**
 * Application code run by {@link Consumer#runAtMostOnce} / {@link Consumer#runAtLeastOnce}. A
 * runtime exception counts as a failed handling (nacked with its text in at-least-once mode);
 * wrap checked exceptions.
 */
@FunctionalInterface
public interface MessageHandler {
    void handle(Message message);
}
