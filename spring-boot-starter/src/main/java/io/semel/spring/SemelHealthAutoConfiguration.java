package io.semel.spring;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * Actuator's {@code semel} health contributor, when Actuator is on the classpath and the processors
 * exist ({@code management.health.semel.enabled=false} turns it off). A separate auto-configuration
 * so its bean condition sees the processors bean, which {@link SemelAutoConfiguration} defines.
 */
@AutoConfiguration(after = {SemelAutoConfiguration.class, SemelKafkaAutoConfiguration.class})
@ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
@ConditionalOnProperty(prefix = "management.health.semel", name = "enabled", matchIfMissing = true)
public class SemelHealthAutoConfiguration {

    @Bean
    @ConditionalOnBean(SemelProcessors.class)
    @ConditionalOnMissingBean(name = "semelHealthIndicator")
    SemelHealthIndicator semelHealthIndicator(SemelProcessors processors, ObjectProvider<SemelOutbox> outbox) {
        return new SemelHealthIndicator(processors, outbox);
    }
}
