package io.semel.processor.internal;

/**
 * Range checks of the builders' settings, shared by the processor's and the Kafka module's builders
 * so a bad value reads the same everywhere: {@code <name> is <value>; it must be ...}. Stateless.
 */
public final class Settings {
    private Settings() {
    }

    /** Returns {@code v}, or throws IllegalArgumentException naming the setting, the value and the range. */
    public static long range(String name, long v, long min, long max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + " is " + v + "; it must be in " + min + ".." + max);
        }
        return v;
    }

    /** Returns {@code v}, or throws IllegalArgumentException when it is below 1. */
    public static long positive(String name, long v) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " is " + v + "; it must be >= 1");
        }
        return v;
    }

    /** Returns {@code v}, or throws IllegalArgumentException when it is below 1. */
    public static int positive(String name, int v) {
        return (int) positive(name, (long) v);
    }

    /** Throws IllegalArgumentException when the cap {@code max} is below the start value {@code min}. */
    public static void notBelow(String maxName, long max, String minName, long min) {
        if (max < min) {
            throw new IllegalArgumentException(maxName + " " + max + " is below " + minName + " " + min + "; raise it");
        }
    }
}
