package io.semel.protocol.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One setting, declared once: its name (the properties key), type, unit, default, allowed values and
 * documentation. Parsing, validation, {@code toString} and the documentation table of a
 * {@link ConfigDef} are all derived from these declarations, so a key cannot be parsed under one
 * name and documented under another. Immutable and thread-safe.
 *
 * <p>Declare with the static factories and refine with the {@code with...} methods, each of which
 * returns a new setting:
 * <pre>{@code
 * static final Setting<Integer> PORT = Setting.integer("port", 7471, "TCP port; 0 picks a free one")
 *         .range(0, 65_535).flag("--port");
 * }</pre>
 *
 * <p>Units: a {@link Unit#BYTES} value may be written {@code 512KiB}, {@code 8MiB} or {@code 1GiB}
 * (a plain number is bytes); a {@link Unit#MILLIS} value one of {@code ms, s, min, h, d} (a plain
 * number is milliseconds). {@code -1} keeps its meaning whatever the unit (see {@link #unlimited()}).
 *
 * @param <T> {@link String}, {@link Integer}, {@link Long}, {@link Boolean} or {@link Path}
 */
public final class Setting<T> {
    /** Value types a setting can have. */
    public enum Type { STRING, INT, LONG, BOOLEAN, PATH }

    /** The unit of a numeric setting, which also decides the suffixes its text may carry. */
    public enum Unit { NONE, BYTES, MILLIS }

    private final String name;
    private final Type type;
    private final Unit unit;
    private final T defaultValue;
    private final String defaultDoc;
    private final String doc;
    private final long min;
    private final long max;
    /** Meaning of -1 when it is allowed beyond the range, else null. */
    private final String minusOne;
    private final boolean secret;
    private final String flag;
    private final List<String> choices;
    private final boolean required;

    private Setting(String name, Type type, Unit unit, T defaultValue, String defaultDoc, String doc, long min,
            long max, String minusOne, boolean secret, String flag, List<String> choices, boolean required) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = type;
        this.unit = unit;
        this.defaultValue = defaultValue;
        this.defaultDoc = defaultDoc;
        this.doc = Objects.requireNonNull(doc, "doc");
        this.min = min;
        this.max = max;
        this.minusOne = minusOne;
        this.secret = secret;
        this.flag = flag;
        this.choices = choices;
        this.required = required;
    }

    private static <T> Setting<T> of(String name, Type type, Unit unit, T defaultValue, String doc, long max) {
        return new Setting<>(name, type, unit, defaultValue, null, doc, 0, max, null, false, null, List.of(), false);
    }

    /** A text setting; {@code defaultValue} null means none (see {@link #required()}). */
    public static Setting<String> string(String name, String defaultValue, String doc) {
        return of(name, Type.STRING, Unit.NONE, defaultValue, doc, 0);
    }

    /** A file-system path. */
    public static Setting<Path> path(String name, Path defaultValue, String doc) {
        return of(name, Type.PATH, Unit.NONE, defaultValue, doc, 0);
    }

    public static Setting<Boolean> bool(String name, boolean defaultValue, String doc) {
        return of(name, Type.BOOLEAN, Unit.NONE, defaultValue, doc, 1);
    }

    /** A count or other unitless int, allowed 0..Integer.MAX_VALUE until {@link #range} says otherwise. */
    public static Setting<Integer> integer(String name, int defaultValue, String doc) {
        return of(name, Type.INT, Unit.NONE, defaultValue, doc, Integer.MAX_VALUE);
    }

    /** A size in bytes that fits an int; the name should end in {@code Bytes}. */
    public static Setting<Integer> bytesInt(String name, int defaultValue, String doc) {
        return of(name, Type.INT, Unit.BYTES, defaultValue, doc, Integer.MAX_VALUE);
    }

    /** A size in bytes; the name should end in {@code Bytes}. */
    public static Setting<Long> bytes(String name, long defaultValue, String doc) {
        return of(name, Type.LONG, Unit.BYTES, defaultValue, doc, Long.MAX_VALUE);
    }

    /** A duration in milliseconds; the name should end in {@code Ms}. */
    public static Setting<Long> millis(String name, long defaultValue, String doc) {
        return of(name, Type.LONG, Unit.MILLIS, defaultValue, doc, Long.MAX_VALUE);
    }

    /** Allowed numeric range, both ends included. */
    public Setting<T> range(long minValue, long maxValue) {
        if (type != Type.INT && type != Type.LONG) {
            throw new IllegalStateException(name + " is not numeric");
        }
        return new Setting<>(name, type, unit, defaultValue, defaultDoc, doc, minValue, maxValue, minusOne, secret,
                flag, choices, required);
    }

    /** No default, and a value must be given (a setting without a default is optional otherwise). */
    public Setting<T> required() {
        return new Setting<>(name, type, unit, null, defaultDoc, doc, min, max, minusOne, secret, flag, choices, true);
    }

    public boolean isRequired() {
        return required;
    }

    /** Also allows {@code -1}, meaning "no limit". */
    public Setting<T> unlimited() {
        return minusOne("unlimited");
    }

    /** Also allows {@code -1}, with this meaning (e.g. {@code off}). */
    public Setting<T> minusOne(String meaning) {
        return new Setting<>(name, type, unit, defaultValue, defaultDoc, doc, min, max, meaning, secret, flag, choices,
                required);
    }

    /** Never shown: {@code toString} prints {@code ***} and the docs no default. */
    public Setting<T> secret() {
        return new Setting<>(name, type, unit, defaultValue, defaultDoc, doc, min, max, minusOne, true, flag, choices,
                required);
    }

    /** The command-line flag that sets it too (documentation only; the command maps it). */
    public Setting<T> flag(String cliFlag) {
        return new Setting<>(name, type, unit, defaultValue, defaultDoc, doc, min, max, minusOne, secret, cliFlag,
                choices, required);
    }

    /** How the default reads in the docs when it depends on the machine, e.g. {@code min(4, cpus)}. */
    public Setting<T> defaultDoc(String text) {
        return new Setting<>(name, type, unit, defaultValue, text, doc, min, max, minusOne, secret, flag, choices,
                required);
    }

    /** A text setting restricted to these values (compared case-insensitively, stored lower case). */
    public Setting<T> choices(String... values) {
        if (type != Type.STRING) {
            throw new IllegalStateException(name + " is not text");
        }
        return new Setting<>(name, type, unit, defaultValue, defaultDoc, doc, min, max, minusOne, secret, flag,
                List.of(values), required);
    }

    public String name() {
        return name;
    }

    public Type type() {
        return type;
    }

    public Unit unit() {
        return unit;
    }

    /** Null when the setting has no default. */
    public T defaultValue() {
        return defaultValue;
    }

    public String doc() {
        return doc;
    }

    public long min() {
        return min;
    }

    public long max() {
        return max;
    }

    /** What -1 means when it is allowed beyond the range, else null. */
    public String minusOneMeaning() {
        return minusOne;
    }

    public boolean isSecret() {
        return secret;
    }

    /** Null when no command-line flag sets it. */
    public String flag() {
        return flag;
    }

    public List<String> choices() {
        return choices;
    }

    /**
     * Parses a properties value.
     *
     * @throws IllegalArgumentException naming the setting, the text and what it accepts
     */
    @SuppressWarnings("unchecked")
    public T parse(String text) {
        String v = text.trim();
        return (T) switch (type) {
            case STRING -> choices.isEmpty() ? v : v.toLowerCase(Locale.ROOT);
            case PATH -> Path.of(v);
            case BOOLEAN -> parseBoolean(v);
            case INT -> toInt(Units.parse(name, v, unit));
            case LONG -> Units.parse(name, v, unit);
        };
    }

    /** @throws IllegalArgumentException naming the setting, its value and what is allowed */
    public void check(Object value) {
        if (value == null) {
            return;
        }
        if (!choices.isEmpty() && !choices.contains(value.toString())) {
            throw new IllegalArgumentException(name + " is \"" + value + "\"; use one of " + choices);
        }
        if (type == Type.STRING && ((String) value).isBlank()) {
            throw new IllegalArgumentException(name + " is empty; " + doc);
        }
        if (type != Type.INT && type != Type.LONG) {
            return;
        }
        long n = ((Number) value).longValue();
        if (minusOne != null && n == -1) {
            return;
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(name + " is " + n + "; allowed " + min + ".." + max
                    + (minusOne != null ? " or -1 for " + minusOne : ""));
        }
    }

    /** The value as {@code toString} and the docs show it: with its unit, secrets hidden. */
    public String show(Object value) {
        if (secret) {
            return value == null ? "none" : "***";
        }
        if (value == null) {
            return "none";
        }
        if (value instanceof Number n && (type == Type.INT || type == Type.LONG)) {
            return minusOne != null && n.longValue() == -1 ? "-1 (" + minusOne + ")" : Units.show(n.longValue(), unit);
        }
        return value.toString();
    }

    private Object parseBoolean(String v) {
        if (v.equalsIgnoreCase("true")) {
            return Boolean.TRUE;
        }
        if (v.equalsIgnoreCase("false")) {
            return Boolean.FALSE;
        }
        throw new IllegalArgumentException(name + " is \"" + v + "\"; use true or false");
    }

    private int toInt(long n) {
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " is " + n + ", beyond " + Integer.MAX_VALUE);
        }
        return (int) n;
    }

    String defaultText() {
        if (defaultDoc != null) {
            return defaultDoc;
        }
        return defaultValue == null ? "none" : show(defaultValue);
    }

    @Override
    public String toString() {
        return name;
    }
}
