package io.semel.verify.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One proxied client connection: the client socket, the broker socket and two pump threads, "up"
 * (client→broker) and "down" (broker→client). Each pump reads one unit ({@link ChunkReader}), waits out the
 * current activation (stall, delay), then forwards it or applies a one-shot policy. Neither pump holds a lock
 * across socket I/O. The activation is a volatile field replaced by the proxy; pumps read it once per unit.
 */
final class ProxyConnection {
    /** After the client was dropped, how long to keep reading (and discarding) the broker's replies. */
    static final int DRAIN_AFTER_DROP_MS = 5_000;

    final long id;
    private final Socket client;
    private final Socket broker;
    private final FaultProxy owner;
    private final ChunkReader upReader;
    private final ChunkReader downReader;
    private final boolean framed;
    /**
     * The connection's first frame (Semel's HELLO) in framed mode, kept so a replay can open its own
     * connection the way the client did; null before it arrived and in raw mode. Written by the up pump only.
     */
    private byte[] handshake;
    private volatile Activation activation;
    /** Set before the request that drops the client is forwarded, so no reply can slip through. */
    private volatile boolean clientGone;
    private final AtomicBoolean closed = new AtomicBoolean();

    ProxyConnection(long id, Socket client, Socket broker, FaultProxy owner, ProxyOptions options, Activation a) {
        this.id = id;
        this.client = client;
        this.broker = broker;
        this.owner = owner;
        this.upReader = new ChunkReader(options.framed(), options.maxFrameBytes());
        this.downReader = new ChunkReader(options.framed(), options.maxFrameBytes());
        this.framed = options.framed();
        this.activation = a;
    }

    Activation activation() {
        return activation;
    }

    void setActivation(Activation a) {
        activation = a;
    }

    void start(String proxyName) {
        startDaemon(proxyName + "-conn" + id + "-up", this::pumpUp);
        startDaemon(proxyName + "-conn" + id + "-down", this::pumpDown);
    }

    private void pumpUp() {
        try {
            InputStream in = client.getInputStream();
            OutputStream out = broker.getOutputStream();
            while (true) {
                byte[] chunk = upReader.next(in);
                if (chunk == null) {
                    // The client finished sending; let the broker see the same half-close.
                    broker.shutdownOutput();
                    return;
                }
                // The handshake is forwarded as is and never replayed itself: a replayed HELLO changes nothing.
                boolean isHandshake = framed && handshake == null;
                if (isHandshake) {
                    handshake = chunk;
                }
                Activation a = activation;
                owner.await(this, a);
                if (a.policy == FaultPolicy.DROP_REQUESTS) {
                    reportFirst(a, "discarding requests, connection kept open");
                    continue;
                }
                boolean drop = a.policy == FaultPolicy.DROP_AFTER_REQUEST && a.fire();
                if (drop) {
                    clientGone = true;
                }
                out.write(chunk);
                out.flush();
                if (drop) {
                    dropClient(chunk.length);
                    return;
                }
                if (a.policy == FaultPolicy.REPLAY_STALE && !isHandshake && a.fire()) {
                    owner.scheduleReplay(this, handshake, chunk, a.params.replayDelay());
                }
            }
        } catch (IOException | InterruptedException e) {
            close();
        }
    }

    private void dropClient(int requestBytes) throws IOException {
        // Reported before the close, so the harness records the fault before the client can observe it.
        owner.report(ProxyEvent.Kind.APPLIED, FaultPolicy.DROP_AFTER_REQUEST, id,
                "forwarded " + requestBytes + "-byte request, closed client before any reply");
        closeQuietly(client);
        broker.setSoTimeout(DRAIN_AFTER_DROP_MS);
        broker.shutdownOutput();
    }

    private void pumpDown() {
        try {
            InputStream in = broker.getInputStream();
            OutputStream out = client.getOutputStream();
            while (true) {
                byte[] chunk = downReader.next(in);
                if (chunk == null) {
                    break;
                }
                Activation a = activation;
                owner.await(this, a);
                if (clientGone) {
                    continue; // the reply is lost on purpose: read and discard
                }
                if (a.policy == FaultPolicy.DROP_REPLIES) {
                    reportFirst(a, "discarding replies, connection kept open");
                    continue;
                }
                if (a.policy == FaultPolicy.CUT_DURING_RESPONSE && a.fire()) {
                    int n = ChunkReader.cutLength(chunk, a.params.cutAfterBytes());
                    owner.report(ProxyEvent.Kind.APPLIED, a.policy, id,
                            "forwarded " + n + " of " + chunk.length + " response bytes, closed both sides");
                    out.write(chunk, 0, n);
                    out.flush();
                    break;
                }
                out.write(chunk);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // fall through: either side failed or timed out draining; the connection is over
        }
        close();
    }

    /** Reports a one-way partition once per connection and activation, when it first discards a frame. */
    private void reportFirst(Activation a, String detail) {
        if (a.fire()) {
            owner.report(ProxyEvent.Kind.APPLIED, a.policy, id, detail);
        }
    }

    /** Closes both sides with SO_LINGER 0, so both peers see a TCP RST. */
    void reset() {
        for (Socket s : new Socket[] {client, broker}) {
            try {
                s.setSoLinger(true, 0);
            } catch (IOException e) {
                // already closed: nothing to reset
            }
        }
        close();
    }

    void close() {
        if (closed.compareAndSet(false, true)) {
            closeQuietly(client);
            closeQuietly(broker);
            owner.forget(this);
        }
    }

    boolean isClosed() {
        return closed.get();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing is best effort; the socket is unusable either way
        }
    }

    private static void startDaemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }
}
