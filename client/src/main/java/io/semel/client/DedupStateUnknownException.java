package io.semel.client;

import io.semel.protocol.ErrorCode;

/**
 * The broker answered {@code DEDUP_STATE_UNKNOWN}: it no longer has this producer's dedup state for
 * a partition (evicted at its {@code producersMaxPerPartition} limit, expired after
 * {@code producerIdleExpiryMs}, or released), so it cannot tell whether a resent batch is a
 * duplicate, and it refused the batch instead of guessing. Fatal, like every
 * {@link FatalProducerException}: every later send fails too.
 *
 * <p>What to do: the sends that failed with an unknown outcome before this may or may not be in the
 * log. Reconcile them (read the partition, or rely on the consumer's idempotency key), close this
 * producer and create a new one (a new INIT_PRODUCER starts a new epoch whose sequences the broker
 * tracks afresh), and only then resend what is missing.
 */
public class DedupStateUnknownException extends FatalProducerException {
    private static final long serialVersionUID = 1L;

    public DedupStateUnknownException(String message) {
        super(ErrorCode.DEDUP_STATE_UNKNOWN, message);
    }
}
