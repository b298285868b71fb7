package io.semel.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code semel bench latency}: idle-load latency of one durable record at a time ({@link OneAtATime}) — send →
 * confirm, send → delivered through a consumer group with an ack per message, and send → delivered through a
 * {@code PartitionReader} — with p50/p99/p99.9, beside the raw fsync latency of the data dir's disk measured in the
 * same run ({@link FsyncFloor}), and with {@code --kafka} the same passes against a single Kafka node, once with its
 * default durability and once with an fsync per append. Output lines: {@code setup:}, {@code fsync floor:},
 * {@code latency: <system> [<durability>] <path>: <figures>}, {@code ratio:}.
 */
@Command(name = "latency", mixinStandardHelpOptions = true,
        description = "Latency of one durable record at a time: send->confirm and send->delivered (group with an ack "
                + "per message; PartitionReader), p50/p99/p99.9, beside the disk's raw fsync latency; --kafka adds the "
                + "same against a single Kafka node (acks=all, with and without fsync per append).")
final class BenchLatencyCommand implements Callable<Integer> {
    /** Most measured records per pass: each waits for the previous, so a pass takes about count x latency. */
    static final int COUNT_MAX = 100_000;
    static final int PARTITIONS_MAX = 64;

    @Option(names = "--count", paramLabel = "N", description = "Measured records per pass, at most " + COUNT_MAX
            + " (default ${DEFAULT-VALUE}).")
    int count = 3_000;

    // 20,000, not 5,000: after 5,000 the JIT was still compiling for 0.2-0.8 s of every second of the measured
    // records (perf sched, 2 vCPUs) and the delivered p99 was 2.7-3.9 ms; after 20,000 it was 0.8-1.4 ms in five of
    // six passes, same jar, same minutes. Each line prints the JIT and GC work during its measured records.
    @Option(names = "--warmup", paramLabel = "N", description = "Unmeasured records before each pass, at most "
            + COUNT_MAX + " (default ${DEFAULT-VALUE}).")
    int warmup = 20_000;

    @Option(names = "--size", paramLabel = "BYTES", description = "Value size, >= " + BenchE2eCommand.SIZE_MIN
            + " (default ${DEFAULT-VALUE}).")
    int size = 100;

    @Option(names = "--partitions", paramLabel = "P", description = "Partitions of each pass's topic, at most "
            + PARTITIONS_MAX + " (default ${DEFAULT-VALUE}).")
    int partitions = 1;

    @Option(names = "--fsync-samples", paramLabel = "N", description = "Timed 4 KiB append + force calls of the "
            + "fsync floor, at most " + FsyncFloor.FORCES_MAX + " (default ${DEFAULT-VALUE}).")
    int fsyncSamples = 500;

    @Option(names = "--kafka", description = "Also run every pass against a single Kafka node (child JVM), "
            + "with Kafka's default durability and with log.flush.interval.messages=1.")
    boolean kafka;

    @Mixin
    BenchTarget target;

    @Spec
    CommandSpec spec;

    /** One measured path of one system, for the ratio lines. */
    private record Row(String system, String path, OneAtATime pass) {
    }

    @Override
    public Integer call() throws Exception {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        List<Row> rows = new ArrayList<>();
        try (BenchTarget t = target) {
            String bootstrap = t.start();
            Path disk = t.dataDirUsed() != null ? t.dataDirUsed() : Path.of(System.getProperty("java.io.tmpdir"));
            out.printf("setup: bench latency, one record at a time (the next send waits for the previous record's "
                    + "confirm, delivery and ack), %d measured + %d warm-up records per pass, %d B values, %d "
                    + "partition(s), a fresh topic per pass, idempotent producer linger 0; Semel durability %s, broker "
                    + "%s%n", count, warmup, size, partitions, t.durability(), t.brokerDescription());
            out.printf("fsync floor: %d x (4 KiB append + force(false)) in %s: %s%n", fsyncSamples, disk,
                    FsyncFloor.measure(disk, fsyncSamples).tailSummary());
            out.flush();
            SemelLatency semel = new SemelLatency(t, bootstrap, partitions, size, warmup, count);
            String system = "semel [" + t.durability() + "]";
            rows.add(print(out, new Row(system, "send->confirm", semel.confirmOnly())));
            rows.add(print(out, new Row(system, "send->delivered (group, ack per message)", semel.group())));
            rows.add(print(out, new Row(system, "send->delivered (PartitionReader, no group)", semel.reader())));
        }
        if (kafka) {
            for (BenchKafka.Durability d : BenchKafka.Durability.values()) {
                rows.addAll(kafkaPasses(out, d));
            }
            printRatios(out, rows);
        }
        out.flush();
        return 0;
    }

    private List<Row> kafkaPasses(PrintWriter out, BenchKafka.Durability d) throws Exception {
        List<Row> rows = new ArrayList<>();
        try (BenchKafka k = BenchKafka.start(Path.of(System.getProperty("java.io.tmpdir")), d)) {
            short share = k.shareVersion();
            out.printf("setup: kafka: %s; producer acks=all, idempotent, linger 0; share groups (KIP-932): "
                    + "share.version %d%n", k.description(), share);
            out.flush();
            KafkaLatency lat = new KafkaLatency(k, partitions, size, warmup, count);
            String system = "kafka [" + BenchKafka.label(d) + "]";
            rows.add(print(out, new Row(system, "send->confirm", lat.confirmOnly())));
            rows.add(print(out, new Row(system, "send->delivered (plain consumer, no group)", lat.plain())));
            rows.add(print(out, new Row(system, "send->delivered (group, commitSync per record)", lat.group())));
            if (share > 0) {
                rows.add(print(out, new Row(system, "send->delivered (share group, acknowledge+commitSync per record)",
                        lat.share())));
            } else {
                out.printf("latency: %s share group: not measured, this cluster has share.version 0 (KIP-932 share "
                        + "groups off)%n", system);
            }
        }
        return rows;
    }

    private static Row print(PrintWriter out, Row r) {
        out.printf("latency: %s %s: %s%n", r.system(), r.path(), figures(r));
        out.flush();
        return r;
    }

    private static String figures(Row r) {
        boolean confirmOnly = r.path().equals("send->confirm");
        String main = confirmOnly ? r.pass().confirm.tailSummary() : r.pass().delivered.tailSummary();
        String jvm = "; this JVM during the measured records: " + r.pass().measuredWork().summary();
        if (confirmOnly) {
            return main + jvm;
        }
        String settle = r.pass().settle.percentileNanos(0.5) > 0
                ? "; its ack/commit round trip p50 " + ms(r.pass().settle.percentileNanos(0.5)) + " ms, p99 "
                        + ms(r.pass().settle.percentileNanos(0.99)) + " ms" : "";
        return main + settle + "; send->confirm in this pass p50 " + ms(r.pass().confirm.percentileNanos(0.5)) + " ms"
                + jvm;
    }

    private static String ms(long nanos) {
        return String.format("%.3f", nanos / 1e6);
    }

    /** Semel's figures over Kafka's with an fsync per append (the same durability), per path kind. */
    private static void printRatios(PrintWriter out, List<Row> rows) {
        Row semelConfirm = find(rows, "semel", "send->confirm");
        Row semelGroup = find(rows, "semel", "group");
        Row semelReader = find(rows, "semel", "PartitionReader");
        for (String durability : List.of("fsync-per-append", "page-cache")) {
            String k = "kafka [" + durability + "]";
            ratio(out, "send->confirm", semelConfirm, find(rows, k, "send->confirm"), true, durability);
            ratio(out, "send->delivered, group with per-message ack vs share group", semelGroup,
                    find(rows, k, "share group"), false, durability);
            ratio(out, "send->delivered, group with per-message ack vs group with commitSync per record", semelGroup,
                    find(rows, k, "commitSync"), false, durability);
            ratio(out, "send->delivered, PartitionReader vs plain consumer", semelReader, find(rows, k, "plain"), false,
                    durability);
        }
    }

    private static Row find(List<Row> rows, String system, String pathPart) {
        return rows.stream().filter(r -> r.system().startsWith(system) && r.path().contains(pathPart)).findFirst()
                .orElse(null);
    }

    private static void ratio(PrintWriter out, String what, Row semel, Row kafka, boolean confirm, String durability) {
        if (semel == null || kafka == null) {
            return;
        }
        LatencySample s = confirm ? semel.pass().confirm : semel.pass().delivered;
        LatencySample k = confirm ? kafka.pass().confirm : kafka.pass().delivered;
        out.printf("ratio: %s, semel / kafka [%s]: p50 %.2fx (%s vs %s ms), p99 %.2fx (%s vs %s ms)%n", what,
                durability, (double) s.percentileNanos(0.5) / Math.max(1, k.percentileNanos(0.5)),
                ms(s.percentileNanos(0.5)), ms(k.percentileNanos(0.5)),
                (double) s.percentileNanos(0.99) / Math.max(1, k.percentileNanos(0.99)), ms(s.percentileNanos(0.99)),
                ms(k.percentileNanos(0.99)));
    }

    private void validate() {
        // BenchTarget's options are shared by every bench; these two would be silently ignored here.
        if (target.topic != null || target.fsyncProbe) {
            throw new ParameterException(spec.commandLine(), "--topic and --fsync-probe do not apply to bench latency: "
                    + "each pass creates its own topic, and the fsync floor is always measured (size it with "
                    + "--fsync-samples)");
        }
        if (count < 1 || count > COUNT_MAX) {
            throw new ParameterException(spec.commandLine(), "--count " + count + " is outside 1.." + COUNT_MAX);
        }
        if (warmup < 0 || warmup > COUNT_MAX) {
            throw new ParameterException(spec.commandLine(), "--warmup " + warmup + " is outside 0.." + COUNT_MAX);
        }
        if (size < BenchE2eCommand.SIZE_MIN) {
            throw new ParameterException(spec.commandLine(), "--size must be >= " + BenchE2eCommand.SIZE_MIN);
        }
        if (partitions < 1 || partitions > PARTITIONS_MAX) {
            throw new ParameterException(spec.commandLine(), "--partitions " + partitions + " is outside 1.."
                    + PARTITIONS_MAX);
        }
        if (fsyncSamples < 1 || fsyncSamples > FsyncFloor.FORCES_MAX) {
            throw new ParameterException(spec.commandLine(), "--fsync-samples " + fsyncSamples + " is outside 1.."
                    + FsyncFloor.FORCES_MAX);
        }
    }
}
