package io.semel.cli;

import io.semel.client.Admin;
import io.semel.client.DeliveryGuarantee;
import io.semel.client.OutcomeUnknownException;
import io.semel.client.Producer;
import io.semel.client.ProducerStats;
import io.semel.client.SemelException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.function.IntSupplier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code semel produce TOPIC}: sends lines from standard input (one message per line), or
 * {@code --count} generated messages of {@code --size} bytes, and prints a summary. Exit 1 when any
 * message failed or its outcome is unknown.
 */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = "Send lines from stdin (one message each), or --count generated messages, then print a summary.")
final class ProduceCommand implements Callable<Integer> {
    @Parameters(paramLabel = "TOPIC")
    String topic;

    @Option(names = "--count", paramLabel = "N", description = "Send N generated messages instead of reading stdin.")
    long count = -1;

    @Option(names = "--size", paramLabel = "BYTES", description = "Value size of generated messages (default ${DEFAULT-VALUE}).")
    int size = 100;

    @Option(names = "--key-pattern", paramLabel = "PATTERN",
            description = "Key for every message; {i} is replaced by the message number from 0 (e.g. user-{i}).")
    String keyPattern;

    @Option(names = "--parse-key", description = "Read stdin lines as KEY<separator>VALUE (split at the first separator; "
            + "a line without one has no key).")
    boolean parseKey;

    @Option(names = "--separator", paramLabel = "TEXT", description = "Key/value separator for --parse-key (default '${DEFAULT-VALUE}').")
    String separator = ":";

    @Option(names = "--guarantee", paramLabel = "G", converter = ClientOptions.GuaranteeConverter.class,
            description = "exactly-once (default), at-least-once or at-most-once.")
    DeliveryGuarantee guarantee = DeliveryGuarantee.EXACTLY_ONCE;

    @Option(names = "--progress", description = "Show the progress bar on stderr even when it is not a terminal.")
    boolean progress;

    @Mixin
    ClientOptions client;

    @ParentCommand
    Semel parent;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        validate();
        try (Admin admin = client.admin()) {
            admin.describeTopic(topic); // fails fast, with one clear line, for an unknown topic or broker
        }
        PrintWriter out = spec.commandLine().getOut();
        Progress bar = new Progress(spec.commandLine().getErr(), progress || Progress.stderrIsTerminal(), count,
                "msgs");
        AtomicReference<SemelException> firstFailure = new AtomicReference<>();
        long started = System.nanoTime();
        Producer producer = client.configure(Producer.builder(client.broker)).clientId("semel-cli").guarantee(guarantee)
                .requestTimeoutMs(client.timeoutMs()).connectTimeoutMs(client.timeoutMs())
                .deliveryTimeoutMs(client.timeoutMs()).maxBlockMs(client.timeoutMs())
                // One-shot: free the name's registration now, not after the broker's producerIdleExpiryMs.
                .releaseOnClose(true).build();
        AtomicBoolean ended = new AtomicBoolean();
        AtomicLong sent = new AtomicLong();
        // Ends the run once: closes the producer (reporting what is unconfirmed) and prints the summary.
        IntSupplier end = () -> {
            if (!ended.compareAndSet(false, true)) {
                return Semel.EXIT_FAILURE;
            }
            ProducerStats stats = producer.close(client.timeout);
            bar.finish();
            return summarize(out, sent.get(), stats, System.nanoTime() - started, firstFailure);
        };
        try (Interruption ctrlC = new Interruption("semel-produce-interrupt", client.timeout.plusSeconds(2),
                end::getAsInt)) {
            try {
                if (count >= 0) {
                    byte[] value = new byte[size];
                    Arrays.fill(value, (byte) 'x');
                    for (; sent.get() < count && !ctrlC.requested(); sent.incrementAndGet()) {
                        send(producer, key(sent.get(), null), value, firstFailure);
                        bar.update(producer.stats().confirmed());
                    }
                } else {
                    BufferedReader in = new BufferedReader(new InputStreamReader(parent.in, StandardCharsets.UTF_8));
                    for (String line; !ctrlC.requested() && (line = in.readLine()) != null; sent.incrementAndGet()) {
                        String k = null;
                        String v = line;
                        int at = parseKey ? line.indexOf(separator) : -1;
                        if (at >= 0) {
                            k = line.substring(0, at);
                            v = line.substring(at + separator.length());
                        }
                        send(producer, key(sent.get(), k), v.getBytes(StandardCharsets.UTF_8), firstFailure);
                        bar.update(producer.stats().confirmed());
                    }
                }
                if (!ctrlC.requested()) {
                    producer.flush();
                }
            } catch (Throwable failure) {
                // A failure left the loop: close the producer (its summary is not worth printing).
                if (ended.compareAndSet(false, true)) {
                    producer.close(client.timeout);
                    bar.finish();
                }
                throw failure;
            }
            return end.getAsInt();
        }
    }

    /** Prints the summary; with unconfirmed messages also one error line, and returns the exit status. */
    private int summarize(PrintWriter out, long sent, ProducerStats stats, long nanos,
            AtomicReference<SemelException> firstFailure) {
        printSummary(out, sent, stats, nanos);
        if (stats.failed() + stats.unknown() > 0) {
            SemelException f = firstFailure.get();
            spec.commandLine().getErr().println("semel: error: " + (stats.failed() + stats.unknown()) + " of " + sent
                    + " message(s) not confirmed" + (f == null ? "" : "; first: " + Semel.oneLine(f)));
            spec.commandLine().getErr().flush();
            return Semel.EXIT_FAILURE;
        }
        return 0;
    }

    private void validate() {
        if (count < -1 || size < 0) {
            throw new ParameterException(spec.commandLine(), "--count and --size must be >= 0");
        }
        if (parseKey && keyPattern != null) {
            throw new ParameterException(spec.commandLine(), "use --parse-key or --key-pattern, not both");
        }
        if (parseKey && count >= 0) {
            throw new ParameterException(spec.commandLine(), "--parse-key reads stdin; it cannot be used with --count");
        }
        if (separator.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--separator must not be empty");
        }
    }

    private byte[] key(long i, String parsed) {
        if (parsed != null) {
            return parsed.getBytes(StandardCharsets.UTF_8);
        }
        return keyPattern == null ? null : keyPattern.replace("{i}", Long.toString(i)).getBytes(StandardCharsets.UTF_8);
    }

    private void send(Producer p, byte[] key, byte[] value, AtomicReference<SemelException> firstFailure) {
        p.send(topic, key, value).whenComplete((r, e) -> {
            if (e != null) {
                Throwable c = e.getCause() != null && !(e instanceof SemelException) ? e.getCause() : e;
                firstFailure.compareAndSet(null, c instanceof SemelException s ? s
                        : new OutcomeUnknownException(String.valueOf(c), c));
            }
        });
    }

    private void printSummary(PrintWriter out, long sent, ProducerStats s, long nanos) {
        double seconds = nanos / 1e9;
        out.printf("produced %d message(s) to %s (%s) in %.2f s: %d confirmed (%d duplicates), %d failed, "
                + "%d unknown%n", sent, topic, ClientOptions.spell(guarantee), seconds, s.confirmed(), s.duplicates(),
                s.failed(), s.unknown());
        out.flush();
    }
}
