package io.semel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatencySampleTest {

    @Test
    void recordedButUnreportedFirstMessagesAreLeftOutOfEveryFigure() {
        LatencySample s = new LatencySample(10, 4);
        for (int i = 0; i < 4; i++) {
            s.record(i, 1_000_000_000L); // a warm-up of 1 s each
        }
        for (int i = 4; i < 10; i++) {
            s.record(i, (i - 3) * 1_000_000L); // 1..6 ms
        }

        assertThat(s.percentileNanos(1.0)).isEqualTo(6_000_000L);
        assertThat(s.percentileNanos(0.5)).isEqualTo(3_000_000L);
        assertThat(s.tailSummary()).endsWith("max 6.000 ms (6 samples)");
        assertThat(s.summary()).endsWith("max 6.00 ms");
    }

    @Test
    void withoutAnUnreportedPrefixEveryRecordCounts() {
        LatencySample s = new LatencySample(3);
        s.record(0, 9_000_000L);
        s.record(1, 1_000_000L);
        s.record(2, 2_000_000L);

        assertThat(s.percentileNanos(1.0)).isEqualTo(9_000_000L);
        assertThat(s.tailSummary()).endsWith("(3 samples)");
    }

    @Test
    void aPrefixAsLongAsTheSampleLeavesNothingToReport() {
        LatencySample s = new LatencySample(2, 5);
        s.record(0, 1_000L);
        s.record(1, 2_000L);

        assertThat(s.tailSummary()).isEqualTo("no samples");
        assertThat(s.percentileNanos(0.5)).isZero();
    }
}
