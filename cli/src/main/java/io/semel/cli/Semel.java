package io.semel.cli;

import io.semel.cli.log.JsonLogProvider;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code semel} command. Every subcommand prints errors as one line on standard error,
 * {@code semel: error: <what happened and what to do>}, and exits non-zero: 1 for a failure at
 * run time (broker unreachable, unknown topic), 2 for bad usage. See docs/cli.md.
 */
@Command(name = "semel", mixinStandardHelpOptions = true, version = "semel 0.1.0",
        description = "Exactly-once messaging: broker, client tools, inspection, fault-injection verification.",
        subcommands = {BrokerCommand.class, TopicCommand.class, ProduceCommand.class, ConsumeCommand.class,
            GroupCommand.class, DlqCommand.class, ProducersCommand.class, BenchCommand.class, InspectCommand.class,
            VerifyCommand.class, CheckCommand.class, DemoCommand.class, UserCommand.class, AclCommand.class,
            CommandLine.HelpCommand.class})
public final class Semel {
    /** Exit status for a run-time failure. */
    static final int EXIT_FAILURE = 1;
    /** Exit status for bad usage (picocli's default for parameter errors). */
    static final int EXIT_USAGE = 2;
    private static final String LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";

    /** Standard input for {@code produce}; injectable for tests. */
    final InputStream in;

    private Semel(InputStream in) {
        this.in = in;
    }

    public static void main(String[] args) {
        try {
            // Before any logger exists: SEMEL_LOG_FORMAT=json swaps slf4j-simple for JSON lines (docs/operations.md).
            JsonLogProvider.selectIfRequested(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("semel: error: " + e.getMessage());
            System.exit(EXIT_USAGE);
        }
        // Client commands keep stderr for errors and the progress bar; the broker logs at info.
        if ((args.length == 0 || !args[0].equals("broker")) && System.getProperty(LOG_LEVEL_PROPERTY) == null) {
            System.setProperty(LOG_LEVEL_PROPERTY, "warn");
        }
        // Log lines carry their time: an operator correlating a broker's log with anything needs it.
        System.setProperty("org.slf4j.simpleLogger.showDateTime",
                System.getProperty("org.slf4j.simpleLogger.showDateTime", "true"));
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat",
                System.getProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"));
        // Client WARN lines and the progress bar share stderr: guard it before anything logs.
        ConsoleLines.install();
        System.exit(run(args, System.in, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs a command line with the process's standard input; for tests and the launcher. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, System.in, out, err);
    }

    /** Runs a command line reading {@code in} as standard input. */
    public static int run(String[] args, InputStream in, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Semel(in));
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("semel: error: " + oneLine(e));
            commandLine.getErr().flush();
            return EXIT_FAILURE;
        });
        cli.setParameterExceptionHandler((e, args2) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("semel: error: " + oneLine(e) + " (see '" + c.getCommandSpec().qualifiedName()
                    + " --help')");
            c.getErr().flush();
            return EXIT_USAGE;
        });
        return cli.execute(args);
    }

    /** The message a user needs, without a stack trace: the deepest cause that says something. */
    static String oneLine(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || t.getMessage().equals(t.getCause().toString()))) {
            t = t.getCause();
        }
        String message = t instanceof FileSystemException f ? describe(f)
                : t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return message.replace('\n', ' ');
    }

    /** The JDK's file exceptions carry only the path as their message; say what went wrong with it. */
    static String describe(FileSystemException e) {
        String what;
        if (e instanceof NoSuchFileException) {
            what = "no such file or directory";
        } else if (e instanceof NotDirectoryException) {
            what = "not a directory";
        } else if (e instanceof AccessDeniedException) {
            what = "permission denied";
        } else if (e instanceof FileAlreadyExistsException) {
            what = "already exists (a file where a directory is needed?)";
        } else if (e instanceof DirectoryNotEmptyException) {
            what = "directory not empty";
        } else {
            what = e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
        }
        return e.getFile() + (e.getOtherFile() == null ? "" : " -> " + e.getOtherFile()) + ": " + what;
    }
}
