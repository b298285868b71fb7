package io.semel.client;

/**
 * A confirmed send.
 *
 * @param offset the record's offset, or -1 when {@code duplicate} is true and the broker no longer
 *     retains the original batch's offsets
 * @param duplicate true when the broker had already appended this record (a retry after a lost
 *     reply); the offset is then the original one when known
 */
public record SendResult(String topic, int partition, long offset, boolean duplicate) {
}
