package io.semel.cli;

import io.semel.client.AckResult;
import io.semel.client.ClientClosedException;
import io.semel.client.Consumer;
import io.semel.client.DeliveryGuarantee;
import io.semel.client.Message;
import io.semel.protocol.Header;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code semel consume TOPIC --group G}: joins the group, prints one line per message and acks it.
 * At-least-once (default) prints, then acks; at-most-once acks, then prints. Runs until
 * {@code --count} messages were printed, or until Ctrl-C; with {@code --count} it gives up (exit 1)
 * when no message arrives for {@code --timeout}.
 */
@Command(name = "consume", mixinStandardHelpOptions = true,
        description = "Join a consumer group, print one line per message (partition, offset, delivery count, key, "
                + "value) and ack it.")
final class ConsumeCommand implements Callable<Integer> {
    private static final Duration POLL_WAIT = Duration.ofMillis(500);

    @Parameters(paramLabel = "TOPIC")
    String topic;

    @Option(names = "--group", required = true, paramLabel = "G", description = "Consumer group to join.")
    String group;

    @Option(names = "--count", paramLabel = "N", description = "Stop after N messages (default: run until Ctrl-C).")
    long count = -1;

    @Option(names = "--guarantee", paramLabel = "G", converter = ClientOptions.GuaranteeConverter.class,
            description = "at-least-once (default: print, then ack) or at-most-once (ack, then print).")
    DeliveryGuarantee guarantee = DeliveryGuarantee.AT_LEAST_ONCE;

    @Option(names = "--headers", description = "Also print each message's headers (e.g. why it was dead-lettered: "
            + "consume TOPIC.dlq --headers).")
    boolean headers;

    @Mixin
    ClientOptions client;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            throw new ParameterException(spec.commandLine(), "consume supports at-least-once or at-most-once; "
                    + "exactly-once consumption needs the processor and its store");
        }
        if (count == 0 || count < -1) {
            throw new ParameterException(spec.commandLine(), "--count must be >= 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        long printed = 0;
        Consumer consumer = client.configure(Consumer.builder(client.broker)).clientId("semel-cli").group(group).topic(topic)
                .requestTimeoutMs(client.timeoutMs()).connectTimeoutMs(client.timeoutMs()).build();
        // Ctrl-C ends the loop; the consumer then leaves cleanly (what it held is released at once).
        // Resources close in reverse order: the consumer leaves before the hook stops waiting.
        try (Interruption ctrlC = new Interruption("semel-consume-interrupt", client.timeout.plusSeconds(2),
                consumer::close); consumer) {
            long lastMessageNanos = System.nanoTime();
            while (!ctrlC.requested() && (count < 0 || printed < count)) {
                List<Message> batch;
                try {
                    // Lease no more than will be printed: the rest stays free for other members.
                    batch = count < 0 ? consumer.poll(POLL_WAIT)
                            : consumer.poll(POLL_WAIT, (int) Math.min(Integer.MAX_VALUE, count - printed));
                } catch (ClientClosedException e) {
                    break; // closed by the interrupt's fallback
                }
                if (batch.isEmpty()) {
                    if (count > 0 && System.nanoTime() - lastMessageNanos > client.timeout.toNanos()) {
                        throw new IllegalStateException("only " + printed + " of " + count + " message(s) arrived; "
                                + "none for " + client.timeout.toMillis() + " ms (--timeout)");
                    }
                    continue;
                }
                lastMessageNanos = System.nanoTime();
                printed += guarantee == DeliveryGuarantee.AT_MOST_ONCE ? ackThenPrint(consumer, batch, out)
                        : printThenAck(consumer, batch, out);
            }
        }
        return 0;
    }

    private int printThenAck(Consumer c, List<Message> batch, PrintWriter out) {
        batch.forEach(m -> out.println(line(m, headers)));
        out.flush();
        List<AckResult> results = c.ack(batch);
        warnUnsettled(results);
        return batch.size();
    }

    private int ackThenPrint(Consumer c, List<Message> batch, PrintWriter out) {
        List<Message> settled = new ArrayList<>();
        for (AckResult r : c.ack(batch)) {
            if (r.ok()) {
                settled.add(r.message());
            }
        }
        settled.forEach(m -> out.println(line(m, headers)));
        out.flush();
        return settled.size();
    }

    private void warnUnsettled(List<AckResult> results) {
        for (AckResult r : results) {
            if (!r.ok()) {
                spec.commandLine().getErr().println("semel: warning: ack of " + r.message() + " answered " + r.error()
                        + "; it will be redelivered");
            }
        }
    }

    /**
     * {@code partition=P offset=O delivery=D key=K value=V}, then with {@code headers} one
     * {@code header.NAME=VALUE} per header; key "-" when absent; newlines and backslashes escaped.
     */
    static String line(Message m, boolean headers) {
        StringBuilder b = new StringBuilder("partition=").append(m.partition()).append(" offset=").append(m.offset())
                .append(" delivery=").append(m.deliveryCount()).append(" key=").append(text(m.key(), "-"))
                .append(" value=").append(text(m.value(), ""));
        if (headers) {
            for (Header h : m.headers()) {
                b.append(" header.").append(text(h.key().getBytes(StandardCharsets.UTF_8), "")).append('=')
                        .append(text(h.value(), ""));
            }
        }
        return b.toString();
    }

    private static String text(byte[] bytes, String ifNull) {
        if (bytes == null) {
            return ifNull;
        }
        return new String(bytes, StandardCharsets.UTF_8).replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
    }
}
