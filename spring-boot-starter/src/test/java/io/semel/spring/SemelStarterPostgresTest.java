package io.semel.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.semel.processor.store.JdbcStore;
import io.semel.processor.testing.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The store on the application's PostgreSQL DataSource (a real embedded server), against a real Semel broker. */
class SemelStarterPostgresTest {
    @TempDir
    static Path dir;
    private static EmbeddedPostgresServer pg;
    private static TestBroker broker;

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgresServer.start();
        broker = TestBroker.start(dir.resolve("broker"));
        broker.createTopic(Bank.DEPOSITS, 3);
        broker.createTopic(Bank.RECEIPTS, 2);
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
        pg.close();
    }

    @Test
    void theStoreUsesTheApplicationsPostgresDataSource() throws Exception {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(pg.freshDatabaseUrl("starter"));
        ds.setUser("postgres");
        Bank.createSchema(ds);
        List<String> deposits = Bank.deposits(0, 120, 6);
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SemelKafkaAutoConfiguration.class, SemelAutoConfiguration.class))
                .withBean(DataSource.class, () -> ds).withBean(Bank.Deposits.class)
                .withPropertyValues(broker.properties())
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    assertThat(ctx.getBean(JdbcStore.class).sqliteFile()).isEmpty();
                    broker.produce(Bank.DEPOSITS, deposits);
                    await().atMost(Duration.ofSeconds(60)).until(() -> Bank.balances(ds).equals(Bank.expected(deposits)));
                    await().atMost(Duration.ofSeconds(60)).until(() -> broker.readAll(Bank.RECEIPTS).size() >= 120);
                    assertThat(broker.readAll(Bank.RECEIPTS)).hasSize(120);
                    assertThat(Bank.count(ds, "SELECT count(*) FROM semel_outbox")).isEqualTo(120);
                });
    }
}
