package io.semel.verify.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.verify.checker.SyntheticHistory.Plant;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checker on generated soak-shaped histories ({@link SyntheticHistory}), streamed from a file: a clean one is
 * valid, and planted anomalies are found at their subjects. (Until 2026-12-06 the streamed check was also compared,
 * examples included, with the checker from before it streamed, kept in the tests as a reference; after both gave
 * byte-identical JSON on the soak of record's 1.45 GB history, the reference was removed: docs/verify.md.)
 *
 * <p>The soak-sized run (2,700,000 messages, about 7 million events, 1.7 GB) is not in the default suite:
 * <pre>
 * mvn -B -o -pl verify -am test -Dtest=SyntheticHistoryCheckTest -Dsemel.check.big=true -DargLine=-Xmx4g \
 *     -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * or, to see time and peak heap, {@link BigHistoryMain} (docs/verify.md, "Checking a soak-sized history").
 */
class SyntheticHistoryCheckTest {
    /** About 200,000 events. */
    private static final int MESSAGES = 77_000;
    private static final int BIG_MESSAGES = 2_700_000;

    @TempDir
    Path dir;

    @Test
    void aGeneratedSoakShapedHistoryIsValid() throws IOException {
        Path file = dir.resolve("clean.jsonl");
        long events = new SyntheticHistory(MESSAGES, 1, List.of()).write(file);
        CheckResult r = new Checker().check(file);
        assertThat(events).isGreaterThan(190_000);
        assertThat(r.found()).as(r::toJson).isEmpty();
        assertThat(r.verdict()).as(r::toJson).isEqualTo(Verdict.VALID);
        assertThat(r.counts().confirmed()).isGreaterThan(MESSAGES * 99L / 100);
        assertThat(r.counts().applied()).isEqualTo(r.counts().confirmed());
        assertThat(r.redeliveryHistogram()).containsKeys(1, 2);
    }

    @Test
    void plantedAnomaliesAreFoundAtTheirSubjects() throws IOException {
        Path file = dir.resolve("planted.jsonl");
        new SyntheticHistory(MESSAGES, 1, List.of(Plant.values())).write(file);
        CheckResult r = new Checker().check(file);
        assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
        assertThat(subjects(r, AnomalyKind.LOST)).containsExactly(SyntheticHistory.plantedId(MESSAGES, Plant.LOST));
        assertThat(subjects(r, AnomalyKind.DUP_APPLIED))
                .containsExactly(SyntheticHistory.plantedId(MESSAGES, Plant.DUP_APPLIED));
        assertThat(subjects(r, AnomalyKind.DUP_LOG)).containsExactly(SyntheticHistory.plantedId(MESSAGES, Plant.DUP_LOG));
        assertThat(subjects(r, AnomalyKind.LOST_LOG)).containsExactly(SyntheticHistory.plantedId(MESSAGES, Plant.LOG_HOLE));
        assertThat(subjects(r, AnomalyKind.LOG_HOLE)).singleElement().asString().startsWith("3/");
        AnomalyExample hole = r.anomaly(AnomalyKind.LOG_HOLE).orElseThrow().examples().get(0);
        assertThat(hole.events()).as("the hole's neighbours' sends and deliveries").isNotEmpty();
        assertThat(r.anomaly(AnomalyKind.LOST).orElseThrow().examples().get(0).events())
                .anyMatch(e -> e.value() instanceof io.semel.verify.history.EventValue.Send);
    }

    @Test
    @EnabledIfSystemProperty(named = "semel.check.big", matches = "true")
    void aSoakSizedHistoryIsCheckedStreaming() throws IOException {
        Path file = Files.createTempFile("semel-big-history", ".jsonl");
        try {
            long events = new SyntheticHistory(BIG_MESSAGES, 1, List.of(Plant.values())).write(file);
            CheckResult r = new Checker().check(file);
            assertThat(events).isGreaterThan(7_000_000);
            assertThat(r.found()).contains(AnomalyKind.LOST, AnomalyKind.DUP_APPLIED, AnomalyKind.DUP_LOG,
                    AnomalyKind.LOG_HOLE);
            assertThat(subjects(r, AnomalyKind.LOST)).containsExactly(SyntheticHistory.plantedId(BIG_MESSAGES, Plant.LOST));
            assertThat(r.counts().confirmed()).isGreaterThan(BIG_MESSAGES * 99L / 100);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static java.util.SortedSet<String> subjects(CheckResult r, AnomalyKind kind) {
        return r.anomaly(kind).orElseThrow().subjects();
    }
}
