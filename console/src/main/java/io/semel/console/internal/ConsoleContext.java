package io.semel.console.internal;

import io.semel.broker.Broker;
import io.semel.console.ConsoleConfig;
import io.semel.console.Redriver;
import java.time.Clock;

/**
 * What the pages read from. Immutable; its parts are thread-safe.
 *
 * @param csrfToken random per console start; every form carries it and every POST must echo it
 * @param startedAtMs when the console started, wall clock
 */
record ConsoleContext(Broker broker, BrokerView view, Redriver redriver, SampleRing samples, ConsoleConfig config,
        String csrfToken, Clock clock, long startedAtMs, boolean fsyncAvailable) {
}
