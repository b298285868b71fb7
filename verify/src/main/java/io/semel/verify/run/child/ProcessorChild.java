package io.semel.verify.run.child;

import io.semel.client.Consumer;
import io.semel.processor.store.JdbcStore;
import io.semel.verify.history.Guarantee;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Main class of the processor child JVM the harness starts, kills, pauses and restarts
 * ({@code ProcessorNode}). It connects to the harness's event channel, opens the store, joins the consumer
 * group through the fault proxy, prints {@value #READY} and processes until killed.
 *
 * <p>Arguments ({@code --key value}): {@code name generation bootstrap topic group guarantee events
 * store (sqlite|postgres) store-path | jdbc-url [jdbc-user [jdbc-password]] session-timeout-ms
 * ack-timeout-ms max-deliveries}. Without {@code jdbc-user} the credentials come from the URL
 * ({@code ?user=u&password=p}), the documented form for an external server.
 */
public final class ProcessorChild {
    public static final String READY = "READY";

    private ProcessorChild() {
    }

    public static void main(String[] argv) throws Exception {
        ChildArgs args = ChildArgs.parse(argv);
        String name = args.get("name");
        int generation = args.getInt("generation");
        ChildChannel channel = ChildChannel.connect(args);
        ChildHistory history = new ChildHistory(channel, name, generation);
        Guarantee guarantee = Guarantee.fromWireName(args.get("guarantee"));
        JdbcStore store = openStore(args);
        if (guarantee == Guarantee.EXACTLY_ONCE) {
            ExactlyOnceRunner.run(args, store, history);
            return;
        }
        Supplier<Consumer> connect = () -> Consumer.builder(args.get("bootstrap"))
                .clientId(name).group(args.get("group")).topic(args.get("topic"))
                .sessionTimeoutMs(args.getInt("session-timeout-ms"))
                .requestTimeoutMs(5_000).connectTimeoutMs(2_000)
                .maxPollMessages(100)
                .build();
        ConsumerLoop loop = new ConsumerLoop(guarantee, connect, store, history);
        loop.connect();
        System.out.println(READY + " " + name + " generation " + generation);
        System.out.flush();
        loop.run();
    }

    static JdbcStore openStore(ChildArgs args) {
        return switch (args.get("store")) {
            case "sqlite" -> JdbcStore.sqlite(Path.of(args.get("store-path")));
            case "postgres" -> {
                // No user flag: the driver takes user and password from the URL's parameters.
                String user = args.get("jdbc-user", null);
                yield JdbcStore.postgres(args.get("jdbc-url"), user, user == null ? null : args.get("jdbc-password", ""), 2);
            }
            default -> throw new IllegalArgumentException("--store must be sqlite or postgres, got " + args.get("store"));
        };
    }
}
