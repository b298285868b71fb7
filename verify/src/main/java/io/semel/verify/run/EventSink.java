package io.semel.verify.run;

import io.semel.verify.history.HistoryEvent;
import io.semel.verify.history.internal.HistoryCodec;
import io.semel.verify.run.child.ChildChannel;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The harness end of the children's event channels ({@link ChildChannel}): every complete line a child
 * sends is decoded and handed to one {@link Target}, which appends it through the run's single
 * {@code HistoryWriter}. So there is one clock and one order for the whole history: an event's place is
 * the moment the harness received it, which is after the child wrote it and before anything the harness
 * does once it has seen it (e.g. after a kill the harness waits for {@link Link#awaitClosed} before it
 * records the kill, so all of the dead child's lines come first).
 *
 * <p>A torn last line (the stream ended mid-line) and lines that do not decode are dropped and counted. A torn
 * line is <em>explained</em> only if the harness announced ({@link #killing}) that it SIGKILLs the generation
 * whose stream it ends; every other torn line, and every rejected line, is unexplained and makes the run not
 * valid ({@code RunHealth}).
 *
 * <p>Threads: one accept thread, one reader thread per child connection. Thread-safe.
 */
public final class EventSink implements Closeable {
    /** Where decoded child events go; called from reader threads, must be thread-safe. */
    @FunctionalInterface
    public interface Target {
        void accept(String child, HistoryEvent event);
    }

    /** One child generation's connection. */
    public static final class Link {
        private final String child;
        private final int generation;
        private final Socket socket;
        private final CountDownLatch closed = new CountDownLatch(1);

        Link(String child, int generation, Socket socket) {
            this.child = child;
            this.generation = generation;
            this.socket = socket;
        }

        public String child() {
            return child;
        }

        public int generation() {
            return generation;
        }

        /** Sends a command line ({@link ChildChannel#ARM}, {@link ChildChannel#DISARM}); false if it is gone. */
        public boolean send(String command) {
            try {
                OutputStream out = socket.getOutputStream();
                synchronized (this) {
                    out.write((command + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        /** Waits until the child's stream ended and every line of it was handed on. */
        public boolean awaitClosed(Duration timeout) throws InterruptedException {
            return closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private final ServerSocket server;
    private final Target target;
    private final Map<String, Link> latest = new ConcurrentHashMap<>();
    /** One torn stream tail: the child and generation (null, 0 before HELLO) and the bytes dropped. */
    private record TornTail(String child, int generation, int bytes) {
    }

    private final List<TornTail> torn = new CopyOnWriteArrayList<>();
    private final Set<String> killed = ConcurrentHashMap.newKeySet();
    private final AtomicLong rejectedLines = new AtomicLong();
    private volatile boolean closing;

    private EventSink(ServerSocket server, Target target) {
        this.server = server;
        this.target = target;
    }

    public static EventSink start(Target target) throws IOException {
        ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        EventSink sink = new EventSink(s, target);
        Thread t = new Thread(sink::acceptLoop, "event-sink-accept");
        t.setDaemon(true);
        t.start();
        return sink;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    /** The connection of the child's newest generation that said hello, if any. */
    public Link link(String child) {
        return latest.get(child);
    }

    /**
     * Announces that the harness is about to SIGKILL {@code child}'s {@code generation}: a torn tail of that
     * generation's stream is then explained (the kill can land in the middle of a write). Call before the kill.
     */
    public void killing(String child, int generation) {
        killed.add(child + "#" + generation);
    }

    /** Lines dropped because their stream ended before their newline. */
    public long tornLines() {
        return torn.size();
    }

    /** Torn lines of a stream whose generation the harness did not announce it killed ({@link #killing}). */
    public long tornUnexplained() {
        return torn.stream().filter(t -> t.child == null || !killed.contains(t.child + "#" + t.generation)).count();
    }

    /** Lines dropped because they did not decode or broke a history rule (a bug; reported at the end). */
    public long rejectedLines() {
        return rejectedLines.get();
    }

    private void acceptLoop() {
        while (!closing) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                Thread t = new Thread(() -> read(s), "event-sink-read");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closing) {
                    System.err.println("event sink: accept failed: " + e);
                }
                return;
            }
        }
    }

    private void read(Socket s) {
        LineSplitter splitter = new LineSplitter();
        Link link = null;
        byte[] buf = new byte[8192];
        try (s; InputStream in = s.getInputStream()) {
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                for (String line : splitter.feed(buf, 0, n)) {
                    if (link == null) {
                        link = hello(line, s);
                    } else {
                        deliver(link, line);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!closing) {
                System.err.println("event sink: " + (link == null ? "unnamed child" : link.child) + ": " + e);
            }
        } finally {
            if (splitter.tornBytes() > 0) {
                torn.add(link == null ? new TornTail(null, 0, splitter.tornBytes())
                        : new TornTail(link.child, link.generation, splitter.tornBytes()));
            }
            if (link != null) {
                link.closed.countDown();
            }
        }
    }

    private Link hello(String line, Socket s) throws IOException {
        List<String> parts = List.of(line.split(" "));
        if (parts.size() != 3 || !parts.get(0).equals(ChildChannel.HELLO)) {
            throw new IOException("expected 'HELLO <name> <generation>', got '" + line + "'");
        }
        Link link = new Link(parts.get(1), Integer.parseInt(parts.get(2)), s);
        latest.merge(link.child, link, (old, now) -> now.generation >= old.generation ? now : old);
        return link;
    }

    private void deliver(Link link, String line) {
        try {
            target.accept(link.child, HistoryCodec.decode(line));
        } catch (RuntimeException e) {
            rejectedLines.incrementAndGet();
            System.err.println("event sink: dropped a line of " + link.child + " g" + link.generation + ": " + e.getMessage()
                    + ": " + line);
        }
    }

    @Override
    public void close() throws IOException {
        closing = true;
        server.close();
        for (Link l : latest.values()) {
            try {
                l.socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
