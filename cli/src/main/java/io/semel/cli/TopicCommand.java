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

/** {@code semel topic create|list|describe|delete|add-partitions}. */
@Command(name = "topic", mixinStandardHelpOptions = true,
        description = "Create, list, describe, delete and grow topics.",
        subcommands = {TopicCommand.Create.class, TopicCommand.ListTopics.class, TopicCommand.Describe.class,
            TopicCommand.Delete.class, TopicCommand.AddPartitions.class})
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

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete a topic, its dead-letter topic NAME.dlq and every consumer group on either. "
                    + "Its producers and consumers then get UNKNOWN_TOPIC_OR_PARTITION.")
    static final class Delete implements Callable<Integer> {
        @Parameters(paramLabel = "NAME")
        String name;

        @Mixin
        ClientOptions client;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (Admin admin = client.admin()) {
                admin.deleteTopic(name);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf("deleted topic %s%s and its consumer groups%n", name,
                    name.endsWith(".dlq") ? "" : " with " + name + ".dlq");
            out.flush();
            return 0;
        }
    }

    @Command(name = "add-partitions", mixinStandardHelpOptions = true,
            description = "Grow a topic to N partitions. Existing groups consume the new ones from offset 0. Keyed "
                    + "messages may map to another partition afterwards (murmur2(key) mod N); running producers "
                    + "keep the old count until restarted.")
    static final class AddPartitions implements Callable<Integer> {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--partitions", paramLabel = "N", required = true,
                description = "The new partition count, above the current one.")
        int partitions;

        @Mixin
        ClientOptions client;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (partitions < 2) {
                throw new ParameterException(spec.commandLine(), "--partitions must be >= 2, was " + partitions);
            }
            try (Admin admin = client.admin()) {
                admin.addPartitions(name, partitions);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf("topic %s now has %d partition(s)%n", name, partitions);
            out.flush();
            return 0;
        }
    }
}
