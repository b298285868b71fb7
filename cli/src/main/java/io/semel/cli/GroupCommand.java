package io.semel.cli;

import io.semel.client.Admin;
import io.semel.protocol.ResetGroup;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code semel group list|describe|reset}. */
@Command(name = "group", mixinStandardHelpOptions = true,
        description = "List, describe and reset consumer groups.",
        subcommands = {GroupCommand.ListGroups.class, GroupCommand.Describe.class, GroupCommand.Reset.class})
final class GroupCommand {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List consumer groups.")
    static final class ListGroups implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            List<Admin.GroupListing> groups;
            try (Admin admin = client.admin()) {
                groups = admin.listGroups();
            }
            PrintWriter out = spec.commandLine().getOut();
            int width = Math.max(5, groups.stream().mapToInt(g -> g.name().length()).max().orElse(0));
            out.printf("%-" + width + "s  %-20s  %10s  %7s%n", "GROUP", "TOPIC", "PARTITIONS", "MEMBERS");
            for (Admin.GroupListing g : groups) {
                out.printf("%-" + width + "s  %-20s  %10d  %7d%n", g.name(), g.topic(), g.partitionCount(), g.members());
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Show a group's members and, per partition, its lease, ack floor, in-flight, due and "
                    + "dead-letter-pending deliveries, and lag.")
    static final class Describe implements Callable<Integer> {
        @Parameters(paramLabel = "GROUP")
        String group;

        @Mixin
        ClientOptions client;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Admin.GroupDescription d;
            try (Admin admin = client.admin()) {
                d = admin.describeGroup(group);
            }
            PrintWriter out = spec.commandLine().getOut();
            long lag = d.partitions().stream().mapToLong(Admin.GroupPartition::lag).sum();
            out.printf("group %s on topic %s: %d member(s), lag %d%n", group, d.topic(), d.members().size(), lag);
            for (Admin.GroupMember m : d.members()) {
                out.printf("  member %s (session timeout %d ms)%n", m.memberId(), m.sessionTimeoutMs());
            }
            out.printf("%-9s  %-16s  %5s  %10s  %10s  %7s  %8s  %5s  %8s  %10s  %8s%n", "PARTITION", "HOLDER", "EPOCH",
                    "ACK-FLOOR", "DELIVERED", "SETTLED", "INFLIGHT", "DUE", "DLQ-PEND", "LOG-END", "LAG");
            for (Admin.GroupPartition p : d.partitions()) {
                out.printf("%-9d  %-16s  %5d  %10d  %10d  %7d  %8d  %5d  %8d  %10d  %8d%n", p.partition(),
                        p.holder() == null ? "-" : p.holder(), p.leaseEpoch(), p.ackFloor(), p.nextOffset(),
                        p.settledAboveFloor(), p.inFlight(), p.due(), p.deadLetterPending(), p.logEndOffset(), p.lag());
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "reset", mixinStandardHelpOptions = true,
            description = "Move a group's position (only while it has no members, as in Kafka): offsets below it "
                    + "count as settled, offsets from it are delivered again. Creates the group if it does not exist.")
    static final class Reset implements Callable<Integer> {
        @Parameters(paramLabel = "GROUP")
        String group;

        @Option(names = "--topic", paramLabel = "TOPIC", required = true, description = "The topic the group consumes.")
        String topic;

        @Option(names = "--partition", paramLabel = "P", description = "One partition (default: all).")
        Integer partition;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Target target;

        static final class Target {
            @Option(names = "--to-earliest", description = "The first offset still in the log.")
            boolean earliest;

            @Option(names = "--to-latest", description = "The log end: skip everything there now.")
            boolean latest;

            @Option(names = "--to-offset", paramLabel = "OFFSET", description = "An offset (clamped to the log).")
            Long offset;

            @Option(names = "--to-time", paramLabel = "TIME",
                    description = "The first message at or after TIME: ISO-8601 (2026-12-06T03:00:00Z) or epoch ms.")
            String time;
        }

        @Mixin
        ClientOptions client;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Admin.ResetTo to = resetTo();
            int p = partition == null ? ResetGroup.Request.ALL_PARTITIONS : partition;
            if (p < ResetGroup.Request.ALL_PARTITIONS) {
                throw new ParameterException(spec.commandLine(), "--partition must be >= 0, was " + partition);
            }
            Map<Integer, Long> positions;
            try (Admin admin = client.admin()) {
                positions = admin.resetGroup(group, topic, p, to);
            }
            PrintWriter out = spec.commandLine().getOut();
            positions.forEach((part, offset) -> out.printf("group %s %s-%d reset to offset %d%n", group, topic, part,
                    offset));
            out.flush();
            return 0;
        }

        private Admin.ResetTo resetTo() {
            if (target.earliest) {
                return Admin.ResetTo.earliest();
            } else if (target.latest) {
                return Admin.ResetTo.latest();
            } else if (target.offset != null) {
                if (target.offset < 0) {
                    throw new ParameterException(spec.commandLine(), "--to-offset must be >= 0, was " + target.offset);
                }
                return Admin.ResetTo.offset(target.offset);
            }
            try {
                return Admin.ResetTo.timestamp(target.time.chars().allMatch(Character::isDigit)
                        ? Long.parseLong(target.time) : Instant.parse(target.time).toEpochMilli());
            } catch (DateTimeParseException | NumberFormatException e) {
                throw new ParameterException(spec.commandLine(), "--to-time '" + target.time
                        + "' is neither ISO-8601 (e.g. 2026-12-06T03:00:00Z) nor epoch milliseconds");
            }
        }
    }
}
