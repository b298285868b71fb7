/**
 * Web console served next to a running broker, in its process: {@link io.semel.console.Console}.
 * Seams the operator work plugs into: {@link io.semel.console.BrokerCounters} (metrics),
 * {@link io.semel.console.Redriver} (dead-letter redrive), {@link io.semel.console.ConsoleAuthenticator}
 * (who may look). User guide: {@code docs/console.md}.
 */
package io.semel.console;
