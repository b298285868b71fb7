package io.semel.verify.run.child;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.client.Consumer;
import io.semel.client.Message;
import io.semel.processor.RedeliverySettings;
import io.semel.processor.SourceMessage;
import io.semel.processor.store.JdbcStore;
import io.semel.verify.history.EventValue;
import io.semel.verify.history.Guarantee;
import io.semel.verify.history.HistoryEvent;
import io.semel.verify.history.OpType;
import io.semel.verify.proxy.FaultParams;
import io.semel.verify.proxy.FaultPolicy;
import io.semel.verify.proxy.FaultProxy;
import io.semel.verify.proxy.ProxyOptions;
import io.semel.verify.run.AddMessage;
import io.semel.verify.testing.LiveBroker;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The consumers' ack handling against a real broker (in-process, real TCP, real SQLite store): each message's
 * own {@code AckResult} decides what the history records and what the at-most-once consumer applies. A refused
 * ack is produced by acking under a lease epoch the broker never gave (STALE_LEASE for that message only); an
 * unknown one by the real fault proxy dropping the ACK's reply.
 */
class AckOutcomeTest {
    private static final String TOPIC = "acks";
    private static final List<AddMessage> MESSAGES = List.of(new AddMessage("m1", "a00", 1),
            new AddMessage("m2", "a01", 2), new AddMessage("m3", "a02", 3));

    @TempDir
    Path dir;
    private LiveBroker broker;
    private JdbcStore store;
    private final List<HistoryEvent> events = new CopyOnWriteArrayList<>();
    private final ChildHistory history = new ChildHistory(new EventOutput() {
        @Override
        public void emit(String proc, OpType type, EventValue value, String error) {
            events.add(new HistoryEvent(events.size() + 1, 0, proc, type, value, error));
        }

        @Override
        public boolean armed() {
            return false;
        }
    }, "c1", 1);

    @BeforeEach
    void start() throws Exception {
        broker = LiveBroker.start(dir.resolve("broker"));
        broker.createTopic(TOPIC, 1);
        broker.produce(TOPIC, MESSAGES);
        store = JdbcStore.sqlite(dir.resolve("store.db"));
        store.inTransaction(tx -> {
            try (Statement s = tx.connection().createStatement()) {
                s.execute(Accounts.CREATE_ACCOUNTS);
                s.execute(Accounts.CREATE_APPLIED);
                for (AddMessage m : MESSAGES) {
                    s.execute("INSERT INTO verify_accounts (account, balance) VALUES ('" + m.account() + "', 0)");
                }
            }
            return null;
        });
    }

    @AfterEach
    void stop() {
        store.close();
        broker.close();
    }

    @Test
    void atMostOnceAppliesOnlyTheMessagesTheBrokerSettledAndRecordsTheRefusalWithItsCode() throws Exception {
        ConsumerLoop loop = new ConsumerLoop(Guarantee.AT_MOST_ONCE, consumerOf(broker.bootstrap()), store, history);
        loop.connect();
        List<Message> batch = pollAll(loop.consumer());
        Message m3 = batch.get(2);
        batch.set(2, new Message(m3.topic(), m3.partition(), m3.offset(), m3.deliveryCount(), m3.leaseEpoch() + 7,
                m3.key(), m3.value(), m3.headers(), m3.timestampMs()));

        loop.handle(batch);

        assertThat(appliedIds()).containsExactlyInAnyOrder("m1", "m2");
        assertThat(acks(OpType.OK)).containsExactly(List.of("m1", "m2"));
        assertThat(acks(OpType.FAIL)).containsExactly(List.of("m3"));
        assertThat(events).filteredOn(e -> e.type() == OpType.FAIL).singleElement()
                .satisfies(e -> assertThat(e.error()).startsWith("STALE_LEASE"));
        loop.consumer().close();
    }

    @Test
    void atMostOnceAppliesNothingWhoseAckOutcomeIsUnknown() throws Exception {
        try (FaultProxy proxy = FaultProxy.start("px", broker.address(), ProxyOptions.semelFrames(), 1, e -> { })) {
            ConsumerLoop loop = new ConsumerLoop(Guarantee.AT_MOST_ONCE, consumerOf("127.0.0.1:" + proxy.port()),
                    store, history);
            loop.connect();
            List<Message> batch = pollAll(loop.consumer());
            // The ACK reaches the broker (which settles it) and its reply is lost: the consumer cannot know.
            proxy.setPolicy(FaultPolicy.DROP_AFTER_REQUEST, FaultParams.DEFAULTS);

            loop.handle(batch);

            assertThat(appliedIds()).isEmpty();
            assertThat(acks(OpType.OK)).isEmpty();
            assertThat(acks(OpType.INFO)).containsExactly(List.of("m1", "m2", "m3"));
        }
    }

    @Test
    void exactlyOnceSourceRecordsEachMessagesOwnAckOutcome() throws Exception {
        RecordingSource source = new RecordingSource(consumerOf(broker.bootstrap()),
                new RedeliverySettings(LiveBroker.ACK_TIMEOUT_MS, 10, 1_000), history);
        source.connect();
        List<SourceMessage> batch = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (batch.size() < MESSAGES.size() && System.nanoTime() < deadline) {
            batch.addAll(source.poll(Duration.ofMillis(500)));
        }
        assertThat(batch).hasSize(MESSAGES.size());
        SourceMessage m2 = batch.get(1);
        batch.set(1, new SourceMessage(m2.topic(), m2.partition(), m2.offset(), m2.deliveryCount(),
                m2.leaseEpoch() + 7, m2.key(), m2.value(), m2.headers(), m2.timestampMs(), m2.messageId()));

        int settled = source.ack(batch);

        assertThat(settled).isEqualTo(2);
        assertThat(acks(OpType.OK)).containsExactly(List.of("m1", "m3"));
        assertThat(acks(OpType.FAIL)).containsExactly(List.of("m2"));
        source.close();
    }

    private static Supplier<Consumer> consumerOf(String bootstrap) {
        return () -> Consumer.builder(bootstrap).clientId("c1").group("g").topic(TOPIC)
                .requestTimeoutMs(5_000).connectTimeoutMs(2_000).build();
    }

    private static List<Message> pollAll(Consumer c) {
        List<Message> out = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (out.size() < MESSAGES.size() && System.nanoTime() < deadline) {
            out.addAll(c.poll(Duration.ofMillis(500)));
        }
        assertThat(out).hasSize(MESSAGES.size());
        return out;
    }

    private List<List<String>> acks(OpType type) {
        return events.stream().filter(e -> e.type() == type && e.value() instanceof EventValue.Ack)
                .map(e -> ((EventValue.Ack) e.value()).ids()).toList();
    }

    private List<String> appliedIds() throws Exception {
        return store.inTransaction(tx -> {
            List<String> ids = new ArrayList<>();
            try (Statement s = tx.connection().createStatement();
                    ResultSet rs = s.executeQuery("SELECT id FROM verify_applied")) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        });
    }
}
