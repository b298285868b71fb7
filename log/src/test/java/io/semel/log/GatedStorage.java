package io.semel.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Storage} over another whose segment-log forces ({@code *.log}) can be held at a gate: a
 * test makes a force last as long as it likes (a slow disk) and watches what the other threads do
 * meanwhile. Everything else passes straight through. Thread-safe.
 */
final class GatedStorage implements Storage {
    private final Storage delegate;
    private volatile CountDownLatch gate;
    private final AtomicInteger held = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong bytesWritten = new java.util.concurrent.atomic.AtomicLong();

    GatedStorage(Storage delegate) {
        this.delegate = delegate;
    }

    /** From now on every segment-log force waits until {@link #release()}. */
    void hold() {
        gate = new CountDownLatch(1);
    }

    /** Lets the held forces (and later ones) through. */
    void release() {
        CountDownLatch g = gate;
        gate = null;
        if (g != null) {
            g.countDown();
        }
    }

    /** Waits until {@code n} forces in total have reached the gate. */
    void awaitForcesHeld(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (held.get() < n) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("only " + held.get() + " forces reached the gate, expected " + n);
            }
            Thread.sleep(1);
        }
    }

    /** Bytes written to segment logs through this storage. */
    long bytesWritten() {
        return bytesWritten.get();
    }

    @Override
    public StorageFile open(String name) throws IOException {
        StorageFile file = delegate.open(name);
        return name.endsWith(".log") ? new GatedFile(file) : file;
    }

    @Override
    public boolean exists(String name) throws IOException {
        return delegate.exists(name);
    }

    @Override
    public List<String> list() throws IOException {
        return delegate.list();
    }

    @Override
    public void delete(String name) throws IOException {
        delegate.delete(name);
    }

    @Override
    public void rename(String from, String to) throws IOException {
        delegate.rename(from, to);
    }

    @Override
    public void syncDirectory() throws IOException {
        delegate.syncDirectory();
    }

    private final class GatedFile implements StorageFile {
        private final StorageFile file;

        GatedFile(StorageFile file) {
            this.file = file;
        }

        @Override
        public long size() throws IOException {
            return file.size();
        }

        @Override
        public int read(long position, ByteBuffer dst) throws IOException {
            return file.read(position, dst);
        }

        @Override
        public void write(long position, ByteBuffer src) throws IOException {
            int n = src.remaining();
            file.write(position, src);
            bytesWritten.addAndGet(n);
        }

        @Override
        public void force() throws IOException {
            CountDownLatch g = gate;
            if (g != null) {
                held.incrementAndGet();
                try {
                    g.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted at the force gate", e);
                }
            }
            file.force();
        }

        @Override
        public void truncate(long size) throws IOException {
            file.truncate(size);
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }
}
