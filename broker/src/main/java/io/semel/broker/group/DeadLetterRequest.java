package io.semel.broker.group;

import io.semel.protocol.Header;
import java.util.List;

/**
 * A side effect: copy message {@code (topic, partition, offset)} to {@link #dlqTopic} with its
 * key, value and headers plus {@link #headers()}, durably, and then tell the group with {@link
 * GroupState#deadLettered}. Until then the offset is not settled, so a crash in between leads to
 * the request being issued again after replay ({@link GroupState#pendingDeadLetters}). The
 * broker shell makes the repeated copy a no-op with an idempotent producer whose sequence is the
 * request's position in the group log ({@code io.semel.broker.internal.DeadLetterCopier}).
 *
 * @param error the last nack's text, or {@value GroupState#ERROR_ACK_TIMEOUT}, {@value
 *     GroupState#ERROR_LEASE_REVOKED} or {@value GroupState#ERROR_BROKER_RESTART}
 */
public record DeadLetterRequest(String group, String topic, int partition, long offset, int deliveryCount,
        String error) {

    public static final String REASON_MAX_DELIVERIES = "max-deliveries-exceeded";

    public static final String H_REASON = "semel.dlq.reason";
    public static final String H_ERROR = "semel.dlq.error";
    public static final String H_DELIVERY_COUNT = "semel.dlq.delivery-count";
    public static final String H_TOPIC = "semel.dlq.topic";
    public static final String H_PARTITION = "semel.dlq.partition";
    public static final String H_OFFSET = "semel.dlq.offset";
    public static final String H_GROUP = "semel.dlq.group";

    /** {@code <topic>.dlq}. */
    public String dlqTopic() {
        return topic + GroupNames.DLQ_SUFFIX;
    }

    /** Headers to add to the copy, values as UTF-8 decimal or text. */
    public List<Header> headers() {
        return List.of(
                Header.of(H_REASON, REASON_MAX_DELIVERIES),
                Header.of(H_ERROR, error),
                Header.of(H_DELIVERY_COUNT, Integer.toString(deliveryCount)),
                Header.of(H_TOPIC, topic),
                Header.of(H_PARTITION, Integer.toString(partition)),
                Header.of(H_OFFSET, Long.toString(offset)),
                Header.of(H_GROUP, group));
    }
}
