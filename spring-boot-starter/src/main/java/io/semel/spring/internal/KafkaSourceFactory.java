package io.semel.spring.internal;

import io.semel.kafka.KafkaSource;
import io.semel.kafka.KafkaSourceBuilder;
import io.semel.processor.Source;
import io.semel.spring.KafkaSettings;
import io.semel.spring.SemelSourceFactory;
import io.semel.spring.SemelSubscription;

/** Kafka sources for {@code semel.source=kafka}; loaded only when semel-kafka is on the classpath. Stateless. */
public final class KafkaSourceFactory implements SemelSourceFactory {
    private final KafkaSettings settings;

    public KafkaSourceFactory(KafkaSettings settings) {
        this.settings = settings;
    }

    @Override
    public Source create(SemelSubscription s) {
        KafkaSourceBuilder b = KafkaSource.builder(settings.requireBootstrapServers("handler " + s.origin()),
                        s.group(), s.topic())
                .maxDeliveries(settings.getMaxDeliveries()).nackBackoffMs(settings.getNackBackoffMs())
                .nackBackoffMaxMs(settings.getNackBackoffMaxMs()).sessionTimeoutMs(settings.getSessionTimeoutMs())
                .initialPosition(KafkaSourceBuilder.InitialPosition.valueOf(settings.getInitialPosition().name()));
        settings.getConsumerProperties().forEach(b::consumerProperty);
        return b.build();
    }
}
