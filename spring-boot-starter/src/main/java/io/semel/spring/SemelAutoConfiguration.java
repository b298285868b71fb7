package io.semel.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.semel.processor.ExactlyOnceProcessor;
import io.semel.processor.store.JdbcStore;
import io.semel.spring.internal.SemelBrokerSourceFactory;
import io.semel.spring.internal.SemelRelayRunner;
import io.semel.spring.internal.StoreFactory;
import io.semel.spring.internal.SubscriptionCollector;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Wires Semel into a Spring Boot application (see docs/spring-boot.md):
 * <ul>
 *   <li>{@link JdbcStore} on the application's {@link DataSource} (SQLite or PostgreSQL), unless the
 *       application declares one;</li>
 *   <li>{@link SemelProcessors}: one exactly-once processor per {@link SemelHandler} (topic, group),
 *       with the application's {@link MeterRegistry} when there is one;</li>
 *   <li>{@link SemelOutbox}: the outbox relay ({@code semel.relay.enabled}, default on);</li>
 *   <li>{@link SemelHealthIndicator} when Actuator is on the classpath ({@link SemelHealthAutoConfiguration}).</li>
 * </ul>
 * Runs after the DataSource and Micrometer auto-configurations (named by string so neither
 * spring-boot-jdbc nor actuator is required on the classpath).
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration"})
@ConditionalOnClass(ExactlyOnceProcessor.class)
@EnableConfigurationProperties(SemelProperties.class)
public class SemelAutoConfiguration {

    @Bean
    static SubscriptionCollector semelSubscriptionCollector() {
        return new SubscriptionCollector();
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnBean(DataSource.class)
    JdbcStore semelStore(DataSource dataSource, SemelProperties properties) {
        return StoreFactory.open(dataSource, properties.getStore().toOptions());
    }

    @Bean
    @ConditionalOnMissingBean
    SemelSourceFactory semelSourceFactory(SemelProperties properties) {
        if (properties.getSource() == SemelProperties.SourceKind.KAFKA) {
            throw new IllegalStateException("semel.source=kafka, but semel-kafka (io.semel.kafka.KafkaSource) is not "
                    + "on the classpath; add the io.semel:semel-kafka dependency, or set semel.source=semel");
        }
        return new SemelBrokerSourceFactory(properties);
    }

    @Bean
    @ConditionalOnBean(JdbcStore.class)
    @ConditionalOnProperty(prefix = "semel.processor", name = "enabled", matchIfMissing = true)
    SemelProcessors semelProcessors(JdbcStore store, SemelProperties properties, SemelSourceFactory sources,
            SubscriptionCollector collector, ObjectProvider<SemelSubscription> declared,
            ObjectProvider<MeterRegistry> meters) {
        return new SemelProcessors(store, properties.getProcessor(), sources, collector,
                () -> declared.orderedStream().toList(), meters::getIfUnique);
    }

    @Bean
    @ConditionalOnBean(JdbcStore.class)
    @ConditionalOnMissingBean
    @ConditionalOnExpression("${semel.relay.enabled:true} and '${semel.relay.target:${semel.source:semel}}'"
            + ".equalsIgnoreCase('semel')")
    SemelOutbox semelOutbox(JdbcStore store, SemelProperties properties, ObjectProvider<MeterRegistry> meters) {
        RelaySettings r = properties.getRelay();
        String broker = properties.requireBroker("the outbox relay (semel.relay.enabled=true, target semel)");
        return new SemelOutbox(() -> SemelRelayRunner.start(store, broker, properties.getUsername(),
                properties.getPassword(), r), meters::getIfUnique, r.getRelayName());
    }
}
