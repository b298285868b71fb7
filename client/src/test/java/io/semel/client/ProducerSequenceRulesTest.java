package io.semel.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.protocol.ApiKey;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Produce;
import io.semel.protocol.RecordBatch;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Regressions of issue 8: the two ways the exactly-once producer broke its batch life cycle. Both
 * failed before the fix (the first appended a record twice, the second stopped the producer).
 */
class ProducerSequenceRulesTest {
    private final ScriptedBroker broker;
    private final List<Producer> producers = new ArrayList<>();

    ProducerSequenceRulesTest() throws Exception {
        broker = new ScriptedBroker().topic("one", 1);
    }

    @AfterEach
    void stop() throws Exception {
        producers.forEach(p -> p.close(Duration.ZERO));
        broker.close();
    }

    private Producer build(Producer.Builder b) {
        Producer p = b.build();
        producers.add(p);
        return p;
    }

    private Producer.Builder builder() {
        return Producer.builder(broker.bootstrap()).clientId("rules-test").name("p1").lingerMs(0)
                .requestTimeoutMs(1_000).retryBackoffMs(10).retryBackoffMaxMs(50).deliveryTimeoutMs(5_000);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String value(Produce.Request r) {
        return new String(r.batch().records().get(0).value(), StandardCharsets.UTF_8);
    }

    private long copiesInLog(String value) {
        return broker.log("one", 0).stream().filter(v -> new String(v, StandardCharsets.UTF_8).equals(value)).count();
    }

    /** Waits for the future; returns its failure, or null when it was confirmed. */
    private static Throwable outcome(CompletableFuture<SendResult> f) throws Exception {
        try {
            f.get(10, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    @Test
    void aBatchThatMayBeAppendedKeepsItsSequencesWhenTheBatchAboveItIsGivenUp() throws Exception {
        // A's first copy is stuck in the network and lands at 1.5 s; until it has, every resend of A
        // is throttled. B overtakes A and is answered OUT_OF_ORDER, then both pass their delivery
        // timeout. Before the fix, giving B up renumbered A into B's sequence: A's late copy and A's
        // renumbered resend were then both appended.
        broker.onNext(ApiKey.PRODUCE, new ScriptedBroker.Hold(1_500));
        broker.handle(ApiKey.PRODUCE, req -> {
            Produce.Request p = (Produce.Request) req;
            if (value(p).equals("A") && copiesInLog("A") == 0) {
                return Produce.Response.error(ErrorCode.THROTTLED, "scripted: A's resends wait for its late copy");
            }
            return broker.model(req);
        });
        Producer p = build(builder().lingerMs(50).batchBytesMax(RecordBatch.HEADER_BYTES + 20).deliveryTimeoutMs(600));
        CompletableFuture<SendResult> a = p.send("one", b("A"));
        CompletableFuture<SendResult> bee = p.send("one", b("B"));

        assertThat(outcome(a)).as("A passed its delivery timeout while in doubt").isInstanceOf(
                OutcomeUnknownException.class);
        Throwable bOutcome = outcome(bee);
        Wait.until(() -> copiesInLog("A") >= 1, 5_000, "A's late copy landed");
        SendResult c = p.send("one", b("C")).get(10, TimeUnit.SECONDS);

        assertThat(copiesInLog("A")).as("A in the log exactly once").isEqualTo(1);
        assertThat(copiesInLog("C")).isEqualTo(1);
        assertThat(c.duplicate()).isFalse();
        if (bOutcome instanceof DefiniteFailureException) {
            assertThat(copiesInLog("B")).as("B failed definitely, so it must not be in the log").isZero();
        } else {
            assertThat(copiesInLog("B")).as("B unknown or confirmed: at most once").isLessThanOrEqualTo(1);
        }
        for (Produce.Request r : broker.<Produce.Request>requests(ApiKey.PRODUCE)) {
            if (value(r).equals("A")) {
                assertThat(r.batch().baseSequence()).as("every copy of A carries A's sequence").isEqualTo(0);
            }
        }
    }

    @Test
    void aBatchWhoseOutcomeWasUnknownIsResolvedSoTheNextBatchIsNeverOutOfOrderForever() throws Exception {
        // A's first copy is lost (not appended), its resend is answered UNKNOWN_SERVER_ERROR (what a
        // broker answers for a failure it cannot classify, possibly after writing). Before the fix A was
        // given up without its sequence being resolved; B was then answered OUT_OF_ORDER ("expected
        // 0, received 1") with nothing below it pending, and the producer stopped.
        broker.onNext(ApiKey.PRODUCE, new ScriptedBroker.Lose(), new ScriptedBroker.Fail(ErrorCode.UNKNOWN_SERVER_ERROR));
        Producer p = build(builder().inFlightBatchesMax(1));
        CompletableFuture<SendResult> a = p.send("one", b("A"));
        CompletableFuture<SendResult> bee = p.send("one", b("B"));

        assertThat(outcome(a)).as("A is resent until the broker answers for its sequence").isNull();
        assertThat(outcome(bee)).as("B is not refused out of order, and the producer does not stop").isNull();
        assertThat(p.send("one", b("C")).get(10, TimeUnit.SECONDS).offset()).isEqualTo(2);
        assertThat(broker.log("one", 0)).extracting(v -> new String(v, StandardCharsets.UTF_8))
                .containsExactly("A", "B", "C");
    }

    @Test
    void outOfOrderBehindABatchInDoubtResendsTheLowerBatchInsteadOfStopping() throws Exception {
        // A's first copy is lost while B's reaches the broker out of order; B's answer arrives while A
        // is still unresolved.
        broker.onNext(ApiKey.PRODUCE, new ScriptedBroker.Fail(ErrorCode.TIMEOUT));
        Producer p = build(builder().lingerMs(50).batchBytesMax(RecordBatch.HEADER_BYTES + 20));
        CompletableFuture<SendResult> a = p.send("one", b("A"));
        CompletableFuture<SendResult> bee = p.send("one", b("B"));
        assertThat(outcome(a)).isNull();
        assertThat(outcome(bee)).isNull();
        assertThat(broker.log("one", 0)).extracting(v -> new String(v, StandardCharsets.UTF_8))
                .containsExactly("A", "B");
        assertThat(p.send("one", b("C")).get(10, TimeUnit.SECONDS).offset()).as("the producer goes on").isEqualTo(2);
    }
}
