package io.semel.cli;

import io.semel.client.Admin;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code semel topic create|list|describe}. */
@Command(name = "topic", mixinStandardHelpOptions = true,
        description = "Create, list and describe topics.",
        subcommands = {TopicCommand.Create.class, TopicCommand.ListTopics.class, TopicCommand.Describe.class})
final class TopicCommand {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a topic (and its dead-letter topic NAME.dlq).")
    static final class Create implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "1..249 characters of [a-zA-Z0-9._-].")
        String name;

        @Option(names = "--partitions", paramLabel = "N", description = "Partition count, fixed for life (default ${DEFAULT-VALUE}).")
        int partitions = 1;

        @Mixin
        ClientOptions client;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            // The upper bound is the broker's setting (partitionsMaxPerTopic); below 1 is never valid.
            if (partitions < 1) {
                throw new ParameterException(spec.commandLine(), "--partitions must be >= 1, was " + partitions);
            }
            try (Admin admin = client.admin()) {
                admin.createTopic(name, partitions);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf("created topic %s with %d partition(s)%n", name, partitions);
            out.flush();
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List topics with their partition counts.")
    static final class ListTopics implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            List<Admin.TopicListing> topics;
            try (Admin admin = client.admin()) {
                topics = admin.listTopics();
            }
            PrintWriter out = spec.commandLine().getOut();
            int width = Math.max(5, topics.stream().mapToInt(t -> t.name().length()).max().orElse(0));
            out.printf("%-" + width + "s  %s%n", "TOPIC", "PARTITIONS");
            for (Admin.TopicListing t : topics) {
                out.printf("%-" + width + "s  %d%n", t.name(), t.partitionCount());
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Show each partition's start and next offsets and its record count.")
    static final class Describe implements Callable<Integer> {
        @Parameters(paramLabel = "NAME")
        String name;

        @Mixin
        ClientOptions client;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            List<Admin.PartitionInfo> partitions;
            try (Admin admin = client.admin()) {
                partitions = admin.describeTopic(name);
            }
            PrintWriter out = spec.commandLine().getOut();
            long total = partitions.stream().mapToLong(p -> p.nextOffset() - p.startOffset()).sum();
            out.printf("topic %s: %d partition(s), %d record(s)%n", name, partitions.size(), total);
            out.printf("%-9s  %12s  %12s  %12s%n", "PARTITION", "START", "NEXT", "RECORDS");
            for (Admin.PartitionInfo p : partitions) {
                out.printf("%-9d  %12d  %12d  %12d%n", p.partition(), p.startOffset(), p.nextOffset(),
                        p.nextOffset() - p.startOffset());
            }
            out.flush();
            return 0;
        }
    }
}
