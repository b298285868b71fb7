package io.semel.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code semel} command. Every subcommand prints errors as one line on standard error and exits
 * non-zero: 1 for a failure at run time (broker unreachable, unknown topic), 2 for bad usage.
 */
@Command(name = "semel", mixinStandardHelpOptions = true, version = "semel 0.1.0",
        description = "Exactly-once messaging: broker, client tools, inspection.",
        subcommands = {BrokerCommand.class, InspectCommand.class, CommandLine.HelpCommand.class})
public final class Semel {
    /** Exit status for a run-time failure. */
    static final int EXIT_FAILURE = 1;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs a command line; for tests and the launcher. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Semel());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("semel: error: " + oneLine(e));
            return EXIT_FAILURE;
        });
        return cli.execute(args);
    }

    /** The message a user needs, without a stack trace: the deepest cause that says something. */
    static String oneLine(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || t.getMessage().equals(t.getCause().toString()))) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return message.replace('\n', ' ');
    }
}
