package io.semel.cli;

import io.semel.broker.Broker;
import io.semel.broker.BrokerConfig;
import io.semel.broker.BrokerMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code semel broker start}: runs a broker in the foreground until SIGTERM or Ctrl-C. */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run a broker.", subcommands = BrokerCommand.Start.class)
final class BrokerCommand {

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Start a broker in the foreground; it logs where it listens and stops cleanly on SIGTERM.")
    static final class Start implements Callable<Integer> {
        @Option(names = "--data-dir", required = true, description = "Directory for logs, producer and group state.")
        Path dataDir;

        @Option(names = "--port", description = "TCP port (default ${DEFAULT-VALUE}; 0 picks a free one).")
        int port = BrokerConfig.DEFAULT_PORT;

        @Option(names = "--host", description = "Address to bind (default ${DEFAULT-VALUE}).")
        String host = BrokerConfig.DEFAULT_HOST;

        @Option(names = "--metrics-port", description = "Serve /metrics and /health/* over HTTP on this port "
                + "(0 picks a free one; default: the config file's metricsPort, else off). See docs/operations.md.")
        Integer metricsPort;

        @Option(names = "--config", description = "Properties file with broker settings (see docs/broker.md); flags win.")
        Path config;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            // Checked here so the error names the setting, not only the path the JDK reports.
            if (Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
                throw new ParameterException(spec.commandLine(), "--data-dir " + dataDir + " is a file, not a directory");
            }
            if (port < 0 || port > 65_535) {
                throw new ParameterException(spec.commandLine(), "--port " + port + " is outside 0..65535 (0 picks a free port)");
            }
            if (config != null && !Files.isRegularFile(config)) {
                throw new ParameterException(spec.commandLine(), "--config " + config
                        + (Files.exists(config) ? " is not a regular file" : " does not exist"));
            }
            Map<String, String> overrides = new LinkedHashMap<>();
            overrides.put("dataDir", dataDir.toString());
            overrides.put("port", Integer.toString(port));
            overrides.put("host", host);
            if (metricsPort != null) {
                if (metricsPort < -1 || metricsPort > 65_535) {
                    throw new ParameterException(spec.commandLine(), "--metrics-port " + metricsPort
                            + " is outside 0..65535 (0 picks a free port, -1 turns the endpoint off)");
                }
                overrides.put(BrokerConfig.METRICS_PORT.name(), metricsPort.toString());
            }
            Broker broker = Broker.start(BrokerConfig.load(config, overrides));
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "broker-shutdown"));
            System.out.println(BrokerMain.LISTENING + broker.host() + ":" + broker.port());
            if (broker.metricsPort() >= 0) {
                System.out.println("semel broker metrics on http://" + broker.host() + ":" + broker.metricsPort()
                        + "/metrics");
            }
            System.out.flush();
            broker.awaitClosed();
            return 0;
        }
    }
}
