package io.semel.verify.run;

import io.semel.verify.history.LogRecord;
import java.util.List;

/** Reads the run's topic for the quiet wait and the final drain, whatever the engine. */
interface LogDrain {
    /**
     * The records of every partition from {@code nextOffset[partition]} to the log's end; advances
     * {@code nextOffset} past what it returns.
     */
    List<LogRecord> drain(long[] nextOffset);
}
