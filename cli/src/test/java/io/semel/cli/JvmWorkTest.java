package io.semel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JvmWorkTest {

    @Test
    void theWorkBetweenTwoTotalsIsTheirDifference() {
        JvmWork before = new JvmWork(1_000, 7, 40);
        JvmWork after = new JvmWork(1_412, 10, 58);

        assertThat(after.since(before)).isEqualTo(new JvmWork(412, 3, 18));
        assertThat(after.since(before).summary()).isEqualTo("JIT compiling 412 ms, 3 GCs 18 ms");
        assertThat(new JvmWork(0, 1, 2).summary()).isEqualTo("JIT compiling 0 ms, 1 GC 2 ms");
    }

    @Test
    void aJvmThatDoesNotTimeItsJitSaysSoInsteadOfPrintingAFigure() {
        JvmWork unmeasured = new JvmWork(-1, 2, 5).since(new JvmWork(-1, 1, 1));

        assertThat(unmeasured.compileMs()).isEqualTo(-1);
        assertThat(unmeasured.summary()).isEqualTo("JIT time not measured by this JVM, 1 GC 4 ms");
    }

    @Test
    void aCollectionBetweenTwoReadingsIsCounted() {
        JvmWork before = JvmWork.now();
        System.gc();

        JvmWork during = JvmWork.now().since(before);

        assertThat(during.gcCount()).isPositive();
        assertThat(during.compileMs()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void theWaitForAQuietJitEndsAtItsLimitWhenTheQuietSpanIsNeverReached() throws InterruptedException {
        JvmWork.Settling s = JvmWork.awaitJitQuiet(60_000, 200);

        assertThat(s.quiet()).isFalse();
        assertThat(s.waitedMs()).isBetween(200L, 5_000L);
        assertThat(s.summary()).startsWith("JIT still compiling after ");
    }

    @Test
    void aQuietSpanOfZeroIsReachedAtOnce() throws InterruptedException {
        JvmWork.Settling s = JvmWork.awaitJitQuiet(0, 10_000);

        assertThat(s.quiet()).isTrue();
        assertThat(s.waitedMs()).isLessThan(1_000);
    }

    @Test
    void aQuietJitHasCompiledNothingForTheWholeSpan() throws InterruptedException {
        JvmWork.Settling s = JvmWork.awaitJitQuiet(100, 10_000);

        if (s.quiet()) {
            assertThat(s.waitedMs()).isGreaterThanOrEqualTo(100);
        } else {
            assertThat(s.waitedMs()).isGreaterThanOrEqualTo(10_000);
        }
        assertThat(new JvmWork.Settling(1_250, true).summary()).isEqualTo("JIT quiet after 1,250 ms");
    }
}
