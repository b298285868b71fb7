package io.semel.broker;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs a broker until SIGTERM/SIGINT:
 * {@code BrokerMain --data-dir DIR [--port PORT] [--host HOST] [--metrics-port PORT] [--config FILE]}.
 * Flags override the file's keys. Once serving it prints one line to standard output,
 * {@code semel broker listening on HOST:PORT}, which scripts and tests wait for; a shutdown hook
 * closes the broker cleanly (see {@link Broker#close()}).
 */
public final class BrokerMain {
    /** Prefix of the readiness line on standard output. */
    public static final String LISTENING = "semel broker listening on ";

    private BrokerMain() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Path configFile = null;
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--help") || flag.equals("-h")) {
                usage(null);
                return;
            }
            if (i + 1 >= args.length) {
                usage("missing value after " + flag);
                System.exit(2);
            }
            String value = args[++i];
            switch (flag) {
                case "--data-dir" -> overrides.put("dataDir", value);
                case "--port" -> overrides.put("port", value);
                case "--host" -> overrides.put("host", value);
                case "--metrics-port" -> overrides.put(BrokerConfig.METRICS_PORT.name(), value);
                case "--config" -> configFile = Path.of(value);
                default -> {
                    usage("unknown flag " + flag);
                    System.exit(2);
                }
            }
        }
        BrokerConfig config;
        try {
            config = BrokerConfig.load(configFile, overrides);
        } catch (IllegalArgumentException e) {
            usage(e.getMessage());
            System.exit(2);
            return;
        }
        Broker broker = Broker.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "broker-shutdown"));
        System.out.println(LISTENING + broker.host() + ":" + broker.port());
        System.out.flush();
        broker.awaitClosed();
    }

    private static void usage(String problem) {
        if (problem != null) {
            System.err.println("error: " + problem);
        }
        System.err.println("usage: BrokerMain --data-dir DIR [--port PORT] [--host HOST] [--metrics-port PORT] "
                + "[--config FILE]");
    }
}
