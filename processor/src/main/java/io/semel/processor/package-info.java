/**
 * The exactly-once processor: {@link io.semel.processor.ExactlyOnceProcessor} reads a
 * {@link io.semel.processor.Source}, runs a {@link io.semel.processor.Handler} inside a
 * {@link io.semel.processor.store.JdbcStore} transaction together with the inbox record, the
 * position and the outbox rows, and acks only after commit. See {@code docs/processor.md}.
 */
package io.semel.processor;
