package io.semel.console.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.console.BrokerCounters.Counters;
import org.junit.jupiter.api.Test;

class SampleRingTest {

    @Test
    void ratesArePerSecondBetweenConsecutiveReadings() {
        SampleRing ring = new SampleRing(10);
        ring.add(1_000, new Counters(100, 10, 10_000_000, 0));
        assertThat(ring.snapshot()).as("the first reading is only the origin").isEmpty();
        ring.add(1_500, new Counters(150, 15, 20_000_000, 4_000_000));
        SampleRing.Point p = ring.snapshot()[0];
        assertThat(p.atMs()).isEqualTo(1_500);
        assertThat(p.recordsPerSec()).isEqualTo(100.0);
        assertThat(p.fsyncsPerSec()).isEqualTo(10.0);
        assertThat(p.fsyncMeanMs()).isEqualTo(2.0);
        assertThat(p.fsyncMaxMs()).isEqualTo(4.0);
    }

    @Test
    void keepsOnlyTheNewestCapacityPointsOldestFirst() {
        SampleRing ring = new SampleRing(3);
        for (int i = 0; i <= 5; i++) {
            ring.add(i * 1000L, new Counters(i * 10L, 0, 0, 0));
        }
        assertThat(ring.snapshot()).extracting(SampleRing.Point::atMs).containsExactly(3000L, 4000L, 5000L);
    }

    @Test
    void unavailableFsyncCountersStayUnavailableAndRecordsNeverGoNegative() {
        SampleRing ring = new SampleRing(3);
        ring.add(0, new Counters(50, -1, -1, -1));
        ring.add(1000, new Counters(40, -1, -1, -1));
        SampleRing.Point p = ring.snapshot()[0];
        assertThat(p.recordsPerSec()).isZero();
        assertThat(p.fsyncsPerSec()).isEqualTo(-1);
        assertThat(p.fsyncMeanMs()).isEqualTo(-1);
        assertThat(p.fsyncMaxMs()).isEqualTo(-1);
    }
}
