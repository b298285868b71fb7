package io.semel.protocol.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Values of settings, by setting name: what a {@link ConfigDef} parses and validates. A value not
 * set reads as its setting's default. Immutable and thread-safe; {@link #with} returns a copy.
 */
public final class ConfigValues {
    private static final ConfigValues EMPTY = new ConfigValues(Map.of());

    private final Map<String, Object> values;

    private ConfigValues(Map<String, Object> values) {
        this.values = values;
    }

    public static ConfigValues empty() {
        return EMPTY;
    }

    /** The value set, else the setting's default (null when it has none). */
    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        Object v = values.get(setting.name());
        return v != null ? (T) v : setting.defaultValue();
    }

    /** Whether a value was set explicitly (a default does not count). */
    public boolean isSet(Setting<?> setting) {
        return values.containsKey(setting.name());
    }

    /** A copy with {@code setting} set to {@code value}; null removes it (back to the default). */
    public <T> ConfigValues with(Setting<T> setting, T value) {
        Map<String, Object> copy = new LinkedHashMap<>(values);
        if (value == null) {
            copy.remove(setting.name());
        } else {
            copy.put(setting.name(), value);
        }
        return new ConfigValues(Collections.unmodifiableMap(copy));
    }

    /** A copy with every value of {@code other} set on top of these. */
    public ConfigValues withAll(ConfigValues other) {
        Map<String, Object> copy = new LinkedHashMap<>(values);
        copy.putAll(other.values);
        return new ConfigValues(Collections.unmodifiableMap(copy));
    }

    Map<String, Object> asMap() {
        return values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfigValues c && c.values.equals(values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(values);
    }

    /** Raw names and values, secrets included: use {@link ConfigDef#describe} to show them. */
    @Override
    public String toString() {
        return "ConfigValues" + values.keySet();
    }
}
