package io.semel.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.semel.kafka.KafkaSource;
import io.semel.processor.Source;
import io.semel.processor.SourceException;
import io.semel.processor.SourceMessage;
import io.semel.spring.internal.SemelBrokerSourceFactory;
import io.semel.spring.internal.StoreFactory;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.sqlite.SQLiteDataSource;

/** What is configured when, without a broker: conditions, the SQLite URL rule and the IDE metadata. */
class SemelAutoConfigurationTest {
    @TempDir
    Path dir;

    private ApplicationContextRunner runner() {
        SQLiteDataSource ds = new SQLiteDataSource();
        ds.setUrl("jdbc:sqlite:" + dir.resolve("app.db"));
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SemelKafkaAutoConfiguration.class, SemelAutoConfiguration.class,
                        SemelHealthAutoConfiguration.class))
                .withBean(DataSource.class, () -> ds).withPropertyValues("semel.broker=127.0.0.1:1");
    }

    @Test
    void withoutSemelKafkaTheKafkaConfigurationStaysOffAndAskingForKafkaFailsClearly() {
        runner().withClassLoader(new FilteredClassLoader(KafkaSource.class)).run(ctx -> {
            assertThat(ctx).hasNotFailed().doesNotHaveBean(SemelKafkaAutoConfiguration.class);
            assertThat(ctx.getBean(SemelSourceFactory.class)).isInstanceOf(SemelBrokerSourceFactory.class);
        });
        runner().withClassLoader(new FilteredClassLoader(KafkaSource.class)).withPropertyValues("semel.source=kafka")
                .run(ctx -> assertThat(ctx.getStartupFailure()).rootCause()
                        .hasMessageContaining("semel-kafka (io.semel.kafka.KafkaSource) is not on the classpath"));
    }

    @Test
    void withSemelKafkaPresentTheSemelBrokerStaysTheDefaultSource() {
        runner().run(ctx -> {
            assertThat(ctx).hasSingleBean(SemelKafkaAutoConfiguration.class);
            assertThat(ctx.getBean(SemelSourceFactory.class)).isInstanceOf(SemelBrokerSourceFactory.class);
            assertThat(ctx).hasSingleBean(SemelOutbox.class).hasSingleBean(SemelHealthIndicator.class);
        });
    }

    @Test
    void switchesTurnTheRelayProcessorsAndHealthOff() {
        runner().withPropertyValues("semel.relay.enabled=false", "management.health.semel.enabled=false")
                .run(ctx -> assertThat(ctx).doesNotHaveBean(SemelOutbox.class)
                        .doesNotHaveBean(SemelHealthIndicator.class).hasSingleBean(SemelProcessors.class));
        runner().withPropertyValues("semel.processor.enabled=false")
                .run(ctx -> assertThat(ctx).doesNotHaveBean(SemelProcessors.class));
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SemelAutoConfiguration.class))
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(SemelProcessors.class));
    }

    /** A source that fails for good on its first poll, as a revoked credential would. */
    static final class BrokenSource implements Source {
        @Override
        public List<SourceMessage> poll(Duration timeout) {
            throw new SourceException("credentials revoked", false, null);
        }

        @Override
        public int ack(List<SourceMessage> messages) {
            return 0;
        }

        @Override
        public void nack(SourceMessage message, String errorText) {
        }

        @Override
        public long redeliveryHorizonMs() {
            return 1_000;
        }

        @Override
        public boolean isLastDelivery(SourceMessage message) {
            return false;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void anApplicationSourceFactoryReplacesTheDefaultAndAFailedProcessorTurnsHealthDown() {
        runner().withPropertyValues("semel.relay.enabled=false")
                .withBean(SemelSourceFactory.class, () -> s -> new BrokenSource())
                .withBean(SemelSubscription.class, () -> SemelSubscription.of("t", "g", (m, tx) -> { }))
                .run(ctx -> {
                    SemelHealthIndicator health = ctx.getBean(SemelHealthIndicator.class);
                    await().atMost(Duration.ofSeconds(30)).until(() -> health.health().getStatus().equals(Status.DOWN));
                    assertThat(health.health().getDetails().get("processors").toString()).contains("state=FAILED")
                            .contains("credentials revoked");
                });
    }

    @Test
    void sqliteUrlsNameTheirFileAndInMemoryIsRefused() {
        assertThat(StoreFactory.sqliteFile("jdbc:sqlite:/data/app.db")).isEqualTo(Path.of("/data/app.db"));
        assertThat(StoreFactory.sqliteFile("jdbc:sqlite:file:/data/app.db?journal_mode=WAL"))
                .isEqualTo(Path.of("/data/app.db"));
        assertThat(StoreFactory.sqliteFile("jdbc:sqlite:app.db")).isEqualTo(Path.of("app.db"));
        assertThatThrownBy(() -> StoreFactory.sqliteFile("jdbc:sqlite::memory:")).hasMessageContaining("in memory");
        assertThatThrownBy(() -> StoreFactory.sqliteFile("jdbc:sqlite:file:x?mode=memory&cache=shared"))
                .hasMessageContaining("in memory");
    }

    @Test
    void propertiesHaveIdeMetadataWithDescriptionsAndDefaults() throws Exception {
        String json;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("generated by spring-boot-configuration-processor").isNotNull();
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(json).contains("\"semel.broker\"", "\"semel.processor.batch-size\"",
                "\"semel.processor.broker-ack-timeout-ms\"", "\"semel.relay.relay-name\"", "\"semel.relay.target\"",
                "\"semel.store.sqlite-sync\"", "\"semel.kafka.bootstrap-servers\"");
        assertThat(json).contains("Messages per receive transaction, 1..10000.").contains("\"defaultValue\": 500");
    }
}
