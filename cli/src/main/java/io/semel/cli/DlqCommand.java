package io.semel.cli;

import io.semel.client.Admin;
import io.semel.client.DeadLetterRedrive;
import io.semel.client.PartitionReader;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code semel dlq redrive}. */
@Command(name = "dlq", mixinStandardHelpOptions = true, description = "Work with dead-letter topics.",
        subcommands = {DlqCommand.Redrive.class})
final class DlqCommand {

    @Command(name = "redrive", mixinStandardHelpOptions = true,
            description = "Append the messages of TOPIC.dlq back to TOPIC (to the partition each came from), each "
                    + "exactly once: an interrupted redrive run again continues where it stopped and writes nothing "
                    + "twice. Every group on TOPIC sees them again. See docs/cli.md.")
    static final class Redrive implements Callable<Integer> {
        @Parameters(paramLabel = "TOPIC", description = "The topic whose dead letters go back (not the .dlq name).")
        String topic;

        @Option(names = "--max-rate", paramLabel = "N",
                description = "At most N messages per second, so consumers are not flooded (default: unlimited).")
        double maxRate;

        @Mixin
        ClientOptions client;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (maxRate < 0) {
                throw new ParameterException(spec.commandLine(), "--max-rate must be >= 0, was " + maxRate);
            }
            if (topic.endsWith(".dlq")) {
                throw new ParameterException(spec.commandLine(), "give the topic the dead letters go back to ("
                        + topic.substring(0, topic.length() - 4) + "), not its dead-letter topic " + topic);
            }
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            DeadLetterRedrive.Outcome o;
            try (Admin admin = client.admin(); PartitionReader reader = client.reader()) {
                o = new DeadLetterRedrive(admin, reader, client::durableProducer, maxRate, System::nanoTime)
                        .redrive(topic, new DeadLetterRedrive.Listener() {
                            @Override
                            public void blockDone(int dlqPartition, long nextOffset, long endOffset, long redriven,
                                    long alreadyRedriven, long skipped) {
                                out.printf("%s.dlq-%d: up to offset %d of %d, %d redriven%n", topic, dlqPartition,
                                        nextOffset, endOffset, redriven);
                                out.flush();
                            }

                            @Override
                            public void skipped(int dlqPartition, long offset, String why) {
                                err.printf("semel: skipped %s.dlq-%d offset %d: %s%n", topic, dlqPartition, offset, why);
                                err.flush();
                            }
                        });
            }
            out.printf("redrove %d message(s) from %s.dlq to %s (%d already redriven by an interrupted run, %d "
                    + "skipped); cursor %s%n", o.redriven(), topic, topic, o.alreadyRedriven(), o.skipped(), o.cursor());
            out.flush();
            return 0;
        }
    }
}
