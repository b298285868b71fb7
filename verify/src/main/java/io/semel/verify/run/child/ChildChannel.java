package io.semel.verify.run.child;

import io.semel.verify.history.EventValue;
import io.semel.verify.history.HistoryEvent;
import io.semel.verify.history.OpType;
import io.semel.verify.history.internal.HistoryCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A processor child's line to the harness: history events go up, commands come down. The child writes
 * no history file of its own; the harness appends what arrives through its single {@code HistoryWriter},
 * so one clock and one lock order the whole history (docs/verify.md, "History merge").
 *
 * <h2>Protocol (UTF-8 lines over loopback TCP)</h2>
 * <table>
 *   <caption>Lines</caption>
 *   <tr><th>direction</th><th>line</th><th>meaning</th></tr>
 *   <tr><td>child → harness</td><td>{@code HELLO <name> <generation>}</td><td>first line</td></tr>
 *   <tr><td>child → harness</td><td>a history event as JSON ({@code i} and {@code tNs} are placeholders)</td>
 *       <td>written with one {@code write} and flushed before the step it records is taken further</td></tr>
 *   <tr><td>harness → child</td><td>{@code ARM} / {@code DISARM}</td><td>crash point between the processor's
 *       two steps on / off</td></tr>
 *   <tr><td>harness → child</td><td>{@code ARM <fault>} / {@code DISARM <fault>}</td><td>another named fault the
 *       child injects into itself at its step (the Kafka engine's {@code crash-after-claim},
 *       {@code crash-after-handler-before-commit}, {@code zombie}); {@code DISARM} alone clears every one</td></tr>
 *   <tr><td>harness → child</td><td>{@code STOP}</td><td>a producer child finishes its sends and exits</td></tr>
 * </table>
 * A line the kernel accepted before a SIGKILL still reaches the harness (the socket is closed by the
 * kernel after its buffer drains); a line torn by the kill is dropped by the harness.
 *
 * <p>Thread-safe: {@link #emit} is synchronized so lines never interleave.
 */
public final class ChildChannel implements EventOutput, AutoCloseable {
    public static final String HELLO = "HELLO";
    public static final String ARM = "ARM";
    public static final String DISARM = "DISARM";
    /** Asks a producer child to finish its current sends and exit. */
    public static final String STOP = "STOP";

    private final Socket socket;
    private final OutputStream out;
    private final AtomicBoolean armed = new AtomicBoolean();
    private final java.util.Set<String> armedFaults = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AtomicBoolean stop = new AtomicBoolean();

    private ChildChannel(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
    }

    /**
     * Connects to the harness at {@code --events} as {@code --name} of {@code --generation}, with the faults of
     * {@code --armed} (comma-separated; armed before the child's first step can reach them) already armed.
     */
    public static ChildChannel connect(ChildArgs args) throws IOException {
        ChildChannel c = connect(ChildArgs.address(args.get("events")), args.get("name"), args.getInt("generation"));
        String armed = args.get("armed", null);
        if (armed != null) {
            c.armedFaults.addAll(java.util.Arrays.asList(armed.split(",")));
        }
        return c;
    }

    /** Connects, says hello and starts the command reader; the child halts if the harness goes away. */
    private static ChildChannel connect(InetSocketAddress harness, String name, int generation) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(harness, 5_000);
        ChildChannel c = new ChildChannel(s);
        c.writeLine(HELLO + " " + name + " " + generation);
        Thread reader = new Thread(c::readCommands, "harness-commands");
        reader.setDaemon(true);
        reader.start();
        return c;
    }

    /** Whether the harness asked for a crash between the two steps; cleared by nothing but {@code DISARM}. */
    @Override
    public boolean armed() {
        return armed.get();
    }

    /** Whether the harness armed the named fault ({@code ARM <fault>}) and has not disarmed it. */
    public boolean armed(String fault) {
        return armedFaults.contains(fault);
    }

    /** Clears a named fault once the child injected it (one shot). */
    public void disarm(String fault) {
        armedFaults.remove(fault);
    }

    /** Whether the harness asked this child to stop ({@link #STOP}). */
    public boolean stopRequested() {
        return stop.get();
    }

    @Override
    public void emit(String proc, OpType type, EventValue value, String error) {
        // i and tNs are assigned by the harness's writer; the placeholders only satisfy the codec.
        String line = HistoryCodec.encode(new HistoryEvent(1, 0, proc, type, value, error));
        try {
            writeLine(line);
        } catch (IOException e) {
            // Without the harness the history has a hole this child cannot fill: stop, as a crash would.
            System.err.println("lost the harness connection (" + e + "); halting");
            Runtime.getRuntime().halt(3);
        }
    }

    private synchronized void writeLine(String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private void readCommands() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.equals(ARM)) {
                    armed.set(true);
                } else if (line.equals(DISARM)) {
                    armed.set(false);
                    armedFaults.clear();
                } else if (line.startsWith(ARM + " ")) {
                    armedFaults.add(line.substring(ARM.length() + 1));
                } else if (line.startsWith(DISARM + " ")) {
                    armedFaults.remove(line.substring(DISARM.length() + 1));
                } else if (line.equals(STOP)) {
                    stop.set(true);
                }
            }
        } catch (IOException e) {
            System.err.println("harness command stream failed: " + e);
        }
        // The harness is gone (its end of the run, or its crash): a processor left running would outlive it.
        System.err.println("harness closed the event channel; halting");
        Runtime.getRuntime().halt(0);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
