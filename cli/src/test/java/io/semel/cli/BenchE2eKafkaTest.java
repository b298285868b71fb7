package io.semel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.cli.BenchLatencyTest.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * {@code semel bench e2e --engine kafka} at a tiny size: both pipelines run, every exactly-once run's check passes
 * (the ledger; the whole output topic read read_committed), and the ratio lines are printed. The Kafka test starts
 * a Kafka node in a child JVM and runs eight pipelines: {@code -Dsemel.bench.kafka=true} ({@code mvn -B -pl cli -am
 * verify -Dtest=BenchE2eKafkaTest -Dsurefire.failIfNoSpecifiedTests=false -Dsemel.bench.kafka=true}).
 */
class BenchE2eKafkaTest {
    @Test
    @EnabledIfSystemProperty(named = "semel.bench.kafka", matches = "true")
    void bothPipelinesRunCheckedAgainstTheirKafkaBaselines() {
        Run r = BenchLatencyTest.semel("bench", "e2e", "--engine", "kafka", "--count", "300", "--batch-sizes", "1,100",
                "--partitions", "2", "--warmup", "0");
        assertThat(r.exit()).as("stderr: %s\nstdout: %s", r.err(), r.out()).isZero();
        assertThat(r.out()).contains("setup: bench e2e --engine kafka, exactly-once into the database (KafkaSource")
                .contains("setup: bench e2e --engine kafka, at-least-once into the database")
                .contains("setup: bench e2e --engine kafka, exactly-once chain Kafka -> database -> Kafka")
                .contains("setup: bench e2e --engine kafka, Kafka transactions chain")
                .contains("fsync per append (log.flush.interval.messages=1)")
                .contains("ratio at batch 1 (batched handler, sqlite store, Kafka fsync-per-append, medians of 1), into "
                        + "the database")
                .contains("ratio at batch 100 (batched handler, sqlite store, Kafka fsync-per-append, medians of 1), "
                        + "chain Kafka -> database -> Kafka");
        // Both exactly-once pipelines, both batch sizes: the ledger is exact, and the chain's output has every
        // message once.
        assertThat(r.out().lines().filter(l -> l.startsWith("result: 300 applied")
                && l.contains("ledger 300 rows for 300 distinct messages, balances sum 300, 0 account(s) whose balance "
                        + "differs from its ledger (each message applied once)"))).hasSize(6);
        assertThat(r.out().lines().filter(l -> l.contains("output topic (read_committed, whole): 300 records for 300 "
                + "distinct messages (each message published once)"))).hasSize(4);
    }

    @Test
    void anUnknownEngineIsRefused() {
        Run r = BenchLatencyTest.semel("bench", "e2e", "--engine", "pulsar");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("--engine: 'pulsar' is neither semel nor kafka");
    }

    @Test
    void kafkaOptionsTakeOnlyTheirListedValues() {
        Run pipelines = BenchLatencyTest.semel("bench", "e2e", "--engine", "kafka", "--pipelines", "db,outbox");
        assertThat(pipelines.exit()).isEqualTo(Semel.EXIT_USAGE);
        assertThat(pipelines.err()).contains("--pipelines: 'outbox' is neither db nor chain");
        Run durability = BenchLatencyTest.semel("bench", "e2e", "--engine", "kafka", "--kafka-durability", "fsync");
        assertThat(durability.exit()).isEqualTo(Semel.EXIT_USAGE);
        assertThat(durability.err()).contains("--kafka-durability: 'fsync' is neither page-cache nor fsync-per-append");
    }

    @Test
    void semelBrokerOptionsAreRefusedWithKafka() {
        Run r = BenchLatencyTest.semel("bench", "e2e", "--engine", "kafka", "--broker", "127.0.0.1:1");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("apply to --engine semel only");
    }

    /** They configure the clients of a Semel broker; the Kafka node is plain, so they would be ignored. */
    @Test
    void semelClientSecurityOptionsAreRefusedWithKafka() {
        Run r = BenchLatencyTest.semel("bench", "e2e", "--engine", "kafka", "--user", "alice");
        assertThat(r.exit()).isEqualTo(Semel.EXIT_USAGE);
        assertThat(r.err()).contains("apply to --engine semel only");
    }
}
