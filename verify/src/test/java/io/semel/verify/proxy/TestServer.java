package io.semel.verify.proxy;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real TCP server behind the proxy. Echo mode returns every byte; framed mode reads Semel-style frames
 * (int32 length, body), records each with the number of the connection it came on, and answers each with a
 * frame whose body is {@code responseBytes} long and starts with the request body.
 */
final class TestServer implements Closeable {
    record Received(int connection, byte[] body) {
    }

    private final ServerSocket server;
    private final boolean framed;
    private final int responseBytes;
    private final AtomicInteger connectionCount = new AtomicInteger();
    final List<Received> frames = new CopyOnWriteArrayList<>();
    final AtomicInteger echoedBytes = new AtomicInteger();
    final AtomicInteger closedConnections = new AtomicInteger();

    private TestServer(boolean framed, int responseBytes) throws IOException {
        this.framed = framed;
        this.responseBytes = responseBytes;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "test-server");
        t.setDaemon(true);
        t.start();
    }

    static TestServer echo() throws IOException {
        return new TestServer(false, 0);
    }

    static TestServer framed(int responseBytes) throws IOException {
        return new TestServer(true, responseBytes);
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    int connections() {
        return connectionCount.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                int n = connectionCount.incrementAndGet();
                Thread t = new Thread(() -> serve(s, n), "test-server-conn" + n);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s, int connection) {
        try (s) {
            if (framed) {
                serveFrames(s, connection);
            } else {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                byte[] buf = new byte[4096];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    echoedBytes.addAndGet(n);
                    out.write(buf, 0, n);
                    out.flush();
                }
            }
        } catch (IOException e) {
            // peer went away; counted below
        } finally {
            closedConnections.incrementAndGet();
        }
    }

    private void serveFrames(Socket s, int connection) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        while (true) {
            int len;
            try {
                len = in.readInt();
            } catch (EOFException e) {
                return;
            }
            byte[] body = new byte[len];
            in.readFully(body);
            frames.add(new Received(connection, body));
            byte[] reply = new byte[Math.max(responseBytes, body.length)];
            System.arraycopy(body, 0, reply, 0, body.length);
            out.writeInt(reply.length);
            out.write(reply);
            out.flush();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
