package io.semel.verify.history;

import io.semel.verify.history.internal.HistoryCodec;
import io.semel.verify.history.internal.ProcessTracker;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Appends a history as JSON Lines (UTF-8, one event per line, {@code \n}-terminated). This class owns the
 * format; {@link HistoryReader} reads it back and docs/verify.md describes it for users.
 *
 * <h2>Line layout</h2>
 * Every line is {@code {"i":…,"tNs":…,"proc":…,"type":…,"f":…,"value":{…}}}:
 * <table>
 *   <caption>Event fields</caption>
 *   <tr><th>field</th><th>type</th><th>meaning</th></tr>
 *   <tr><td>i</td><td>integer</td><td>0 for the header, then 1, 2, … in file order (assigned here)</td></tr>
 *   <tr><td>tNs</td><td>integer</td><td>monotonic nanoseconds from the injected time source (assigned here)</td></tr>
 *   <tr><td>proc</td><td>string</td><td>logical process running the op; retired after an {@code info}</td></tr>
 *   <tr><td>type</td><td>string</td><td>{@code invoke | ok | fail | info}</td></tr>
 *   <tr><td>f</td><td>string</td><td>{@code header | send | deliver | apply | ack | nemesis | drain-log | read-state}</td></tr>
 *   <tr><td>value</td><td>object</td><td>per {@code f}, below; a {@code fail}/{@code info} adds {@code "error": string}</td></tr>
 * </table>
 * <table>
 *   <caption>Values per f</caption>
 *   <tr><th>f</th><th>value</th></tr>
 *   <tr><td>header</td><td>{@code {format: 1, guarantee: "exactly-once"|"at-least-once"|"at-most-once",
 *       faults: [{fault, targets: [..]}]}}, optional {@code seed} and {@code minConfirmed} (the checker threshold
 *       the run used); type {@code ok}, first line only</td></tr>
 *   <tr><td>send</td><td>invoke {@code {id, key, amt}}; ok adds {@code partition, offset}</td></tr>
 *   <tr><td>deliver</td><td>{@code {consumer, epoch, messages: [{id, partition, offset, deliveryCount,
 *       leaseEpoch}]}}; messages empty on invoke; a message's {@code leaseEpoch} is optional (absent: the event's
 *       {@code epoch})</td></tr>
 *   <tr><td>apply</td><td>{@code {consumer, ids: [..], inputOffsets: {"partition": nextOffset}}}</td></tr>
 *   <tr><td>ack</td><td>{@code {consumer, ids: [..]}}</td></tr>
 *   <tr><td>nemesis</td><td>{@code {fault, targets: [..], phase: "start"|"stop"}}; ok = took effect</td></tr>
 *   <tr><td>drain-log</td><td>{@code {records: [{partition, offset, id}]}} on ok (final, every partition from 0)</td></tr>
 *   <tr><td>read-state</td><td>{@code {accounts: {key: {balance, appliedIds: [..]}}, positions: {"partition": offset}}}
 *       on ok; {@code "final": false} marks a read taken while the workload runs (absent: the final read)</td></tr>
 * </table>
 *
 * <h2>Rules enforced on append</h2>
 * One op at a time per process (invoke, then one completion of the same {@code f}); after an
 * {@code info} the process is retired and any later event on it is refused with
 * {@link IllegalStateException}; every send id is invoked once. A send invoke without a completion by
 * the end of the history counts as {@code info}.
 *
 * <h2>What it does not protect against</h2>
 * A crash of the harness mid-line leaves a torn last line: the reader reports it as a
 * {@link HistoryFormatException} with its line number. Lines are flushed to the OS, not fsynced; the
 * history is written by the harness, which is not the process under test.
 *
 * <h2>Thread safety</h2>
 * Thread-safe. One lock covers assigning {@code i}, reading the clock, checking the rules and writing
 * and flushing the line, so that file order, {@code i} order and {@code tNs} order agree. Holding the lock
 * across the write is deliberate: the history's order is the point of it, and only harness threads wait.
 */
public final class HistoryWriter implements Closeable {
    private final Writer out;
    private final LongSupplier nanoTime;
    private final ProcessTracker tracker = new ProcessTracker();
    private long nextI;
    private long lastTNs;
    private boolean closed;

    /**
     * Starts a history on {@code out} and writes the header line at once.
     *
     * @param nanoTime monotonic time source, e.g. {@code System::nanoTime}; injected so tests are deterministic
     */
    public HistoryWriter(Writer out, LongSupplier nanoTime, EventValue.Header header) throws IOException {
        this.out = Objects.requireNonNull(out, "out");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        lastTNs = nanoTime.getAsLong();
        writeLine(new HistoryEvent(nextI++, lastTNs, HistoryReader.HEADER_PROC, OpType.OK, header, null));
    }

    /** Creates (or truncates) {@code file} and starts a history in it. */
    public static HistoryWriter create(Path file, LongSupplier nanoTime, EventValue.Header header)
            throws IOException {
        BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        try {
            return new HistoryWriter(w, nanoTime, header);
        } catch (IOException | RuntimeException e) {
            w.close();
            throw e;
        }
    }

    public HistoryEvent invoke(String proc, EventValue value) throws IOException {
        return append(proc, OpType.INVOKE, value, null);
    }

    public HistoryEvent ok(String proc, EventValue value) throws IOException {
        return append(proc, OpType.OK, value, null);
    }

    /** The op provably did not take effect. When unsure, use {@link #info}. */
    public HistoryEvent fail(String proc, EventValue value, String error) throws IOException {
        return append(proc, OpType.FAIL, value, error);
    }

    /** The op's outcome is unknown; retires {@code proc}. */
    public HistoryEvent info(String proc, EventValue value, String error) throws IOException {
        return append(proc, OpType.INFO, value, error);
    }

    /**
     * Appends one event, assigning {@code i} and {@code tNs}.
     *
     * @throws IllegalStateException if the event breaks a history rule (nothing is written then)
     */
    public synchronized HistoryEvent append(String proc, OpType type, EventValue value, String error)
            throws IOException {
        if (closed) {
            throw new IllegalStateException("history writer is closed");
        }
        long tNs = nanoTime.getAsLong();
        // The reader rejects time going backwards, so refuse to write a history it could not read.
        if (tNs < lastTNs) {
            throw new IllegalStateException("time source went backwards: " + tNs + " ns after " + lastTNs
                    + " ns; inject a monotonic source such as System::nanoTime");
        }
        HistoryEvent e = new HistoryEvent(nextI, tNs, proc, type, value, error);
        tracker.accept(e);
        writeLine(e);
        nextI++;
        lastTNs = tNs;
        return e;
    }

    private void writeLine(HistoryEvent e) throws IOException {
        out.write(HistoryCodec.encode(e));
        out.write('\n');
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        if (!closed) {
            closed = true;
            out.close();
        }
    }
}
