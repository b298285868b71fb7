package io.semel.verify.proxy;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on loopback between clients and one target (the broker) that injects named network faults
 * ({@link FaultPolicy}). One listening port per proxy; clients connect to {@link #port()} instead of the
 * broker.
 *
 * <h2>Threads</h2>
 * One acceptor thread; two pump threads per open connection (at most {@link ProxyOptions#maxConnections()}
 * connections, so at most {@code 2 × maxConnections + 2} threads); one timer thread that sends stale replays.
 * Buffers: one {@value ChunkReader#CHUNK_BYTES}-byte buffer per direction in raw mode, one frame (at most
 * {@link ProxyOptions#maxFrameBytes()}) per direction in framed mode.
 *
 * <h2>Locks</h2>
 * {@code policyLock} orders policy switches against accepts, so a new connection gets either the old or the
 * new policy and is never missed; it is never held across socket I/O (resets run after it is released).
 * {@code gate} is the monitor stalled pumps wait on; a policy switch notifies it. The two are never nested.
 *
 * <h2>Events</h2>
 * Every switch (activated / healed) and every time a one-shot policy takes effect on a connection
 * (applied) is reported to the {@link ProxyListener}, so the harness can record it in the history. A
 * drop, cut or reset is reported just before the sockets are closed, so the record precedes anything
 * the client can observe; a replay is reported once the target answered the copy (or did not in time).
 *
 * <p>Thread-safe.
 */
public final class FaultProxy implements Closeable {
    /** Replays waiting to be sent above which new ones are skipped (and reported as such). */
    public static final int MAX_PENDING_REPLAYS = 64;
    /** How long a replay connection waits for the broker's (discarded) response before closing. */
    public static final int REPLAY_READ_TIMEOUT_MS = 2_000;
    private static final long STALL_POLL_MS_MAX = 1_000;

    private final String name;
    private final InetSocketAddress target;
    private final ProxyOptions options;
    private final ProxyListener listener;
    private final Random random;
    private final ServerSocket server;
    private final ScheduledExecutorService timer;
    private final Map<Long, ProxyConnection> connections = new ConcurrentHashMap<>();
    private final AtomicLong nextConnectionId = new AtomicLong(1);
    private final AtomicInteger pendingReplays = new AtomicInteger();
    private final Object policyLock = new Object();
    private final Object gate = new Object();
    private Activation global = Activation.NONE; // guarded by policyLock
    private volatile boolean closed;

    private FaultProxy(String name, InetSocketAddress target, ProxyOptions options, long seed, ProxyListener listener)
            throws IOException {
        this.name = name;
        this.target = target;
        this.options = options;
        this.listener = listener;
        this.random = new Random(seed);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, name + "-timer"));
    }

    /**
     * Opens a listening port on loopback that forwards to {@code target}.
     *
     * @param name the proxy's name, used as the nemesis target in histories and in thread names
     * @param seed seeds the DELAY jitter
     */
    public static FaultProxy start(String name, InetSocketAddress target, ProxyOptions options, long seed,
            ProxyListener listener) throws IOException {
        Objects.requireNonNull(target, "target");
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("proxy name must be non-empty");
        }
        FaultProxy p = new FaultProxy(name, target, Objects.requireNonNull(options, "options"), seed,
                Objects.requireNonNull(listener, "listener"));
        daemon(p::acceptLoop, name + "-accept").start();
        return p;
    }

    public String name() {
        return name;
    }

    /** The loopback port clients connect to. */
    public int port() {
        return server.getLocalPort();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port());
    }

    /** The policy currently applied to new connections. */
    public FaultPolicy policy() {
        synchronized (policyLock) {
            return global.policy;
        }
    }

    /** Ids of the open connections, oldest first. */
    public List<Long> connectionIds() {
        return connections.keySet().stream().sorted().toList();
    }

    /** Switches every connection, existing and new, to {@code policy}. */
    public void setPolicy(FaultPolicy policy, FaultParams params) {
        switchTo(policy, params, ProxyEvent.ALL_CONNECTIONS);
    }

    /** Switches one open connection to {@code policy}; other and new connections keep theirs. */
    public void setPolicy(long connectionId, FaultPolicy policy, FaultParams params) {
        if (!connections.containsKey(connectionId)) {
            throw new IllegalArgumentException("proxy " + name + " has no open connection " + connectionId
                    + "; open: " + connectionIds());
        }
        switchTo(policy, params, connectionId);
    }

    /** Back to {@link FaultPolicy#NONE} for every connection; stalled traffic flows again. */
    public void heal() {
        switchTo(FaultPolicy.NONE, FaultParams.DEFAULTS, ProxyEvent.ALL_CONNECTIONS);
    }

    private void switchTo(FaultPolicy policy, FaultParams params, long scope) {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(params, "params");
        Activation template = new Activation(policy, params, System.nanoTime());
        List<ProxyConnection> affected = new ArrayList<>();
        synchronized (policyLock) {
            if (scope == ProxyEvent.ALL_CONNECTIONS) {
                global = template;
                affected.addAll(connections.values());
            } else {
                ProxyConnection c = connections.get(scope);
                if (c != null) {
                    affected.add(c);
                }
            }
            for (ProxyConnection c : affected) {
                c.setActivation(template.forConnection());
            }
        }
        synchronized (gate) {
            gate.notifyAll();
        }
        boolean heal = policy == FaultPolicy.NONE;
        report(heal ? ProxyEvent.Kind.HEALED : ProxyEvent.Kind.ACTIVATED, policy, scope,
                (heal ? "healed " : "activated on ") + affected.size() + " open connection(s)");
        if (policy == FaultPolicy.RESET) {
            affected.forEach(this::resetAndReport);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            accept(client);
        }
    }

    private void accept(Socket client) {
        if (connections.size() >= options.maxConnections()) {
            // Over the limit: refuse like a full server would, so a runaway client cannot exhaust threads.
            closeQuietly(client);
            return;
        }
        Socket broker = new Socket();
        try {
            client.setTcpNoDelay(true);
            broker.setTcpNoDelay(true);
            broker.connect(target, options.connectTimeoutMs());
        } catch (IOException e) {
            closeQuietly(client);
            closeQuietly(broker);
            return;
        }
        long id = nextConnectionId.getAndIncrement();
        ProxyConnection c;
        synchronized (policyLock) {
            c = new ProxyConnection(id, client, broker, this, options, global.forConnection());
            connections.put(id, c);
        }
        if (c.activation().policy == FaultPolicy.RESET) {
            resetAndReport(c);
            return;
        }
        c.start(name);
    }

    private void resetAndReport(ProxyConnection c) {
        if (c.activation().fire()) {
            report(ProxyEvent.Kind.APPLIED, FaultPolicy.RESET, c.id, "reset both sides (SO_LINGER 0)");
            c.reset();
        }
    }

    /** Holds a pump while its activation stalls or delays traffic. */
    void await(ProxyConnection c, Activation a) throws InterruptedException {
        if (a.policy == FaultPolicy.STALL) {
            synchronized (gate) {
                while (!closed && !c.isClosed() && c.activation() == a) {
                    long remainingNs = a.stallUntilNs() - System.nanoTime();
                    if (remainingNs <= 0) {
                        return;
                    }
                    gate.wait(Math.max(1, Math.min(STALL_POLL_MS_MAX, TimeUnit.NANOSECONDS.toMillis(remainingNs))));
                }
            }
        } else if (a.policy == FaultPolicy.DELAY) {
            long jitterMs = a.params.jitter().toMillis();
            long ms = a.params.latency().toMillis() + (jitterMs > 0 ? random.nextLong(jitterMs + 1) : 0);
            Thread.sleep(ms);
        }
    }

    /**
     * Sends a copy of {@code request} again later, on a new connection to the target that first repeats the
     * original connection's {@code handshake} (Semel's HELLO; the broker closes a connection whose first frame
     * is anything else), as the client would. Null handshake (raw mode): the request alone.
     */
    void scheduleReplay(ProxyConnection from, byte[] handshake, byte[] request, Duration delay) {
        if (pendingReplays.incrementAndGet() > MAX_PENDING_REPLAYS) {
            pendingReplays.decrementAndGet();
            report(ProxyEvent.Kind.APPLIED, FaultPolicy.REPLAY_STALE, from.id,
                    "skipped: " + MAX_PENDING_REPLAYS + " replays already pending");
            return;
        }
        byte[] hello = handshake == null ? null : handshake.clone();
        byte[] copy = request.clone();
        timer.schedule(() -> replay(from.id, hello, copy), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void replay(long fromId, byte[] handshake, byte[] request) {
        pendingReplays.decrementAndGet();
        try (Socket s = new Socket()) {
            s.connect(target, options.connectTimeoutMs());
            s.setSoTimeout(REPLAY_READ_TIMEOUT_MS);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            String handshakeNote = "";
            if (handshake != null) {
                out.write(handshake);
                out.flush();
                // The handshake's answer must arrive before the request, or the broker has closed the connection.
                byte[] answer = new ChunkReader(options.framed(), options.maxFrameBytes()).next(in);
                if (answer == null) {
                    throw new IOException("the target closed the replay connection after the " + handshake.length
                            + "-byte handshake");
                }
                handshakeNote = " after a " + handshake.length + "-byte handshake (answered)";
            }
            out.write(request);
            out.flush();
            // Reported once the target answered (or did not in time), so the record says whether it took the copy.
            int answered = discardOneResponse(in);
            report(ProxyEvent.Kind.APPLIED, FaultPolicy.REPLAY_STALE, fromId,
                    "replayed " + request.length + "-byte request on a new connection" + handshakeNote + "; "
                            + (answered >= 0 ? "the target answered " + answered + " bytes (discarded)"
                            : "no answer within " + REPLAY_READ_TIMEOUT_MS + " ms"));
        } catch (IOException e) {
            report(ProxyEvent.Kind.APPLIED, FaultPolicy.REPLAY_STALE, fromId, "replay failed: " + e);
        }
    }

    /** Reads and drops one response; returns its length, or -1 when none came (timeout or close). */
    private int discardOneResponse(InputStream in) {
        try {
            byte[] answer = new ChunkReader(options.framed(), options.maxFrameBytes()).next(in);
            return answer == null ? -1 : answer.length;
        } catch (IOException e) {
            return -1; // timeout or close: nothing to discard
        }
    }

    void report(ProxyEvent.Kind kind, FaultPolicy policy, long connectionId, String detail) {
        listener.onEvent(new ProxyEvent(name, kind, policy, connectionId, detail));
    }

    void forget(ProxyConnection c) {
        connections.remove(c.id);
    }

    /** Stops accepting and closes every connection; pending replays are dropped. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        timer.shutdownNow();
        List.copyOf(connections.values()).forEach(ProxyConnection::close);
        synchronized (gate) {
            gate.notifyAll();
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // best effort
        }
    }

    private static Thread daemon(Runnable r, String threadName) {
        Thread t = new Thread(r, threadName);
        t.setDaemon(true);
        return t;
    }
}
