package io.semel.cli;

import io.semel.broker.GroupStateReader;
import io.semel.broker.group.GroupConfig;
import io.semel.broker.group.GroupRegistry;
import io.semel.broker.group.GroupState;
import io.semel.log.ReadOnlyFileStorage;
import io.semel.log.LogInspector;
import io.semel.log.producer.ProducerRegistry;
import io.semel.log.producer.ProducerStateTable;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code semel inspect}: what a broker data directory holds — producers, and per partition its
 * segments (checked batch by batch) and producer table. Read-only, so it is safe on a running
 * broker's directory.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show log segments, producer tables, registered producers and consumer groups of a broker data dir "
                + "(read-only); 'inspect inbox' shows a processor's inbox.",
        subcommands = InspectInboxCommand.class)
final class InspectCommand implements Callable<Integer> {
    /** Broker data-dir layout (see docs/broker.md). */
    private static final String TOPICS_DIR = "topics";
    private static final String PRODUCERS_DIR = "producers";
    private static final int PRODUCERS_MAX = 1_000_000;

    // Not required by picocli: 'inspect inbox' has no data dir. Checked in call().
    @Option(names = "--data-dir", description = "The broker's data directory (required without a subcommand).")
    Path dataDir;

    @Option(names = "--topic", description = "Only this topic.")
    String topic;

    @Option(names = "--segments", description = "List every segment, not only damaged ones.")
    boolean allSegments;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (dataDir == null) {
            throw new ParameterException(spec.commandLine(), "need --data-dir DIR, or a subcommand: inspect inbox");
        }
        if (!Files.isDirectory(dataDir)) {
            throw new IOException("no such data directory: " + dataDir);
        }
        printProducers(out);
        Path topics = dataDir.resolve(TOPICS_DIR);
        int damaged = 0;
        for (Path topicDir : children(topics)) {
            String name = topicDir.getFileName().toString();
            if (topic != null && !topic.equals(name)) {
                continue;
            }
            List<Path> partitions = children(topicDir).stream().filter(Files::isDirectory)
                    .sorted(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString()))).toList();
            out.printf("topic %s: %d partition(s)%n", name, partitions.size());
            for (Path partition : partitions) {
                damaged += printPartition(out, partition);
            }
        }
        printGroups(out);
        out.flush();
        return damaged == 0 ? 0 : Semel.EXIT_FAILURE;
    }

    private void printGroups(PrintWriter out) throws IOException {
        GroupRegistry groups = GroupStateReader.read(dataDir, GroupConfig.builder().build());
        out.printf("consumer groups: %d%n", groups.groupNames().size());
        for (String name : groups.groupNames()) {
            GroupState g = groups.group(name).orElseThrow();
            if (topic != null && !topic.equals(g.topic())) {
                continue;
            }
            out.printf("  group %s on topic %s (%d partition(s)), %d dead letter(s) pending%n", name, g.topic(),
                    g.partitionCount(), g.pendingDeadLetters().size());
            for (int p = 0; p < g.partitionCount(); p++) {
                out.printf("    partition %d: lease epoch %d, ack floor %d, %d settled above it, %d in flight, "
                        + "next new offset %d%n", p, g.leaseEpoch(p), g.ackFloor(p), g.settledAboveFloor(p).size(),
                        g.inFlight(p).size(), g.nextOffset(p));
            }
        }
    }

    private void printProducers(PrintWriter out) throws IOException {
        Path dir = dataDir.resolve(PRODUCERS_DIR);
        if (!Files.isDirectory(dir)) {
            out.println("producers: none registered");
            return;
        }
        List<ProducerRegistry.Entry> entries = ProducerRegistry.open(new ReadOnlyFileStorage(dir), PRODUCERS_MAX).entries();
        Map<Long, List<String>> sequences = snapshotSequences();
        out.printf("producers: %d registered%n", entries.size());
        for (ProducerRegistry.Entry e : entries) {
            // Activity is persisted by the broker's expiry pass, so it may be up to one interval old.
            out.printf("  id %-6d epoch %-5d last active %s%s %s%n", e.producerId(), e.epoch(),
                    java.time.Instant.ofEpochMilli(e.lastActiveMs()), e.expired() ? " EXPIRED" : "", e.name());
            List<String> seqs = sequences.getOrDefault(e.producerId(), List.of());
            if (!seqs.isEmpty()) {
                out.printf("    last sequence per partition (as of each partition's snapshot): %s%n",
                        String.join(", ", seqs));
            }
        }
    }

    /** Producer id to "topic-partition: seq" from each partition's newest producer snapshot. */
    private Map<Long, List<String>> snapshotSequences() throws IOException {
        Map<Long, List<String>> out = new TreeMap<>();
        for (Path topicDir : children(dataDir.resolve(TOPICS_DIR))) {
            for (Path partition : children(topicDir)) {
                if (!Files.isDirectory(partition)) {
                    continue;
                }
                String tp = topicDir.getFileName() + "-" + partition.getFileName();
                LogInspector.inspect(partition).producers().ifPresent(snapshot -> {
                    for (ProducerStateTable.Snapshot.ProducerEntry p : snapshot.producers()) {
                        List<ProducerStateTable.BatchEntry> b = p.batches();
                        out.computeIfAbsent(p.producerId(), k -> new ArrayList<>())
                                .add(tp + ": " + b.get(b.size() - 1).lastSequence());
                    }
                });
            }
        }
        return out;
    }

    /** Prints one partition; returns 1 if a segment is damaged. */
    private int printPartition(PrintWriter out, Path dir) throws IOException {
        LogInspector.PartitionReport report = LogInspector.inspect(dir);
        long records = 0;
        long bytes = 0;
        long first = -1;
        long last = -1;
        int damaged = 0;
        for (LogInspector.SegmentReport s : report.segments()) {
            records += s.records();
            bytes += s.sizeBytes();
            if (first < 0 && s.firstOffset() >= 0) {
                first = s.firstOffset();
            }
            last = Math.max(last, s.lastOffset());
            damaged += s.healthy() ? 0 : 1;
        }
        out.printf("  partition %s: offsets %s, %d records, %d segment(s), %d bytes%s%n", dir.getFileName(),
                first < 0 ? "empty" : first + ".." + last, records, report.segments().size(), bytes,
                damaged == 0 ? "" : ", " + damaged + " DAMAGED segment(s)");
        for (LogInspector.SegmentReport s : report.segments()) {
            if (allSegments || !s.healthy()) {
                out.printf("    %s: %d batches, offsets %d..%d, %d/%d bytes valid%s%n", s.file(), s.batches(),
                        s.firstOffset(), s.lastOffset(), s.validBytes(), s.sizeBytes(),
                        s.healthy() ? "" : " — " + s.problem());
            }
        }
        report.producers().ifPresent(snapshot -> printProducerTable(out, snapshot));
        if (report.snapshotProblem() != null) {
            out.printf("    producer snapshot unreadable: %s%n", report.snapshotProblem());
        }
        return damaged == 0 ? 0 : 1;
    }

    private static void printProducerTable(PrintWriter out, ProducerStateTable.Snapshot snapshot) {
        out.printf("    producer table (snapshot at offset %d, log after it is replayed on open): %d producer(s), "
                + "%d forgotten (evicted, expired or released)%n", snapshot.offset(), snapshot.producers().size(),
                snapshot.forgotten().size());
        for (ProducerStateTable.Snapshot.ProducerEntry p : snapshot.producers()) {
            List<ProducerStateTable.BatchEntry> batches = p.batches();
            String highest = batches.isEmpty() ? "-" : Long.toString(batches.get(batches.size() - 1).lastSequence());
            out.printf("      producer %d epoch %d highest seq %s, %d retained batch(es)%n", p.producerId(), p.epoch(),
                    highest, batches.size());
        }
    }

    private static List<Path> children(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
