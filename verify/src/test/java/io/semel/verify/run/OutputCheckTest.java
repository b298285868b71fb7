package io.semel.verify.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.verify.history.LogRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Kafka engine's relay output check, without a cluster: each applied effect must be published exactly once, so a
 * duplicated, missing or stray outgoing message, or rows left unsent, is a problem (and makes the run INVALID through
 * {@code RunHealth}).
 */
class OutputCheckTest {
    private final List<String> logged = new ArrayList<>();

    private static List<LogRecord> published(String... ids) {
        List<LogRecord> out = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            out.add(new LogRecord(0, i, ids[i]));
        }
        return out;
    }

    private OutputCheck compare(long unsent, List<String> applied, List<LogRecord> published) {
        return OutputCheck.compare(unsent, 120_000, applied, published, logged::add);
    }

    @Test
    void everyAppliedEffectPublishedOnceIsClean() {
        OutputCheck c = compare(0, List.of("p1-1", "p1-2", "p2-1"), published("p2-1", "p1-1", "p1-2"));
        assertThat(c.problems()).isEmpty();
        assertThat(c.checked()).isEqualTo(3);
        assertThat(logged).containsExactly("output check: 3 applied effects, 3 published, 0 ids differ");
    }

    @Test
    void anEffectAppliedTwiceNeedsTwoPublications() {
        // At-least-once applies a redelivered message twice: two outbox rows, two outgoing messages.
        assertThat(compare(0, List.of("p1-1", "p1-1"), published("p1-1", "p1-1")).problems()).isEmpty();
        assertThat(compare(0, List.of("p1-1", "p1-1"), published("p1-1")).problems())
                .containsExactly("p1-1 applied 2×, published 1×");
    }

    @Test
    void aDuplicatedPublicationIsAProblem() {
        OutputCheck c = compare(0, List.of("p1-1", "p1-2"), published("p1-1", "p1-2", "p1-2"));
        assertThat(c.problems()).containsExactly("p1-2 applied 1×, published 2×");
        assertThat(logged).containsExactly("output check: 2 applied effects, 3 published, 1 ids differ");
    }

    @Test
    void aMissingPublicationIsAProblem() {
        assertThat(compare(0, List.of("p1-1", "p1-2"), published("p1-1")).problems())
                .containsExactly("p1-2 applied 1×, published 0×");
    }

    @Test
    void aPublicationForNoAppliedEffectIsAProblem() {
        assertThat(compare(0, List.of("p1-1"), published("p1-1", "p9-9")).problems())
                .containsExactly("p9-9 applied 0×, published 1×");
    }

    @Test
    void pastTheFirstFewDisagreeingIdsTheRestAreCounted() {
        List<String> applied = List.of("p1-1", "p1-2", "p1-3", "p1-4", "p1-5", "p1-6", "p1-7");
        OutputCheck c = compare(0, applied, published());
        assertThat(c.problems()).hasSize(OutputCheck.SHOWN_MAX + 1).startsWith("p1-1 applied 1×, published 0×")
                .endsWith("… 2 more ids whose publications differ from their applies");
    }

    @Test
    void rowsLeftUnsentAreAProblemEvenWhenTheRestMatches() {
        assertThat(compare(4, List.of("p1-1"), published("p1-1")).problems())
                .containsExactly(OutputCheck.unsentProblem(4, 120_000));
        assertThat(compare(-1, List.of(), published()).problems()).hasSize(1);
    }
}
