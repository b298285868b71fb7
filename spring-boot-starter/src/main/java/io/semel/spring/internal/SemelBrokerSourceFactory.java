package io.semel.spring.internal;

import io.semel.client.Consumer;
import io.semel.processor.SemelSource;
import io.semel.processor.Source;
import io.semel.spring.SemelProperties;
import io.semel.spring.SemelSourceFactory;
import io.semel.spring.SemelSubscription;

/**
 * Sources over a Semel broker: one consumer-group member per subscription, joined when the
 * application starts (a broker that cannot be reached fails the start). Stateless.
 */
public final class SemelBrokerSourceFactory implements SemelSourceFactory {
    private final SemelProperties properties;

    public SemelBrokerSourceFactory(SemelProperties properties) {
        this.properties = properties;
    }

    @Override
    public Source create(SemelSubscription s) {
        String broker = properties.requireBroker("handler " + s.origin());
        Consumer.Builder b = Consumer.builder(broker).group(s.group()).topic(s.topic())
                .clientId("semel-spring-" + s.consumer())
                .sessionTimeoutMs(properties.getProcessor().getSessionTimeoutMs());
        if (properties.getUsername() != null) {
            b.credentials(properties.getUsername(), properties.getPassword() == null ? "" : properties.getPassword());
        }
        return new SemelSource(b.build(), properties.getProcessor().redelivery());
    }
}
