package io.semel.verify.checker;

import static io.semel.verify.testing.HistoryBuilder.d;
import static org.assertj.core.api.Assertions.assertThat;

import io.semel.verify.history.EventValue;
import io.semel.verify.history.HistoryReader;
import io.semel.verify.history.HistoryWriter;
import io.semel.verify.history.Guarantee;
import io.semel.verify.testing.Fixtures;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The header's {@code engine}: Kafka keeps no per-record delivery count, so a history recorded on the Kafka engine
 * is not held to {@code redelivery-lie} and {@code count-not-increasing}; every other rule still applies.
 */
class KafkaEngineCheckTest {
    private static CheckResult check(io.semel.verify.testing.HistoryBuilder b) {
        return new Checker(new CheckerOptions(1)).check(b.build());
    }

    @Test
    void aSecondFirstDeliveryIsARedeliveryLieOnSemelButNotCheckedOnKafka() {
        CheckResult semel = check(Fixtures.cleanExactlyOnce().deliver("c2", 2, d("m1", 0, 0, 1)));
        assertThat(semel.found()).containsExactly(AnomalyKind.REDELIVERY_LIE);

        CheckResult kafka = check(Fixtures.cleanExactlyOnce().engine(EventValue.Header.ENGINE_KAFKA)
                .deliver("c2", 2, d("m1", 0, 0, 1)));
        assertThat(kafka.found()).isEmpty();
        assertThat(kafka.anomalies()).doesNotContainKeys(AnomalyKind.REDELIVERY_LIE, AnomalyKind.COUNT_NOT_INCREASING);
        assertThat(kafka.verdict()).isEqualTo(Verdict.VALID);
    }

    @Test
    void everyOtherRuleStillHoldsOnKafka() {
        CheckResult kafka = check(Fixtures.cleanExactlyOnce().engine(EventValue.Header.ENGINE_KAFKA)
                .sendOk("m9", "a", 5, 0, 7));
        assertThat(kafka.found()).contains(AnomalyKind.LOST, AnomalyKind.LOST_LOG);
        assertThat(kafka.verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void theEngineRoundTripsThroughTheHistoryFileAndSemelIsNotWritten() throws Exception {
        for (String engine : List.of(EventValue.Header.ENGINE_KAFKA, EventValue.Header.ENGINE_SEMEL)) {
            StringWriter out = new StringWriter();
            long[] t = {0};
            HistoryWriter w = new HistoryWriter(out, () -> t[0] += 1,
                    new EventValue.Header(Guarantee.EXACTLY_ONCE, List.of()).withRun(3, 10).withEngine(engine));
            w.close(); // the header only
            assertThat(out.toString().contains("\"engine\"")).isEqualTo(engine.equals(EventValue.Header.ENGINE_KAFKA));
            EventValue.Header h = HistoryReader.readAll(new StringReader(out.toString())).header();
            assertThat(h.engineOrDefault()).isEqualTo(engine);
            assertThat(h.seed()).isEqualTo(3L);
        }
    }
}
