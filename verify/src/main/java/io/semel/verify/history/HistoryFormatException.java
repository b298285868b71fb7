package io.semel.verify.history;

/**
 * A history line that cannot be parsed or breaks a history rule (retired process reused, completion
 * without invoke, duplicate send id, {@code i} not increasing). Carries the 1-based line number.
 */
public final class HistoryFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long lineNumber;

    public HistoryFormatException(long lineNumber, String problem, Throwable cause) {
        super("history line " + lineNumber + ": " + problem, cause);
        this.lineNumber = lineNumber;
    }

    public HistoryFormatException(long lineNumber, String problem) {
        this(lineNumber, problem, null);
    }

    /** 1-based line number in the file where the problem is. */
    public long lineNumber() {
        return lineNumber;
    }
}
