package io.semel.spring;

import io.semel.processor.Source;

/**
 * Builds the source each processor consumes from. The starter declares one for the Semel broker
 * ({@code semel.source=semel}) or for Kafka ({@code semel.source=kafka}); declare your own bean to
 * replace it. Called once per subscription when the application starts.
 */
@FunctionalInterface
public interface SemelSourceFactory {
    /** A new source for the subscription's topic and group; the processor closes it when it stops. */
    Source create(SemelSubscription subscription);
}
