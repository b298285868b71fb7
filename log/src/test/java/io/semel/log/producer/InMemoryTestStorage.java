package io.semel.log.producer;

import io.semel.log.Storage;
import io.semel.log.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal in-memory {@link Storage} for these tests, to be replaced by the shared
 * {@code SimulatedStorage}. It models just the two durability rules of {@link Storage}, so
 * {@link #afterCrash()} shows what a power cut would leave: file content up to its last
 * {@code force()}, and the set of names as of the last {@code syncDirectory()}. Thread-safe.
 */
final class InMemoryTestStorage implements Storage {
    /** One file's bytes; renames move the node, so forced content travels with it. */
    private static final class Node {
        byte[] current = new byte[0];
        byte[] forced = new byte[0];
    }

    private final Map<String, Node> live = new HashMap<>();
    private Map<String, Node> durable = new HashMap<>();

    /** A new storage holding only what was durable here. */
    synchronized InMemoryTestStorage afterCrash() {
        InMemoryTestStorage next = new InMemoryTestStorage();
        durable.forEach((name, node) -> {
            Node copy = new Node();
            copy.current = node.forced.clone();
            copy.forced = node.forced.clone();
            next.live.put(name, copy);
        });
        next.durable = new HashMap<>(next.live);
        return next;
    }

    /** Test access to a file's current bytes. */
    synchronized byte[] bytes(String name) {
        return live.get(name).current.clone();
    }

    /** Replaces a file's bytes, as forced and synced content: for planting corrupt files. */
    synchronized void put(String name, byte[] bytes) {
        Node node = new Node();
        node.current = bytes.clone();
        node.forced = bytes.clone();
        live.put(name, node);
        durable.put(name, node);
    }

    @Override
    public synchronized StorageFile open(String name) {
        Node node = live.computeIfAbsent(name, n -> new Node());
        return new StorageFile() {
            @Override
            public long size() {
                synchronized (InMemoryTestStorage.this) {
                    return node.current.length;
                }
            }

            @Override
            public int read(long position, ByteBuffer dst) {
                synchronized (InMemoryTestStorage.this) {
                    if (position >= node.current.length) {
                        return -1;
                    }
                    int n = (int) Math.min(dst.remaining(), node.current.length - position);
                    dst.put(node.current, (int) position, n);
                    return n;
                }
            }

            @Override
            public void write(long position, ByteBuffer src) {
                synchronized (InMemoryTestStorage.this) {
                    int end = Math.toIntExact(position + src.remaining());
                    if (end > node.current.length) {
                        node.current = Arrays.copyOf(node.current, end);
                    }
                    src.get(node.current, (int) position, src.remaining());
                }
            }

            @Override
            public void force() {
                synchronized (InMemoryTestStorage.this) {
                    node.forced = node.current.clone();
                }
            }

            @Override
            public void truncate(long size) {
                synchronized (InMemoryTestStorage.this) {
                    if (size < node.current.length) {
                        node.current = Arrays.copyOf(node.current, (int) size);
                    }
                }
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public synchronized boolean exists(String name) {
        return live.containsKey(name);
    }

    @Override
    public synchronized List<String> list() {
        List<String> names = new ArrayList<>(live.keySet());
        names.sort(null);
        return names;
    }

    @Override
    public synchronized void delete(String name) {
        live.remove(name);
    }

    @Override
    public synchronized void rename(String from, String to) throws IOException {
        Node node = live.remove(from);
        if (node == null) {
            throw new IOException("no such file: " + from);
        }
        live.put(to, node);
    }

    @Override
    public synchronized void syncDirectory() {
        durable = new HashMap<>(live);
    }
}
