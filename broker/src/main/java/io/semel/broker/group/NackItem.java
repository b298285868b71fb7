package io.semel.broker.group;

import java.util.Objects;

/**
 * One entry of a nack request: the delivery failed and should be redelivered after a backoff.
 *
 * @param errorText why the consumer failed; becomes {@code semel.dlq.error} if the message ends up
 *     dead-lettered. At most {@link GroupConfig#nackErrorBytesMax} UTF-8 bytes.
 */
public record NackItem(int partition, long leaseEpoch, long offset, String errorText) {
    public NackItem {
        Objects.requireNonNull(errorText, "errorText");
    }
}
