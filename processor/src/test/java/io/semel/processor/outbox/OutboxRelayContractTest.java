package io.semel.processor.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.client.PartitionRecord;
import io.semel.client.Partitioner;
import io.semel.client.Producer;
import io.semel.processor.store.FailedOutboxRow;
import io.semel.processor.store.HandlerException;
import io.semel.processor.store.JdbcStore;
import io.semel.processor.store.OutboxMessage;
import io.semel.protocol.Header;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay against a real broker and a real store; run over SQLite and PostgreSQL. Crashes are
 * simulated in-process with a crash hook that throws (the dead relay's producer is abandoned, as a
 * killed process's would be); {@link RelayKillTest} does it with real child JVMs.
 */
abstract class OutboxRelayContractTest extends RelayFixture {
    @Test
    void rowsWithIdGapsArePublishedExactlyOnceInIdOrderPerPartition() throws Exception {
        Map<String, String> committed = enqueue(300, 1);
        try (OutboxRelay relay = relay(37).build()) {
            drain(relay);
            assertThat(relay.stats().sent()).isEqualTo(committed.size());
            assertThat(relay.stats().duplicates()).isZero();
        }
        assertExactlyOnceInOrder(committed);
        assertThat(store.relaySequences()).allSatisfy(s -> assertThat(s.highestSentSequence())
                .isEqualTo(s.nextSequence() - 1));
        assertThat(store.loadProducer(RELAY)).hasValueSatisfying(p -> assertThat(p.producerId()).isNotNegative());
    }

    @Test
    void theRelayThreadPublishesRowsCommittedWhileItRuns() throws Exception {
        Map<String, String> committed;
        try (OutboxRelay relay = relay(50).pollIntervalMs(5).build().start()) {
            committed = enqueue(200, 2);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!store.pendingOutbox(0, 1).isEmpty()) {
                assertThat(System.nanoTime()).as("relay catches up").isLessThan(deadline);
                Thread.sleep(10);
            }
            assertThat(relay.failure()).isEmpty();
        }
        assertExactlyOnceInOrder(committed);
    }

    @Test
    void aCrashAfterAssigningBeforeSendingIsResentByTheNextRelayWithTheSameSequences() throws Exception {
        Map<String, String> committed = enqueue(120, 3);
        crashOnceAt(OutboxRelay.CRASH_AFTER_ASSIGN_BEFORE_SEND, 3, 20);
        try (OutboxRelay next = relay(20).build()) {
            drain(next);
        }
        assertExactlyOnceInOrder(committed);
    }

    @Test
    void aCrashAfterSendingBeforeMarkingSentDoesNotDuplicateAnything() throws Exception {
        Map<String, String> committed = enqueue(120, 4);
        crashOnceAt(OutboxRelay.CRASH_AFTER_SEND_BEFORE_MARK_SENT, 3, 20);
        try (OutboxRelay next = relay(20).build()) {
            drain(next);
            assertThat(next.stats().alreadyInLog()).as("the dead relay's batch was in the log already").isPositive();
        }
        assertExactlyOnceInOrder(committed);
    }

    @Test
    void repeatedCrashesAtBothPointsStillPublishEveryRowOnce() throws Exception {
        Map<String, String> committed = enqueue(200, 5);
        for (int round = 1; round <= 6; round++) {
            String point = round % 2 == 0 ? OutboxRelay.CRASH_AFTER_ASSIGN_BEFORE_SEND
                    : OutboxRelay.CRASH_AFTER_SEND_BEFORE_MARK_SENT;
            crashOnceAt(point, 1 + round % 3, 7 + round);
        }
        try (OutboxRelay last = relay(13).build()) {
            drain(last);
        }
        assertExactlyOnceInOrder(committed);
    }

    @Test
    void rowsTheBrokerRefusesFailAfterSendAttemptsMaxAreDeadLetteredAndTheRowsBehindThemFlow() throws Exception {
        List<String> good = new ArrayList<>();
        String tooLarge = "too-large";
        String unknownTopic = "to-nowhere";
        store.inTransaction(t -> {
            for (int i = 0; i < 25; i++) {
                if (i == 8) {
                    t.enqueueOutbox(new OutboxMessage(TOPIC, bytes("cust-1"), new byte[TestBroker.MAX_RECORD_BYTES + 1],
                            List.of(Header.of("app", "billing")), tooLarge, 1));
                }
                if (i == 15) {
                    t.enqueueOutbox(new OutboxMessage("no-such-topic", null, bytes("x"), List.of(), unknownTopic, 1));
                }
                String id = "good-" + i;
                t.enqueueOutbox(new OutboxMessage(TOPIC, bytes("cust-1"), bytes(id), List.of(Header.of("app", "billing")),
                        id, 1));
                good.add(id);
            }
            return null;
        });
        try (OutboxRelay relay = relay(10).sendAttemptsMax(3).build()) {
            int refusals = 0;
            for (int pass = 0; pass < 100 && !store.pendingOutbox(0, 1).isEmpty(); pass++) {
                try {
                    relay.runOnce();
                } catch (RelayRowException e) {
                    refusals++;
                }
            }
            assertThat(store.pendingOutbox(0, 10)).as("nothing stuck behind the refused rows").isEmpty();
            // Three rows fail: the too-large one, the one to a missing topic, and that one's copy to its missing DLQ.
            assertThat(refusals).isEqualTo(9);
            assertThat(relay.stats().failed()).isEqualTo(3);
        }
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        good.forEach(id -> expected.put(id, "cust-1"));
        assertExactlyOnceInOrder(expected);
        assertThat(store.failedOutbox(10)).extracting(FailedOutboxRow::messageId)
                .containsExactly(tooLarge, unknownTopic, unknownTopic + "/dlq");
        assertThat(store.failedOutbox(10)).allSatisfy(f -> assertThat(f.attempts()).isEqualTo(3));
        assertThat(store.failedOutbox(10).get(0).lastError()).contains("MESSAGE_TOO_LARGE");
        assertThat(store.failedOutbox(10).get(1).lastError()).contains("UNKNOWN_TOPIC_OR_PARTITION");
        List<PartitionRecord> dead = broker.readAll(TOPIC + ".dlq").get(0);
        assertThat(dead).singleElement().satisfies(r -> {
            assertThat(r.header(OutboxRelay.MESSAGE_ID_HEADER)).isEqualTo(tooLarge + "/dlq");
            assertThat(r.header("semel.dlq.reason")).isEqualTo("outbox-send-failed");
            assertThat(r.header("semel.dlq.error")).contains("MESSAGE_TOO_LARGE");
            assertThat(r.header("semel.dlq.value-omitted-bytes")).isEqualTo(
                    Integer.toString(TestBroker.MAX_RECORD_BYTES + 1));
            assertThat(r.value()).isNull();
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("cust-1");
        });
    }

    @Test
    void aBrokerAheadOfTheStoreStopsTheRelayWithBothNumbers() throws Exception {
        enqueue(30, 6);
        try (OutboxRelay relay = relay(100).build()) {
            drain(relay);
        }
        // A store that lost its rows (e.g. restored from an old backup) under the same relay name.
        store.close();
        store = openFreshStore();
        int unsent = enqueue(5, 7).size();
        try (OutboxRelay relay = relay(100).build()) {
            assertThatThrownBy(relay::runOnce).isInstanceOf(RelayDivergedException.class)
                    .hasMessageContaining("broker has persisted sequences up to")
                    .hasMessageContaining("assigned only up to -1");
        }
        try (OutboxRelay relay = relay(100).pollIntervalMs(5).build().start()) {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (relay.failure().isEmpty()) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(5);
            }
            assertThat(relay.failure().get()).isInstanceOf(RelayDivergedException.class);
        }
        assertThat(store.pendingOutbox(0, 100)).as("nothing was sent").hasSize(unsent);
        assertThat(store.relaySequences()).as("nothing was even assigned").isEmpty();
    }
}
