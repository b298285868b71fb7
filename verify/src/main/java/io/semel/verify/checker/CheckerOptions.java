package io.semel.verify.checker;

/**
 * Checker settings.
 *
 * @param minConfirmed a run with fewer confirmed sends is trivial; at least 1
 */
public record CheckerOptions(int minConfirmed) {
    /** A harness run confirms thousands of sends; 100 keeps a broken workload from passing as valid. */
    public static final int DEFAULT_MIN_CONFIRMED = 100;

    public CheckerOptions {
        if (minConfirmed < 1) {
            throw new IllegalArgumentException("minConfirmed must be at least 1, got " + minConfirmed);
        }
    }

    public static CheckerOptions defaults() {
        return new CheckerOptions(DEFAULT_MIN_CONFIRMED);
    }
}
