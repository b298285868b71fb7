package io.semel.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.client.Consumer;
import io.semel.client.Producer;
import io.semel.client.SendResult;
import io.semel.console.Redriver.DeadLetterId;
import io.semel.console.Redriver.Outcome;
import io.semel.console.Redriver.Status;
import io.semel.console.internal.BrokerView;
import io.semel.console.internal.ClientRedriver;
import io.semel.protocol.Header;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The redriver against a real broker when an earlier redrive crashed between its append and its ack:
 * the append is planted with the redrive identity and origin header, exactly as the crashed redrive
 * left it, and a fresh redriver (as after a restart) must find it and append nothing twice.
 */
class RedriveIdempotenceTest {
    static final String DLQ = "orders.dlq";

    @TempDir
    Path dir;
    ConsoleFixture fx;
    ClientRedriver redriver;
    BrokerView view;

    @BeforeEach
    void start() throws Exception {
        fx = new ConsoleFixture(dir);
        fx.createTopic("orders", 1);
        fx.produce("shop", "orders", List.of("a", "poison-1", "b", "poison-2", "c"), "order-");
        try (Consumer c = fx.consumer("billing", "orders")) {
            assertThat(ConsoleFixture.consume(c, 3, "poison-", 2, Duration.ofSeconds(30))).hasSize(3);
        }
        view = new BrokerView(fx.broker, 10_000);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (view.endOffset(DLQ, 0) < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(view.endOffset(DLQ, 0)).isEqualTo(2);
        redriver = new ClientRedriver(fx.bootstrap, null, null, view, 20_000, System::nanoTime);
    }

    @AfterEach
    void stop() {
        if (redriver != null) {
            redriver.close();
        }
        fx.close();
    }

    /** What a redrive of dead letter {@code offset} appends, done by hand and never acked: a crash before the ack. */
    private void plantAppendedButUnmarked(long offset) {
        BrokerView.RecordRow letter = view.read(DLQ, 0, offset, 1).get(0);
        try (Producer p = Producer.builder(fx.bootstrap).durable(ClientRedriver.NAME_PREFIX + DLQ).build()) {
            long seq = p.nextSequence("orders", 0);
            List<Header> headers = new ArrayList<>(List.of(Header.of("trace", letter.header("trace"))));
            headers.add(Header.of(ClientRedriver.ORIGIN_HEADER, DLQ + "/0/" + offset));
            SendResult r = p.sendWithSequence("orders", 0, seq, letter.key(), letter.value(), headers).join();
            assertThat(r.duplicate()).isFalse();
        }
    }

    @Test
    void redrivingTheDeadLetterWhoseAckWasLostAppendsNothingAndMarksIt() {
        plantAppendedButUnmarked(0);
        long end = view.endOffset("orders", 0);

        List<Outcome> out = redriver.redrive(DLQ, List.of(new DeadLetterId(0, 0)));

        assertThat(out).singleElement().satisfies(o -> assertThat(o.status()).isEqualTo(Status.ALREADY_REDRIVEN));
        assertThat(view.endOffset("orders", 0)).isEqualTo(end);
        assertThat(redriver.redriven(DLQ, 0).test(0)).isTrue();
        assertThat(redriver.redriven(DLQ, 0).test(1)).isFalse();
    }

    @Test
    void redrivingAnotherDeadLetterFirstAlsoMarksTheUnmarkedOneSoItIsNeverAppendedAgain() {
        plantAppendedButUnmarked(0);
        long end = view.endOffset("orders", 0);

        assertThat(redriver.redrive(DLQ, List.of(new DeadLetterId(0, 1)))).singleElement()
                .satisfies(o -> assertThat(o.status()).isEqualTo(Status.REDRIVEN));
        assertThat(redriver.redriven(DLQ, 0).test(0)).as("the planted one is marked on the way").isTrue();

        // A fresh redriver (a console restart) and "redrive all" again: nothing left to append.
        redriver.close();
        redriver = new ClientRedriver(fx.bootstrap, null, null, view, 20_000, System::nanoTime);
        assertThat(redriver.redrive(DLQ, List.of(new DeadLetterId(0, 0), new DeadLetterId(0, 1))))
                .extracting(Outcome::status).containsOnly(Status.ALREADY_REDRIVEN);
        assertThat(view.endOffset("orders", 0)).isEqualTo(end + 1);
        List<String> origins = view.read("orders", 0, end - 1, 10).stream()
                .map(r -> r.header(ClientRedriver.ORIGIN_HEADER)).toList();
        assertThat(origins).containsExactly(DLQ + "/0/0", DLQ + "/0/1");
    }

    @Test
    void redriveAllFromThePageMovesEveryPendingDeadLetterOnce() throws Exception {
        long end = view.endOffset("orders", 0);
        String form = "csrf=" + fx.csrf() + "&dlq=" + DLQ + "&partition=0&action=all";
        var first = fx.post("/messages/redrive", form);
        assertThat(first.headers().firstValue("Location").orElseThrow()).contains("redriven=2&already=0&failed=0");
        var again = fx.post("/messages/redrive", form);
        assertThat(again.headers().firstValue("Location").orElseThrow()).contains("redriven=0&already=0&failed=0")
                .contains("nothing+selected");
        assertThat(view.endOffset("orders", 0)).isEqualTo(end + 2);
        String page = fx.get("/messages?topic=" + DLQ, ConsoleFixture.USER, ConsoleFixture.PASSWORD).body();
        assertThat(page).contains("id=\"dl-0-0-status\">redriven<").contains("id=\"dl-0-1-status\">redriven<");
    }

    @Test
    void aCleanRedriveAppendsEachDeadLetterOnceWithItsOrigin() {
        long end = view.endOffset("orders", 0);
        assertThat(redriver.redrive(DLQ, List.of(new DeadLetterId(0, 1), new DeadLetterId(0, 0))))
                .extracting(Outcome::status).containsExactly(Status.REDRIVEN, Status.REDRIVEN);
        assertThat(redriver.redrive(DLQ, List.of(new DeadLetterId(0, 0), new DeadLetterId(0, 1))))
                .extracting(Outcome::status).containsExactly(Status.ALREADY_REDRIVEN, Status.ALREADY_REDRIVEN);
        List<BrokerView.RecordRow> rows = view.read("orders", 0, end, 10);
        assertThat(rows).extracting(r -> r.header(ClientRedriver.ORIGIN_HEADER))
                .containsExactly(DLQ + "/0/0", DLQ + "/0/1");
        assertThat(rows).extracting(r -> new String(r.value(), java.nio.charset.StandardCharsets.UTF_8))
                .containsExactly("order-poison-1", "order-poison-2");
        assertThat(rows).allSatisfy(r -> assertThat(r.headers()).noneMatch(h -> h.key().startsWith("semel.dlq.")));
    }
}
