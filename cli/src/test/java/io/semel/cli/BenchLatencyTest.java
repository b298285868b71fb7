package io.semel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * {@code semel bench latency} at a tiny size: the output's shape (setup, fsync floor, one latency line per path
 * with p50/p99/p99.9, ratios with --kafka), the limits on its options. No timing assertions. The Kafka test needs
 * {@code -Dsemel.bench.kafka=true}.
 */
class BenchLatencyTest {
    record Run(int exit, String out, String err) {
    }

    static Run semel(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Semel.run(args, new ByteArrayInputStream(new byte[0]), new PrintWriter(out, true),
                new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void semelPassesPrintSetupFloorAndTailPercentiles() {
        Run r = semel("bench", "latency", "--count", "40", "--warmup", "10", "--fsync-samples", "20",
                "--partitions", "2");
        assertThat(r.exit()).as("stderr: %s", r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).startsWith("setup: bench latency, one record at a time").contains("40 measured + 10 "
                + "warm-up").contains("2 partition(s)").contains("fsync-before-confirm");
        assertThat(lines.get(1)).startsWith("fsync floor: 20 x (4 KiB append + force(false))").contains("p99.9");
        assertThat(lines).hasSize(5);
        assertThat(lines.get(2)).startsWith("latency: semel [fsync-before-confirm] send->confirm: p50 ")
                .contains("(40 samples)");
        assertThat(lines.get(3)).startsWith("latency: semel [fsync-before-confirm] send->delivered (group, ack per "
                + "message): p50 ").contains("p99.9").contains("(40 samples)").contains("ack/commit round trip p50");
        assertThat(lines.get(4)).startsWith("latency: semel [fsync-before-confirm] send->delivered (PartitionReader, "
                + "no group): p50 ").contains("(40 samples)");
        for (String latency : lines.subList(2, 5)) {
            assertThat(latency).containsPattern("; this JVM during the measured records: JIT compiling \\d+ ms, \\d+ "
                    + "GCs? \\d+ ms$");
        }
    }

    @Test
    void countHasALimit() {
        Run r = semel("bench", "latency", "--count", Integer.toString(BenchLatencyCommand.COUNT_MAX + 1));
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("--count " + (BenchLatencyCommand.COUNT_MAX + 1) + " is outside 1.."
                + BenchLatencyCommand.COUNT_MAX);
    }

    @Test
    void everyLimitInTheHelpIsEnforced() {
        assertRefused("--count 0 is outside 1.." + BenchLatencyCommand.COUNT_MAX, "--count", "0");
        assertRefused("--warmup -1 is outside 0.." + BenchLatencyCommand.COUNT_MAX, "--warmup", "-1");
        assertRefused("--warmup " + (BenchLatencyCommand.COUNT_MAX + 1) + " is outside 0.."
                + BenchLatencyCommand.COUNT_MAX, "--warmup", Integer.toString(BenchLatencyCommand.COUNT_MAX + 1));
        assertRefused("--size must be >= " + BenchE2eCommand.SIZE_MIN, "--size",
                Integer.toString(BenchE2eCommand.SIZE_MIN - 1));
        assertRefused("--partitions 0 is outside 1.." + BenchLatencyCommand.PARTITIONS_MAX, "--partitions", "0");
        assertRefused("--partitions " + (BenchLatencyCommand.PARTITIONS_MAX + 1) + " is outside 1.."
                + BenchLatencyCommand.PARTITIONS_MAX, "--partitions",
                Integer.toString(BenchLatencyCommand.PARTITIONS_MAX + 1));
        assertRefused("--fsync-samples 0 is outside 1.." + FsyncFloor.FORCES_MAX, "--fsync-samples", "0");
        assertRefused("--fsync-samples " + (FsyncFloor.FORCES_MAX + 1) + " is outside 1.." + FsyncFloor.FORCES_MAX,
                "--fsync-samples", Integer.toString(FsyncFloor.FORCES_MAX + 1));
    }

    /** Each pass makes its own topic and the fsync floor is always measured: the two options would do nothing. */
    @Test
    void targetOptionsItWouldIgnoreAreRefused() {
        assertRefused("--topic and --fsync-probe do not apply to bench latency", "--topic", "orders", "--count", "1",
                "--warmup", "0", "--fsync-samples", "1");
        assertRefused("--topic and --fsync-probe do not apply to bench latency", "--fsync-probe", "--count", "1",
                "--warmup", "0", "--fsync-samples", "1");
    }

    private static void assertRefused(String message, String... options) {
        String[] args = new String[options.length + 2];
        args[0] = "bench";
        args[1] = "latency";
        System.arraycopy(options, 0, args, 2, options.length);
        Run r = semel(args);
        assertThat(r.exit()).as("%s: stderr %s", String.join(" ", options), r.err()).isEqualTo(Semel.EXIT_USAGE);
        assertThat(r.err()).contains(message);
    }

    /**
     * Starts two Kafka nodes (child JVMs) one after the other: over a minute on a loaded 2-core machine, so not in
     * the default suite. Run: {@code mvn -B -pl cli -am verify -Dtest=BenchLatencyTest
     * -Dsurefire.failIfNoSpecifiedTests=false -Dsemel.bench.kafka=true}.
     */
    @Test
    @EnabledIfSystemProperty(named = "semel.bench.kafka", matches = "true")
    void kafkaPassesRunBesideSemelAndPrintRatios() {
        Run r = semel("bench", "latency", "--count", "30", "--warmup", "10", "--fsync-samples", "10", "--kafka");
        assertThat(r.exit()).as("stderr: %s", r.err()).isZero();
        assertThat(r.out()).contains("setup: kafka: Apache Kafka 4.4.0, 1 KRaft node (child JVM")
                .contains("latency: kafka [page-cache] send->confirm: p50 ")
                .contains("latency: kafka [fsync-per-append] send->confirm: p50 ")
                .contains("latency: kafka [fsync-per-append] send->delivered (plain consumer, no group): p50 ")
                .contains("latency: kafka [fsync-per-append] send->delivered (group, commitSync per record): p50 ")
                .contains("ratio: send->confirm, semel / kafka [fsync-per-append]: p50 ");
    }
}
