package io.semel.protocol.config;

import java.util.Locale;

/** Size and duration suffixes of setting values, both ways. Stateless. */
final class Units {
    private static final String[] BYTE_SUFFIXES = {"gib", "mib", "kib", "b"};
    private static final long[] BYTE_FACTORS = {1L << 30, 1L << 20, 1L << 10, 1};
    private static final String[] BYTE_NAMES = {"GiB", "MiB", "KiB", "B"};
    // "min" before "ms" and "s": the longest suffix that matches wins.
    private static final String[] TIME_SUFFIXES = {"min", "ms", "s", "h", "d"};
    private static final long[] TIME_FACTORS = {60_000, 1, 1_000, 3_600_000, 86_400_000};
    private static final String[] TIME_SHOWN = {"d", "h", "min", "s"};
    private static final long[] TIME_SHOWN_FACTORS = {86_400_000, 3_600_000, 60_000, 1_000};

    private Units() {
    }

    static long parse(String name, String raw, Setting.Unit unit) {
        String v = raw.trim().toLowerCase(Locale.ROOT).replace(" ", "");
        long factor = 1;
        String[] suffixes = unit == Setting.Unit.BYTES ? BYTE_SUFFIXES
                : unit == Setting.Unit.MILLIS ? TIME_SUFFIXES : new String[0];
        long[] factors = unit == Setting.Unit.BYTES ? BYTE_FACTORS : TIME_FACTORS;
        for (int i = 0; i < suffixes.length; i++) {
            if (v.endsWith(suffixes[i])) {
                factor = factors[i];
                v = v.substring(0, v.length() - suffixes[i].length());
                break;
            }
        }
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " is \"" + raw + "\", not a number" + hint(unit), e);
        }
        // -1 means unlimited whatever the unit.
        if (n == -1) {
            return -1;
        }
        try {
            return Math.multiplyExact(n, factor);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(name + " is " + raw + ", which overflows", e);
        }
    }

    private static String hint(Setting.Unit unit) {
        return switch (unit) {
            case BYTES -> " (a size may end in KiB, MiB or GiB)";
            case MILLIS -> " (a duration may end in ms, s, min, h or d)";
            case NONE -> "";
        };
    }

    /** The largest unit the value is an exact multiple of: {@code 8 MiB}, {@code 7 d}, {@code 100 ms}. */
    static String show(long n, Setting.Unit unit) {
        if (n <= 0 || unit == Setting.Unit.NONE) {
            return Long.toString(n);
        }
        if (unit == Setting.Unit.BYTES) {
            for (int i = 0; i < BYTE_FACTORS.length - 1; i++) {
                if (n % BYTE_FACTORS[i] == 0) {
                    return n / BYTE_FACTORS[i] + " " + BYTE_NAMES[i];
                }
            }
            return n + " B";
        }
        for (int i = 0; i < TIME_SHOWN_FACTORS.length; i++) {
            if (n % TIME_SHOWN_FACTORS[i] == 0) {
                return n / TIME_SHOWN_FACTORS[i] + " " + TIME_SHOWN[i];
            }
        }
        return n + " ms";
    }
}
