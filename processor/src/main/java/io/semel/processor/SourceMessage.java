package io.semel.processor;

import io.semel.protocol.Header;
import java.util.List;
import java.util.Objects;

/**
 * One delivery from a {@link Source}. Immutable; the arrays are not copied, do not modify them.
 *
 * @param deliveryCount 1 on first delivery, +1 on each redelivery
 * @param leaseEpoch the partition lease it was delivered under: the processor stores it with the
 *     position, so a member whose lease was reassigned is fenced
 * @param key nullable
 * @param value nullable
 * @param timestampMs the producer's timestamp, epoch milliseconds
 * @param messageId the dedup identity: {@link #ID_HEADER} when present, else
 *     {@code <topic>/<partition>/<offset>} (see {@link #messageIdOf})
 */
public record SourceMessage(String topic, int partition, long offset, int deliveryCount, long leaseEpoch,
        byte[] key, byte[] value, List<Header> headers, long timestampMs, String messageId) {

    /** Header carrying an application idempotency key; outgoing messages carry their derived id in it. */
    public static final String ID_HEADER = "semel.id";

    public SourceMessage {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(messageId, "messageId");
        headers = headers == null ? List.of() : List.copyOf(headers);
    }

    /** A message whose id is derived with {@link #messageIdOf}. */
    public static SourceMessage of(String topic, int partition, long offset, int deliveryCount, long leaseEpoch,
            byte[] key, byte[] value, List<Header> headers, long timestampMs) {
        return new SourceMessage(topic, partition, offset, deliveryCount, leaseEpoch, key, value, headers,
                timestampMs, messageIdOf(topic, partition, offset, headers));
    }

    /**
     * The value of the last {@link #ID_HEADER} header when there is one (the application's idempotency
     * key: the same key sent twice is applied once), otherwise {@code <topic>/<partition>/<offset>}.
     */
    public static String messageIdOf(String topic, int partition, long offset, List<Header> headers) {
        String id = null;
        if (headers != null) {
            for (Header h : headers) {
                if (ID_HEADER.equals(h.key())) {
                    id = h.valueAsString();
                }
            }
        }
        return id != null && !id.isEmpty() ? id : topic + "/" + partition + "/" + offset;
    }

    @Override
    public String toString() {
        return "SourceMessage[" + messageId + " at " + topic + "/" + partition + "@" + offset + ", delivery "
                + deliveryCount + ", lease " + leaseEpoch + "]";
    }
}
