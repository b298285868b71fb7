package io.semel.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.semel.processor.store.JdbcStore;
import io.semel.spring.internal.KafkaRelayRunner;
import io.semel.spring.internal.KafkaSourceFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Kafka as the source ({@code semel.source=kafka}) and/or the relay target
 * ({@code semel.relay.target=kafka}, default: the source), active only when semel-kafka is on the
 * classpath. Runs before {@link SemelAutoConfiguration}, whose Semel-broker beans then back off.
 */
@AutoConfiguration(before = SemelAutoConfiguration.class, afterName = {
        "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"})
@ConditionalOnClass(name = "io.semel.kafka.KafkaSource")
@EnableConfigurationProperties(SemelProperties.class)
public class SemelKafkaAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(name = "semel.source", havingValue = "kafka")
    SemelSourceFactory semelKafkaSourceFactory(SemelProperties properties) {
        return new KafkaSourceFactory(properties.getKafka());
    }

    /** The store bean is defined later (SemelAutoConfiguration), so it is looked up when the relay starts. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnExpression("${semel.relay.enabled:true} and '${semel.relay.target:${semel.source:semel}}'"
            + ".equalsIgnoreCase('kafka')")
    SemelOutbox semelKafkaOutbox(ObjectProvider<JdbcStore> store, SemelProperties properties,
            ObjectProvider<MeterRegistry> meters) {
        RelaySettings r = properties.getRelay();
        String servers = properties.getKafka().requireBootstrapServers("the outbox relay (target kafka)");
        return new SemelOutbox(() -> KafkaRelayRunner.start(store.getObject(), servers, r,
                properties.getKafka()), meters::getIfUnique,
                r.getRelayName());
    }
}
