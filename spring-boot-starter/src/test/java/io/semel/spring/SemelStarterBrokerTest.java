package io.semel.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.semel.client.PartitionRecord;
import io.semel.processor.Handler;
import io.semel.processor.store.JdbcStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.sqlite.SQLiteDataSource;

/** The starter against a real Semel broker on loopback, with a SQLite file as the application's DataSource. */
class SemelStarterBrokerTest {
    @TempDir
    static Path dir;
    private static TestBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = TestBroker.start(dir.resolve("broker"));
        broker.createTopic(Bank.DEPOSITS, 4);
        broker.createTopic(Bank.RECEIPTS, 2);
        broker.createTopic("audit", 2);
        broker.createTopic("slow", 1);
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    static SQLiteDataSource sqlite(Path file) {
        SQLiteDataSource ds = new SQLiteDataSource();
        ds.setUrl("jdbc:sqlite:" + file);
        return ds;
    }

    private static ApplicationContextRunner runner(DataSource ds) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SemelKafkaAutoConfiguration.class, SemelAutoConfiguration.class,
                        SemelHealthAutoConfiguration.class))
                .withBean(DataSource.class, () -> ds)
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withPropertyValues(broker.properties());
    }

    @Test
    void annotatedHandlersApplyEachMessageOnceAndTheRelayPublishesEachReceiptOnce() throws Exception {
        SQLiteDataSource ds = sqlite(dir.resolve("bank.db"));
        Bank.createSchema(ds);
        List<String> deposits = Bank.deposits(0, 200, 7);
        runner(ds).withBean(Bank.Deposits.class).withBean(Bank.AuditHandler.class)
                .withPropertyValues("semel.relay.relay-name=bank-relay").run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    assertThat(ctx.getBean(JdbcStore.class).sqliteFile()).contains(dir.resolve("bank.db"));
                    broker.produce(Bank.DEPOSITS, deposits);
                    broker.produce("audit", List.of("x:1", "x:2", "x:3"));

                    await().atMost(Duration.ofSeconds(60)).until(() -> Bank.balances(ds).equals(Bank.expected(deposits)));
                    await().atMost(Duration.ofSeconds(60)).until(() -> broker.readAll(Bank.RECEIPTS).size() >= 200);
                    await().atMost(Duration.ofSeconds(30)).until(() -> Bank.count(ds, "SELECT count(*) FROM audit_log") >= 3);

                    List<PartitionRecord> receipts = broker.readAll(Bank.RECEIPTS);
                    Set<String> ids = receipts.stream().map(r -> r.header("semel.id")).collect(Collectors.toSet());
                    assertThat(receipts).hasSize(200);
                    assertThat(ids).hasSize(200);
                    assertThat(Bank.count(ds, "SELECT count(DISTINCT message_id) FROM audit_log")).isEqualTo(3);
                    assertThat(Bank.count(ds, "SELECT count(*) FROM audit_log")).isEqualTo(3);

                    MeterRegistry meters = ctx.getBean(MeterRegistry.class);
                    assertThat(meters.get("semel.processor.processed").tag("consumer", "bank").counter().count())
                            .isEqualTo(200.0);
                    await().atMost(Duration.ofSeconds(10)).until(() ->
                            meters.get("semel.relay.sent").tag("relay", "bank-relay").functionCounter().count() == 200.0);

                    SemelProcessors processors = ctx.getBean(SemelProcessors.class);
                    assertThat(processors.status()).containsOnlyKeys("deposits/bank", "audit/auditors");
                    var health = ctx.getBean(SemelHealthIndicator.class).health();
                    assertThat(health.getStatus()).isEqualTo(Status.UP);
                    assertThat(health.getDetails().get("processors").toString()).contains("deposits/bank")
                            .contains("processed=200");
                });
    }

    @Test
    void closingTheContextFinishesTheBatchInFlightAndAcksIt() throws Exception {
        SQLiteDataSource ds = sqlite(dir.resolve("slow.db"));
        Bank.createSchema(ds);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Handler slow = (m, tx) -> {
            entered.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Bank.deposit(m, tx);
        };
        runner(ds).withBean(SemelSubscription.class, () -> SemelSubscription.of("slow", "slow", slow))
                .withPropertyValues("semel.relay.enabled=false").run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    broker.produce("slow", List.of("s0:5"));
                    assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
                    SemelProcessors processors = ctx.getBean(SemelProcessors.class);

                    Thread closer = new Thread(ctx::close, "closer");
                    closer.start();
                    closer.join(1_000);
                    assertThat(closer.isAlive()).as("close() waits for the handler in flight").isTrue();
                    release.countDown();
                    closer.join(30_000);
                    assertThat(closer.isAlive()).isFalse();
                    // Stopped, not abandoned: the poll thread is gone and the member left its group.
                    assertThat(liveThreads("semel-processor-poll-slow")).isEmpty();
                    assertThat(processors.state()).isEqualTo(SemelProcessors.State.STOPPED);
                });

        // Committed before the store closed, and acked: a new member sees no redelivery.
        assertThat(Bank.balances(ds)).isEqualTo(Map.of("s0", 5L));
        assertThat(Bank.count(ds, "SELECT count(*) FROM semel_position WHERE consumer = 'slow' AND seq_watermark IS NOT NULL"))
                .as("the batch's position was committed with it").isGreaterThanOrEqualTo(1);
        AtomicInteger again = new AtomicInteger();
        runner(ds).withBean(SemelSubscription.class, () -> SemelSubscription.of("slow", "slow", (m, tx) -> {
            again.incrementAndGet();
            Bank.deposit(m, tx);
        })).withPropertyValues("semel.relay.enabled=false").run(c -> {
            assertThat(c).hasNotFailed();
            Thread.sleep(3 * TestBroker.ACK_TIMEOUT_MS); // past the ack timeout: an unacked delivery would be back
            assertThat(c.getBean(SemelProcessors.class).status().get("slow/slow").redeliveriesSeen()).isZero();
        });
        assertThat(again.get()).isZero();
        assertThat(Bank.balances(ds)).isEqualTo(Map.of("s0", 5L));
    }

    private static List<String> liveThreads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith(prefix)).toList();
    }

    static final class PlainHandler implements Handler {
        @Override
        public void handle(io.semel.processor.ProcessorMessage m, io.semel.processor.ProcessorTransaction tx) {
        }
    }

    @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
    static class StrayConfig {
        @org.springframework.context.annotation.Bean
        PlainHandler plainHandler() {
            return new PlainHandler();
        }

        @org.springframework.context.annotation.Bean
        SemelSubscription plainSubscription(PlainHandler h) {
            return SemelSubscription.of("audit", "plain", h);
        }
    }

    static class BadSignature {
        @SemelHandler(topic = "t", group = "g")
        void apply(String wrong) {
        }
    }

    @Test
    void misconfigurationsFailTheStartWithWhatToChange() {
        SQLiteDataSource ds = sqlite(dir.resolve("misc.db"));
        runner(ds).withBean(PlainHandler.class).run(ctx -> assertThat(ctx.getStartupFailure())
                .rootCause().hasMessageContaining("implements io.semel.processor.Handler but has no @SemelHandler"));
        runner(ds).withBean("one", SemelSubscription.class, () -> SemelSubscription.of("t", "g", (m, tx) -> { }))
                .withBean("two", SemelSubscription.class, () -> SemelSubscription.of("t", "g", (m, tx) -> { }))
                .run(ctx -> assertThat(ctx.getStartupFailure()).rootCause()
                        .hasMessageContaining("two Semel handlers for topic 't' and group 'g'"));
        runner(ds).withBean(BadSignature.class).run(ctx -> assertThat(ctx.getStartupFailure()).rootCause()
                .hasMessageContaining("has the wrong signature"));
        SQLiteDataSource memory = new SQLiteDataSource();
        memory.setUrl("jdbc:sqlite::memory:");
        runner(memory).run(ctx -> assertThat(ctx.getStartupFailure()).rootCause()
                .hasMessageContaining("in memory"));
        runner(ds).withPropertyValues("semel.processor.inbox-retention-ms=1000").withBean(Bank.Deposits.class)
                .run(ctx -> assertThat(ctx.getStartupFailure()).rootCause()
                        .hasMessageContaining("must be greater than the source's redeliveryHorizonMs"));
        assertThat(liveThreads("semel-consumer-heartbeat-bank-")).as("the refused processor's consumer was closed").isEmpty();
        runner(ds).withPropertyValues("semel.broker=").withBean(Bank.Deposits.class).run(ctx ->
                assertThat(ctx.getStartupFailure()).rootCause().hasMessageContaining("semel.broker is not set"));
    }

    @Test
    void aHandlerBeanUsedByASubscriptionIsNotAStray() throws Exception {
        SQLiteDataSource ds = sqlite(dir.resolve("stray.db"));
        Bank.createSchema(ds);
        runner(ds).withUserConfiguration(StrayConfig.class)
                .withPropertyValues("semel.relay.enabled=false")
                .run(ctx -> assertThat(ctx.getBean(SemelProcessors.class).status()).containsOnlyKeys("audit/plain"));
    }
}
