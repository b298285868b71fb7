package io.semel.verify.history;

/**
 * One message in a deliver {@code ok}.
 *
 * @param deliveryCount how many times the broker says it has delivered this log record, 1 on first delivery
 */
public record Delivery(String id, long partition, long offset, int deliveryCount) {
    public Delivery {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("id must be a non-empty string, got " + id);
        }
    }
}
