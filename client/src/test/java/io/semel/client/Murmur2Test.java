package io.semel.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.client.internal.Murmur2;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class Murmur2Test {
    /**
     * Kafka's published murmur2 test vectors (its UtilsTest), cross-checked against an independent
     * Python transcription of the algorithm written for this test.
     */
    @Test
    void matchesKnownVectors() {
        assertThat(Murmur2.hash("21")).isEqualTo(-973932308);
        assertThat(Murmur2.hash("foobar")).isEqualTo(-790332482);
        assertThat(Murmur2.hash("a-little-bit-long-string")).isEqualTo(-985981536);
        assertThat(Murmur2.hash("a-little-bit-longer-string")).isEqualTo(-1486304829);
        assertThat(Murmur2.hash("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8")).isEqualTo(-58897971);
        assertThat(Murmur2.hash(new byte[] {'a', 'b', 'c'})).isEqualTo(479470107);
        assertThat(Murmur2.hash(new byte[0])).isEqualTo(275646681);
    }

    @Test
    void partitionIsPositiveModulo() {
        assertThat(Murmur2.partition("foobar".getBytes(StandardCharsets.UTF_8), 4)).isEqualTo(2);
        assertThat(Murmur2.partition("abc".getBytes(StandardCharsets.UTF_8), 7)).isEqualTo(4);
    }

    @Property
    void partitionIsAlwaysInRangeAndStable(@ForAll byte[] key, @ForAll @IntRange(min = 1, max = 10_000) int n) {
        int p = Murmur2.partition(key, n);
        assertThat(p).isBetween(0, n - 1);
        assertThat(Murmur2.partition(key.clone(), n)).isEqualTo(p);
    }
}
