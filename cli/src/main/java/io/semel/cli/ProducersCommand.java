package io.semel.cli;

import io.semel.client.Admin;
import io.semel.client.ProducerInfo;
import io.semel.protocol.ListProducers;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code semel producers list|remove}: the broker's registered idempotent producers. */
@Command(name = "producers", mixinStandardHelpOptions = true,
        description = "List the broker's registered producers, or remove one.",
        subcommands = {ProducersCommand.ListProducersCommand.class, ProducersCommand.Remove.class})
final class ProducersCommand {

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List registered producers: id, epoch, last activity, state, name, and the last sequence "
                    + "per partition where the broker holds their dedup state.")
    static final class ListProducersCommand implements Callable<Integer> {
        @Option(names = "--prefix", paramLabel = "TEXT", description = "Only names starting with TEXT.")
        String prefix = "";

        @Option(names = "--limit", paramLabel = "N",
                description = "Show at most N producers, 1.." + ListProducers.LIMIT_MAX + " (default ${DEFAULT-VALUE}).")
        int limit = 100;

        @Mixin
        ClientOptions client;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (limit < 1 || limit > ListProducers.LIMIT_MAX) {
                throw new ParameterException(spec.commandLine(), "--limit must be 1.." + ListProducers.LIMIT_MAX
                        + ", was " + limit);
            }
            List<ProducerInfo> producers;
            try (Admin admin = client.admin()) {
                producers = admin.listProducers(prefix, limit);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%-8s %-6s %-24s %-8s %s%n", "ID", "EPOCH", "LAST ACTIVE (UTC)", "STATE", "NAME");
            for (ProducerInfo p : producers) {
                out.printf("%-8d %-6d %-24s %-8s %s%n", p.producerId(), p.epoch(), Instant.ofEpochMilli(p.lastActiveMs()),
                        p.expired() ? "expired" : "active", p.name());
                for (ProducerInfo.PartitionSequence s : p.partitions()) {
                    out.printf("         %s-%d: last sequence %d%n", s.topic(), s.partition(), s.highestSequence());
                }
            }
            out.printf("%d producer(s)%s%n", producers.size(), producers.size() == limit ? " (--limit reached)" : "");
            out.flush();
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Remove a producer's registration, whichever instance holds it: that instance's next send "
                    + "fails with UNKNOWN_PRODUCER, and the name's slot of producersMax is free again. Idempotent.")
    static final class Remove implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "The producer name (as 'producers list' shows it).")
        String name;

        @Mixin
        ClientOptions client;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            boolean removed;
            try (Admin admin = client.admin()) {
                removed = admin.removeProducer(name);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(removed ? "removed producer " + name : "producer " + name + " was not registered; nothing to do");
            out.flush();
            return 0;
        }
    }
}
