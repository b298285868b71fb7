package io.semel.cli;

import io.semel.broker.Broker;
import io.semel.broker.BrokerConfig;
import io.semel.broker.BrokerMain;
import io.semel.client.ClientSecurity;
import io.semel.console.Console;
import io.semel.console.ConsoleConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
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
        /** Printed, followed by host:port/, once the console serves. */
        static final String CONSOLE_AT = "CONSOLE http://";

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

        @Option(names = "--console-port", paramLabel = "PORT", description = "Serve the web console on this HTTP port "
                + "(off by default; 0 picks a free one). See docs/console.md.")
        Integer consolePort;

        @Option(names = "--console-host", description = "Address the console binds (default ${DEFAULT-VALUE}: it "
                + "speaks plain HTTP).")
        String consoleHost = ConsoleConfig.DEFAULT_HOST;

        @Option(names = "--console-password-file", paramLabel = "FILE", description = "user:password lines; the "
                + "console then requires HTTP Basic authentication. Without it the console requires a broker user "
                + "(semel user) when the broker authenticates (security.authentication=scram), else nothing.")
        Path consolePasswordFile;

        @Option(names = "--console-client-config", paramLabel = "FILE", description = "Client properties (user, "
                + "password.file) the console's dead-letter redrive uses to log in to a broker with "
                + "security.authentication=scram (docs/security.md).")
        Path consoleClientConfig;

        @Option(names = "--console-reports-dir", paramLabel = "DIR", description = "Where the console's Verification "
                + "page looks for semel verify/demo reports (directories holding report.html).")
        Path consoleReportsDir;

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
            if (consolePort != null && (consolePort < 0 || consolePort > 65_535)) {
                throw new ParameterException(spec.commandLine(), "--console-port " + consolePort
                        + " is outside 0..65535 (0 picks a free port)");
            }
            if (consolePasswordFile != null && !Files.isRegularFile(consolePasswordFile)) {
                throw new ParameterException(spec.commandLine(), "--console-password-file " + consolePasswordFile
                        + " is not a readable file of user:password lines");
            }
            Broker broker = Broker.start(BrokerConfig.load(config, overrides));
            AtomicReference<Console> console = new AtomicReference<>();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                Console c = console.get();
                if (c != null) {
                    c.close(); // before the broker: it reads through the broker
                }
                broker.close();
            }, "broker-shutdown"));
            System.out.println(BrokerMain.LISTENING + broker.host() + ":" + broker.port());
            if (broker.metricsPort() >= 0) {
                System.out.println("semel broker metrics on http://" + broker.host() + ":" + broker.metricsPort()
                        + "/metrics");
            }
            System.out.flush();
            if (consolePort != null) {
                try {
                    console.set(startConsole(broker));
                } catch (IOException | RuntimeException e) {
                    broker.close();
                    throw e;
                }
                System.out.println(CONSOLE_AT + console.get().host() + ":" + console.get().port() + "/");
                System.out.flush();
            }
            broker.awaitClosed();
            return 0;
        }

        private Console startConsole(Broker broker) throws IOException {
            ConsoleConfig cc = ConsoleConfig.builder(consolePort).host(consoleHost).passwordFile(consolePasswordFile)
                    .reportsDir(consoleReportsDir).build();
            Console.Builder b = Console.builder(broker, cc);
            if (consoleClientConfig != null) {
                // The redrive client logs in like any client (SCRAM); the broker's own port over loopback.
                ClientSecurity s = ClientSecurity.load(consoleClientConfig, System.getenv());
                if (s.hasCredentials()) {
                    b.brokerCredentials(s.user(), new String(s.password()));
                }
            }
            return b.start();
        }
    }
}
