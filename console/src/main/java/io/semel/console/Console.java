package io.semel.console;

import io.semel.broker.Broker;
import io.semel.console.internal.BrokerCredentialsAuthenticator;
import io.semel.console.internal.BrokerView;
import io.semel.console.internal.ClientRedriver;
import io.semel.console.internal.ConsoleServer;
import io.semel.console.internal.DefaultBrokerCounters;
import io.semel.console.internal.PasswordFileAuthenticator;
import io.semel.console.internal.SampleRing;
import io.semel.console.internal.Sampler;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console of a running broker, served from the broker's process on its own HTTP port:
 * overview with charts, topics, groups, messages with dead-letter redrive, verification reports.
 * Guide: {@code docs/console.md}.
 *
 * <p>Threads: {@code console-http-*} answer requests, {@code console-sampler} reads the broker's
 * counters every {@code sampleIntervalMs}; both read broker state only through the broker's
 * read-only accessors (which run the reads on the owning broker thread) and never run on a broker
 * thread. Thread-safe; {@link #close()} is idempotent. Close the console before the broker.
 */
public final class Console implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Console.class);

    private final ConsoleServer server;
    private final Sampler sampler;
    private final BrokerCounters counters;
    private final Redriver redriver;

    private Console(ConsoleServer server, Sampler sampler, BrokerCounters counters, Redriver redriver) {
        this.server = server;
        this.sampler = sampler;
        this.counters = counters;
        this.redriver = redriver;
    }

    public static Builder builder(Broker broker, ConsoleConfig config) {
        return new Builder(broker, config);
    }

    /** The HTTP port actually bound (useful with port 0). */
    public int port() {
        return server.port();
    }

    public String host() {
        return server.host();
    }

    @Override
    public void close() {
        server.close();
        sampler.close();
        counters.close();
        redriver.close();
    }

    /** Defaults for every seam; replace one to plug in metrics, the admin REDRIVE API or a user store. Not thread-safe. */
    public static final class Builder {
        private final Broker broker;
        private final ConsoleConfig config;
        private BrokerCounters counters;
        private Redriver redriver;
        private ConsoleAuthenticator authenticator;
        private String user;
        private String password;
        private Clock clock = Clock.systemUTC();

        private Builder(Broker broker, ConsoleConfig config) {
            this.broker = Objects.requireNonNull(broker, "broker");
            this.config = Objects.requireNonNull(config, "config");
        }

        /** Default: records appended from the partitions, fsyncs from the JDK flight recorder. */
        public Builder counters(BrokerCounters v) {
            counters = v;
            return this;
        }

        /** Default: the client-based redriver (durable producer + acks in group {@code semel.redrive.<dlq>}). */
        public Builder redriver(Redriver v) {
            redriver = v;
            return this;
        }

        /**
         * Default: the users of {@code passwordFile} when set; else the broker's credentials when it
         * requires them; else none.
         */
        public Builder authenticator(ConsoleAuthenticator v) {
            authenticator = v;
            return this;
        }

        /** Credentials the default redriver's client sends in HELLO, for a broker that requires them. */
        public Builder brokerCredentials(String user, String password) {
            this.user = Objects.requireNonNull(user, "user");
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        public Builder clock(Clock v) {
            clock = Objects.requireNonNull(v, "clock");
            return this;
        }

        /**
         * Binds the port and starts serving.
         *
         * @throws IOException the port cannot be bound or the password file cannot be read
         */
        public Console start() throws IOException {
            BrokerView view = new BrokerView(broker, config.brokerReadTimeoutMs());
            ConsoleAuthenticator auth = authenticator != null ? authenticator
                    : config.passwordFile() != null ? PasswordFileAuthenticator.load(config.passwordFile())
                    : new BrokerCredentialsAuthenticator(broker.config());
            DefaultBrokerCounters defaults = counters == null
                    ? new DefaultBrokerCounters(view, broker.config().dataDir()) : null;
            BrokerCounters c = counters != null ? counters : defaults;
            Redriver r = redriver != null ? redriver : new ClientRedriver(broker.host() + ":" + broker.port(), user,
                    password, view, config.redriveTimeoutMs(), System::nanoTime);
            SampleRing ring = new SampleRing(config.historySamplesMax());
            Sampler sampler = Sampler.start(c, ring, clock, config.sampleIntervalMs());
            byte[] token = new byte[16];
            new SecureRandom().nextBytes(token);
            ConsoleServer server;
            try {
                server = new ConsoleServer(view, r, ring, config, broker, HexFormat.of().formatHex(token), clock,
                        defaults == null || defaults.fsyncAvailable(), auth);
            } catch (IOException | RuntimeException e) {
                sampler.close();
                c.close();
                r.close();
                throw e;
            }
            LOG.info("console serving http://{}:{}/ ({})", server.host(), server.port(),
                    auth.required() ? "authentication required" : "no authentication");
            return new Console(server, sampler, c, r);
        }
    }
}
