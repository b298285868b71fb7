package io.semel.processor;

/**
 * How the processor recognises a message it already applied (see {@code docs/processor.md}).
 *
 * <table>
 *   <caption>Dedup modes</caption>
 *   <tr><th>mode</th><th>state kept per message</th><th>needs</th></tr>
 *   <tr><td>{@link #SEQUENCE}</td><td>none: per partition a watermark and the ranges of processed offsets
 *       above it, written once per partition per batch; an inbox row only for a message carrying an
 *       application key ({@link SourceMessage#ID_HEADER})</td><td>a {@link Source#sequenced() sequenced}
 *       source</td></tr>
 *   <tr><td>{@link #MESSAGE_ID}</td><td>one inbox row per message id, kept for the retention</td>
 *       <td>any source</td></tr>
 * </table>
 *
 * <p>With a sequenced source both modes keep the per-partition offsets, and both consult them first, so
 * a consumer can switch between the modes across restarts without applying anything twice.
 */
public enum Dedup {
    /**
     * By sequence: a delivery whose offset is recorded as processed for its partition is skipped.
     * Default for {@link Source#sequenced() sequenced} sources (Semel, Kafka).
     */
    SEQUENCE,
    /**
     * By message id: an inbox row per message ({@link SourceMessage#messageId()}). The only choice for a
     * source that is not sequenced; with a sequenced one, use it when the same logical message may sit
     * at two offsets without an application key (a producer that is not idempotent), and you want its
     * {@code <topic>/<partition>/<offset>} ids in the inbox for inspection.
     */
    MESSAGE_ID
}
