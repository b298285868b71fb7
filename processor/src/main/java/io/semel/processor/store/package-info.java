/**
 * The processor's durable store: inbox, consumer positions, outbox and relay producer identity in
 * one JDBC database (SQLite file or PostgreSQL), changed together with the user's own tables in one
 * local transaction. Entry point: {@link io.semel.processor.store.JdbcStore}. See {@code docs/store.md}.
 */
package io.semel.processor.store;
