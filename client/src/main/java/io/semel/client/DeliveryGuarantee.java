package io.semel.client;

/**
 * What a {@link Producer} does to get a record appended. See docs/client.md for the costs.
 *
 * <pre>
 * guarantee      producer id  retries                          failure shows up as
 * -------------  -----------  -------------------------------  -------------------------------
 * AT_MOST_ONCE   no           none: one attempt, then reported  lost records
 * AT_LEAST_ONCE  no           until deliveryTimeoutMs          duplicates after a lost reply
 * EXACTLY_ONCE   yes          until deliveryTimeoutMs, with    nothing: the broker deduplicates
 *                             the same sequences               by (producer, partition, sequence)
 * </pre>
 */
public enum DeliveryGuarantee {
    AT_MOST_ONCE,
    AT_LEAST_ONCE,
    EXACTLY_ONCE
}
