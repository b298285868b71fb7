package io.semel.sample.bank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.semel.client.PartitionRecord;
import io.semel.client.Producer;
import io.semel.spring.SemelProcessors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The sample application as Spring Boot starts it, against a real Semel broker on loopback: every
 * deposit is applied exactly once (balances), every receipt is published once, a poison deposit is
 * dead-lettered without touching a balance, and the health endpoint reports the processor.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class BankApplicationTest {
    @TempDir
    static Path dir;
    private static SampleBroker broker;

    @Autowired
    DataSource dataSource;
    @Autowired
    SemelProcessors processors;
    @Autowired
    HealthEndpoint health;
    @Autowired
    MeterRegistry meters;

    /** Started on first use (when the context resolves its properties); closed by the context, after the processors stop. */
    static synchronized SampleBroker broker() {
        if (broker == null) {
            try {
                broker = SampleBroker.start(dir.resolve("broker"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return broker;
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        for (String kv : broker().properties(dir.resolve("bank.db"))) {
            int eq = kv.indexOf('=');
            registry.add(kv.substring(0, eq), () -> kv.substring(eq + 1));
        }
    }

    @TestConfiguration
    static class BrokerLifetime {
        @Bean(destroyMethod = "close")
        SampleBroker sampleBroker() {
            return broker();
        }
    }

    @Test
    void appliesEveryDepositOnceAndPublishesEveryReceiptOnce() throws Exception {
        List<String> deposits = Ledger.deposits(0, 300, 9);
        try (Producer p = Producer.builder(broker().bootstrap()).build()) {
            Ledger.send(p, deposits);
            p.send(DepositHandler.DEPOSITS, "acct-x".getBytes(), "acct-x:not-a-number".getBytes()).get();
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> Ledger.balances(dataSource).equals(Ledger.expected(deposits)));
        await().atMost(Duration.ofSeconds(60)).until(() -> broker().readAll(DepositHandler.RECEIPTS).size() >= 300);
        await().atMost(Duration.ofSeconds(60)).until(() -> broker().readAll("deposits.dlq").size() >= 1);

        List<PartitionRecord> receipts = broker().readAll(DepositHandler.RECEIPTS);
        Set<String> ids = receipts.stream().map(r -> r.header("semel.id")).collect(Collectors.toSet());
        assertThat(receipts).hasSize(300);
        assertThat(ids).hasSize(300);
        assertThat(Ledger.balances(dataSource)).isEqualTo(Ledger.expected(deposits)); // the poison one added nothing
        assertThat(broker().readAll("deposits.dlq")).hasSize(1);

        assertThat(processors.status().get("deposits/bank").processed()).isEqualTo(300);
        assertThat(meters.get("semel.processor.processed").tag("consumer", "bank").counter().count()).isEqualTo(300.0);
        assertThat(health.healthForPath("semel").getStatus()).isEqualTo(Status.UP);
    }
}
