package io.semel.client.it;

import io.semel.protocol.ApiKey;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy on loopback between a client and the broker that understands Semel frames (4-byte
 * length, then apiKey, apiVersion, requestId; see FrameCodec) and injects one named fault on
 * request. Thread-safe. Threads: one acceptor, and per proxied connection one pump per direction;
 * all daemons, all stopped by {@link #close()}.
 *
 * <p>Faults are one-shot: {@link #arm} sets one, the first matching request triggers it, then the
 * proxy forwards normally again (so the client's reconnect and retry go through).
 */
final class FaultProxy implements AutoCloseable {
    /** What to do to the next request of the armed API. */
    enum Fault {
        /**
         * Forward the request to the broker, swallow the broker's answer to it, then cut both
         * sockets: the request took effect but the client never learns so (a lost reply).
         */
        DISCONNECT_BEFORE_RESPONSE,
        /** Cut both sockets instead of forwarding the request: it never reaches the broker. */
        DISCONNECT_BEFORE_REQUEST
    }

    private record Armed(Fault fault, ApiKey apiKey) {
    }

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final AtomicReference<Armed> armed = new AtomicReference<>();
    private final AtomicInteger faultsInjected = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    FaultProxy(int brokerPort) throws IOException {
        this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), brokerPort);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "fault-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String bootstrap() {
        return server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
    }

    /** Injects {@code fault} on the next request of {@code apiKey} (on any connection). */
    void arm(Fault fault, ApiKey apiKey) {
        armed.set(new Armed(fault, apiKey));
    }

    /** How many faults were injected so far. */
    int faultsInjected() {
        return faultsInjected.get();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket broker = new Socket();
                broker.connect(target, 5_000);
                client.setTcpNoDelay(true);
                broker.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(broker);
                Link link = new Link(client, broker);
                start("fault-proxy-up", link::pumpRequests);
                start("fault-proxy-down", link::pumpResponses);
            } catch (IOException e) {
                if (!closed) {
                    sleep(10); // the broker refused; the client's connect will see the proxy close it
                }
            }
        }
    }

    /** One proxied connection. */
    private final class Link {
        private final Socket client;
        private final Socket broker;
        /** Request id whose answer must be swallowed, or -1. */
        private volatile int swallowRequestId = -1;

        Link(Socket client, Socket broker) {
            this.client = client;
            this.broker = broker;
        }

        void pumpRequests() {
            try (DataInputStream in = new DataInputStream(client.getInputStream())) {
                DataOutputStream out = new DataOutputStream(broker.getOutputStream());
                while (true) {
                    byte[] frame = readFrame(in);
                    ByteBuffer header = ByteBuffer.wrap(frame);
                    int apiKeyId = header.getShort(4);
                    int requestId = header.getInt(8);
                    Armed a = armed.get();
                    if (a != null && a.apiKey().id() == apiKeyId && armed.compareAndSet(a, null)) {
                        faultsInjected.incrementAndGet();
                        if (a.fault() == Fault.DISCONNECT_BEFORE_REQUEST) {
                            cut();
                            return;
                        }
                        swallowRequestId = requestId;
                    }
                    out.write(frame);
                    out.flush();
                }
            } catch (IOException e) {
                cut();
            }
        }

        void pumpResponses() {
            try (DataInputStream in = new DataInputStream(broker.getInputStream())) {
                DataOutputStream out = new DataOutputStream(client.getOutputStream());
                while (true) {
                    byte[] frame = readFrame(in);
                    int requestId = ByteBuffer.wrap(frame).getInt(8);
                    if (requestId == swallowRequestId) {
                        cut(); // the broker acted on the request; its answer is lost
                        return;
                    }
                    out.write(frame);
                    out.flush();
                }
            } catch (IOException e) {
                cut();
            }
        }

        void cut() {
            closeQuietly(client);
            closeQuietly(broker);
        }
    }

    /** One whole frame including its length field. */
    private static byte[] readFrame(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 8 || length > 64 * 1024 * 1024) {
            throw new IOException("bad frame length " + length);
        }
        byte[] frame = new byte[4 + length];
        ByteBuffer.wrap(frame).putInt(length);
        in.readFully(frame, 4, length);
        return frame;
    }

    private static void start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // already closed
        }
        sockets.forEach(FaultProxy::closeQuietly);
    }
}
