package io.semel.protocol.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * A set of {@link Setting}s and the rules between them, in the style of Kafka's {@code ConfigDef}:
 * from the one declaration per setting it parses properties ({@link #parse}), validates
 * ({@link #validate}), prints values for logs ({@link #describe}) and renders the documentation
 * table ({@link #markdownTable}). Definitions compose: {@link #include} adds another definition's
 * settings and rules (the broker includes the log's and the consumer groups' definitions rather than
 * copying their keys). Immutable and thread-safe.
 *
 * <p>How a component declares a new setting: add a {@code static final Setting<...>} constant next to
 * the others, list it in the component's {@code ConfigDef.of(...)}, read it with
 * {@code values.get(SETTING)}; the properties key, validation, {@code toString} and the docs row
 * follow (a docs test fails until the docs table is regenerated).
 */
public final class ConfigDef {
    private final String subject;
    private final Map<String, Setting<?>> settings;
    private final List<Rule> rules;

    /**
     * A rule between settings: {@code check} throws {@link IllegalArgumentException} naming them.
     *
     * @param setting the setting whose docs row shows {@code doc} in its "allowed" column, or null
     */
    public record Rule(Setting<?> setting, String doc, Consumer<ConfigValues> check) {
        /** {@code low <= high - slack}, e.g. a record fits a batch, a batch fits a frame. */
        public static Rule atMost(Setting<? extends Number> low, Setting<? extends Number> high, long slack,
                String why) {
            String bound = high.name() + (slack == 0 ? "" : " − " + Units.show(slack, high.unit()));
            return new Rule(low, "≤ " + bound, values -> {
                long l = values.get(low).longValue();
                long h = values.get(high).longValue() - slack;
                if (l > h) {
                    throw new IllegalArgumentException(low.name() + " is " + l + "; it must be at most " + bound
                            + " (" + h + ")" + (why.isEmpty() ? "" : ": " + why));
                }
            });
        }
    }

    private ConfigDef(String subject, Map<String, Setting<?>> settings, List<Rule> rules) {
        this.subject = subject;
        this.settings = Collections.unmodifiableMap(settings);
        this.rules = List.copyOf(rules);
    }

    /** @param subject what the settings configure, for messages ("unknown broker setting") */
    public static ConfigDef of(String subject, Setting<?>... settings) {
        ConfigDef def = new ConfigDef(subject, new LinkedHashMap<>(), List.of());
        for (Setting<?> s : settings) {
            def = def.add(s);
        }
        return def;
    }

    private ConfigDef add(Setting<?> s) {
        if (settings.containsKey(s.name())) {
            throw new IllegalStateException("setting " + s.name() + " is declared twice in the " + subject
                    + " settings");
        }
        Map<String, Setting<?>> copy = new LinkedHashMap<>(settings);
        copy.put(s.name(), s);
        return new ConfigDef(subject, copy, rules);
    }

    /** This definition plus another's settings (after these) and rules. */
    public ConfigDef include(ConfigDef other) {
        ConfigDef def = this;
        for (Setting<?> s : other.settings.values()) {
            def = def.add(s);
        }
        List<Rule> all = new ArrayList<>(rules);
        all.addAll(other.rules);
        return new ConfigDef(subject, def.settings, all);
    }

    /** This definition plus a rule, checked after every setting's own range. */
    public ConfigDef rule(Rule rule) {
        List<Rule> all = new ArrayList<>(rules);
        all.add(rule);
        return new ConfigDef(subject, settings, all);
    }

    public List<Setting<?>> settings() {
        return List.copyOf(settings.values());
    }

    public boolean contains(Setting<?> setting) {
        return settings.get(setting.name()) == setting;
    }

    /**
     * Parses key/value text (a properties file with overrides applied) and validates the result.
     *
     * @throws IllegalArgumentException for an unknown key (listing the known ones) or a bad value,
     *     naming the key
     */
    public ConfigValues parse(Map<String, String> text) {
        Set<String> unknown = new TreeSet<>(text.keySet());
        unknown.removeAll(settings.keySet());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown " + subject + " setting(s) " + unknown + "; known keys are "
                    + new TreeSet<>(settings.keySet()));
        }
        ConfigValues values = ConfigValues.empty();
        for (Setting<?> s : settings.values()) {
            String raw = text.get(s.name());
            if (raw != null) {
                values = set(values, s, raw);
            }
        }
        return validate(values);
    }

    private static <T> ConfigValues set(ConfigValues values, Setting<T> s, String raw) {
        return values.with(s, s.parse(raw));
    }

    /**
     * Checks that every required setting has a value, every value is in its setting's range, and the
     * rules hold; returns {@code values}.
     *
     * @throws IllegalArgumentException naming the setting, its value and what is allowed
     */
    public ConfigValues validate(ConfigValues values) {
        for (Setting<?> s : settings.values()) {
            Object v = values.get(s);
            if (v == null && s.defaultValue() == null && s.isRequired()) {
                throw new IllegalArgumentException(s.name() + " is required: " + s.doc());
            }
            s.check(v);
        }
        for (Rule r : rules) {
            r.check().accept(values);
        }
        return values;
    }

    /** {@code name=value} for every setting, units shown, secrets hidden; for {@code toString} and logs. */
    public String describe(ConfigValues values) {
        StringBuilder sb = new StringBuilder();
        for (Setting<?> s : settings.values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(s.name()).append('=').append(s.show(values.get(s)));
        }
        return sb.toString();
    }

    /**
     * The documentation table (GitHub markdown), one row per setting in declaration order: key and
     * command-line flag, default, allowed values, meaning.
     */
    public String markdownTable() {
        StringBuilder sb = new StringBuilder("| key | default | allowed | meaning |\n|---|---|---|---|\n");
        for (Setting<?> s : settings.values()) {
            String key = "`" + s.name() + "`" + (s.flag() == null ? "" : " (`" + s.flag() + "`)");
            String def = s.isRequired() && s.defaultValue() == null ? "required" : s.defaultText();
            sb.append("| ").append(key).append(" | ").append(cell(def)).append(" | ").append(cell(allowed(s)))
                    .append(" | ").append(cell(s.doc())).append(" |\n");
        }
        return sb.toString();
    }

    private String allowed(Setting<?> s) {
        List<String> parts = new ArrayList<>();
        switch (s.type()) {
            case INT, LONG -> {
                long top = s.type() == Setting.Type.INT ? Integer.MAX_VALUE : Long.MAX_VALUE;
                parts.add(s.max() >= top ? "≥ " + Units.show(s.min(), s.unit())
                        : Units.show(s.min(), s.unit()) + " .. " + Units.show(s.max(), s.unit()));
                if (s.minusOneMeaning() != null) {
                    parts.add("-1 (" + s.minusOneMeaning() + ")");
                }
            }
            case BOOLEAN -> parts.add("true, false");
            case STRING -> parts.add(s.choices().isEmpty() ? "text" : String.join(", ", s.choices()));
            case PATH -> parts.add("path");
        }
        for (Rule r : rules) {
            if (r.setting() != null && r.setting().name().equals(s.name())) {
                parts.add(r.doc());
            }
        }
        return String.join("; ", parts);
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
