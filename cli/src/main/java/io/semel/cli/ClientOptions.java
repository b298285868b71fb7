package io.semel.cli;

import io.semel.broker.BrokerConfig;
import io.semel.client.Admin;
import io.semel.client.ClientBuilder;
import io.semel.client.DeliveryGuarantee;
import io.semel.client.PartitionReader;
import io.semel.client.Producer;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * Options every client command takes ({@code --broker}, {@code --timeout}, and the security flags
 * {@code --tls-ca}, {@code --user}, {@code --password-file}, {@code --client-config}...), mixed
 * into each.
 */
final class ClientOptions {
    static final String DEFAULT_BROKER = "localhost:" + BrokerConfig.DEFAULT_PORT;

    @Option(names = "--broker", paramLabel = "HOST:PORT", converter = AddressConverter.class,
            description = "Broker address (default ${DEFAULT-VALUE}).")
    String broker = DEFAULT_BROKER;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Longest wait for the broker: connect, each request, and for produce the delivery of "
                    + "each message (default 30s; units ms, s, m; a bare number is seconds).")
    Duration timeout = Duration.ofSeconds(30);

    /** --tls-ca, --user, --password-file, --client-config... (docs/security.md). */
    @Mixin
    SecurityOptions security = new SecurityOptions();

    int timeoutMs() {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
    }

    Admin admin() {
        return configure(Admin.builder(broker)).clientId("semel-cli").requestTimeoutMs(timeoutMs())
                .connectTimeoutMs(timeoutMs()).build();
    }

    PartitionReader reader() {
        return configure(PartitionReader.builder(broker)).clientId("semel-cli").requestTimeoutMs(timeoutMs())
                .connectTimeoutMs(timeoutMs()).build();
    }

    /** A producer whose sequences the caller owns, under a stable identity. */
    Producer durableProducer(String name) {
        return configure(Producer.builder(broker)).clientId("semel-cli").durable(name).requestTimeoutMs(timeoutMs())
                .connectTimeoutMs(timeoutMs()).deliveryTimeoutMs(timeoutMs()).build();
    }

    /** Applies the security options to any client builder. */
    <B extends ClientBuilder<B>> B configure(B builder) {
        return security.configure(builder);
    }

    /** "host:port" with a port in 1..65535; checked here so a typo is a usage error (exit 2). */
    static final class AddressConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            int colon = value.lastIndexOf(':');
            if (colon <= 0 || colon == value.length() - 1) {
                throw new TypeConversionException("'" + value + "' is not HOST:PORT (e.g. " + DEFAULT_BROKER + ")");
            }
            int port;
            try {
                port = Integer.parseInt(value.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new TypeConversionException("port '" + value.substring(colon + 1) + "' in '" + value
                        + "' is not a number");
            }
            if (port < 1 || port > 65_535) {
                throw new TypeConversionException("port " + port + " in '" + value + "' is outside 1..65535");
            }
            return value;
        }
    }

    /** "500ms", "10s", "2m"; a bare number is seconds. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            try {
                Duration d;
                if (v.endsWith("ms")) {
                    d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
                } else if (v.endsWith("s")) {
                    d = Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
                } else if (v.endsWith("m")) {
                    d = Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
                } else {
                    d = Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
                }
                if (d.isNegative() || d.isZero()) {
                    throw new TypeConversionException("duration '" + value + "' must be > 0");
                }
                return d;
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a duration; use e.g. 500ms, 10s, 2m");
            }
        }
    }

    /** "exactly-once", "at-least-once", "at-most-once" (any case, '-' or '_'). */
    static final class GuaranteeConverter implements ITypeConverter<DeliveryGuarantee> {
        @Override
        public DeliveryGuarantee convert(String value) {
            try {
                return DeliveryGuarantee.valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value
                        + "' is not a guarantee; use exactly-once, at-least-once or at-most-once");
            }
        }
    }

    /** The CLI spelling of a guarantee: "exactly-once". */
    static String spell(DeliveryGuarantee g) {
        return g.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
