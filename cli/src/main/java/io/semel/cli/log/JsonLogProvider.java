package io.semel.cli.log;

import java.io.PrintStream;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * An SLF4J provider writing one JSON object per log event to standard error ({@link JsonLogger}).
 * Selected, instead of slf4j-simple, by {@code semel} when {@code SEMEL_LOG_FORMAT=json} (see
 * {@link #selectIfRequested}); the level threshold is slf4j-simple's property,
 * {@code org.slf4j.simpleLogger.defaultLogLevel} (default {@code info}), so both formats obey the
 * same setting. Not registered as a service: SLF4J loads it only when named by {@code slf4j.provider}.
 */
public final class JsonLogProvider implements SLF4JServiceProvider {
    /** Environment variable choosing the log format: {@code text} (default) or {@code json}. */
    public static final String FORMAT_ENV = "SEMEL_LOG_FORMAT";
    /** System property with the same meaning; wins over the environment. */
    public static final String FORMAT_PROPERTY = "semel.log.format";
    static final String LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";

    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();
    private ILoggerFactory factory;

    /**
     * Makes SLF4J use this provider when the format asked for is {@code json}; call before the first
     * logger is created.
     *
     * @throws IllegalArgumentException for a format other than {@code text} or {@code json}
     */
    public static void selectIfRequested(Map<String, String> env) {
        String format = System.getProperty(FORMAT_PROPERTY, env.getOrDefault(FORMAT_ENV, "text"));
        switch (format.trim().toLowerCase(Locale.ROOT)) {
            case "json" -> {
                System.setProperty("slf4j.provider", JsonLogProvider.class.getName());
                // SLF4J would announce the explicit provider on stderr, a line that is not JSON.
                if (System.getProperty("slf4j.internal.verbosity") == null) {
                    System.setProperty("slf4j.internal.verbosity", "WARN");
                }
            }
            case "text", "" -> { }
            default -> throw new IllegalArgumentException(FORMAT_ENV + " is \"" + format + "\"; use text or json");
        }
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return factory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
        Level threshold = Level.valueOf(System.getProperty(LEVEL_PROPERTY, "info").trim().toUpperCase(Locale.ROOT));
        PrintStream out = System.err;
        Clock clock = Clock.systemUTC();
        Map<String, Logger> loggers = new ConcurrentHashMap<>();
        factory = name -> loggers.computeIfAbsent(name, n -> new JsonLogger(n, threshold, out, clock));
    }
}
