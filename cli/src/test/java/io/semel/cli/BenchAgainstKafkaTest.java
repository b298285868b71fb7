package io.semel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.cli.BenchLatencyTest.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * {@code semel bench produce|consume --kafka} at a tiny size: the Kafka lines (setup, results for both Kafka
 * durabilities, the share-group consumer) and the ratio lines are printed. Each command starts two Kafka nodes
 * (child JVMs) one after the other — tens of seconds on a loaded 2-core machine — so the class needs
 * {@code -Dsemel.bench.kafka=true}: {@code mvn -B -pl cli -am verify -Dtest='BenchAgainstKafkaTest'
 * -Dsurefire.failIfNoSpecifiedTests=false -Dsemel.bench.kafka=true}. No timing assertions.
 */
@EnabledIfSystemProperty(named = "semel.bench.kafka", matches = "true")
class BenchAgainstKafkaTest {
    @Test
    void produceRunsTheSameWorkloadAgainstKafkaAndPrintsRatios() {
        Run r = BenchLatencyTest.semel("bench", "produce", "--count", "2000", "--partitions", "2", "--kafka");
        assertThat(r.exit()).as("stderr: %s", r.err()).isZero();
        assertThat(r.out()).contains("result: 2000 confirmed in")
                .contains("setup: kafka: Apache Kafka 4.4.0, 1 KRaft node (child JVM")
                .contains("the same workload: 2000 records x 100 B")
                .contains("kafka [page-cache] result: 2000 confirmed in")
                .contains("kafka [fsync-per-append] result: 2000 confirmed in")
                .contains("ratio: semel [fsync-before-confirm] / kafka [fsync-per-append]: ");
    }

    @Test
    void consumeComparesTheSemelGroupWithKafkasClassicAndShareGroups() {
        Run r = BenchLatencyTest.semel("bench", "consume", "--count", "2000", "--max-poll", "100", "--kafka");
        assertThat(r.exit()).as("stderr: %s", r.err()).isZero();
        assertThat(r.out()).contains("result: 2000 consumed and acked in")
                .containsPattern("setup: semel: prefill written back before the timed read: \\d+ files")
                .containsPattern("setup: kafka \\[page-cache\\]: prefill written back before the timed read: \\d+ files")
                .contains("kafka [page-cache] result (plain consumer, no group, no commit): 2000 consumed in")
                .contains("kafka [page-cache] result (classic group, commitSync per poll): 2000 consumed in")
                .contains("kafka [fsync-per-append] result (share group, acknowledge each record + commitSync per "
                        + "poll): 2000 consumed in")
                .contains("ratio: semel group (ack per message) [fsync-before-confirm] / kafka [fsync-per-append] "
                        + "share group");
    }
}
