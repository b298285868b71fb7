package io.semel.cli;

import java.io.IOException;
import java.util.function.Function;

/**
 * One latency pass of {@code semel bench latency}: records are sent strictly one at a time, each only after the
 * previous one was confirmed and (when a receiver runs) delivered and settled, so every figure is an idle-load
 * latency, not queueing. The sender times send → confirm; a receiver thread stamps send → delivered when its
 * poll or read returns the record and then marks it settled (after its ack or commit, if any). The first
 * {@code warmup} records are recorded like the rest but left out of every figure. Thread-safe: the sender and one
 * receiver share it through its monitor.
 */
final class OneAtATime {
    /** How long the sender waits for a record's delivery before the pass fails. */
    static final long DELIVERY_TIMEOUT_MS = 30_000;

    /** Sends record {@code index} and returns once it is confirmed. */
    @FunctionalInterface
    interface Sender {
        void sendAndConfirm(int index, byte[] value) throws Exception;
    }

    /** A receiver's step after delivering a record: its ack or commit, timed as the settle latency. */
    @FunctionalInterface
    interface Settle<T> {
        void settle(T record) throws Exception;
    }

    private final int warmup;
    private final int count;
    private final long[] sentNanos;
    private final long[] deliveredNanos;
    private final boolean[] settled;
    final LatencySample confirm;
    final LatencySample delivered;
    /** A receiver's own step after delivery (ack, commit), when it has one. */
    final LatencySample settle;
    /** This JVM's JIT and GC work while the measured records ran; null until a pass ran. */
    private volatile JvmWork measuredWork;

    OneAtATime(int warmup, int count) {
        this.warmup = warmup;
        this.count = count;
        this.sentNanos = new long[warmup + count];
        this.deliveredNanos = new long[warmup + count];
        this.settled = new boolean[warmup + count];
        // Every record is recorded, the warm-up's too, and left out of the figures: the same code runs before and
        // after the first measured record (see run).
        this.confirm = new LatencySample(warmup + count, warmup);
        this.delivered = new LatencySample(warmup + count, warmup);
        this.settle = new LatencySample(warmup + count, warmup);
    }

    /**
     * Runs the pass: with {@code awaitDelivery}, each next send waits until a receiver settled the previous one. The
     * warm-up and the measured records go through the same {@link #one} and are recorded alike (the warm-up's are
     * left out of the figures), so the JIT compiles in the warm-up the code it then measures: a branch first taken
     * at the first measured record would throw that compiled code away there.
     */
    void run(Sender sender, int size, boolean awaitDelivery) throws Exception {
        for (int i = 0; i < warmup; i++) {
            one(sender, i, size, awaitDelivery);
        }
        JvmWork atFirstMeasured = JvmWork.now();
        for (int i = warmup; i < warmup + count; i++) {
            one(sender, i, size, awaitDelivery);
        }
        measuredWork = JvmWork.now().since(atFirstMeasured);
    }

    private void one(Sender sender, int i, int size, boolean awaitDelivery) throws Exception {
        byte[] v = BenchE2eCommand.value(i, size);
        long t0 = System.nanoTime();
        synchronized (this) {
            sentNanos[i] = t0;
        }
        sender.sendAndConfirm(i, v);
        confirm.record(i, System.nanoTime() - t0);
        if (awaitDelivery) {
            awaitSettled(i);
        }
    }

    /** This JVM's JIT compilation and collections while the measured records ran (after {@link #run}). */
    JvmWork measuredWork() {
        if (measuredWork == null) {
            throw new IllegalStateException("the pass has not run");
        }
        return measuredWork;
    }

    /**
     * Runs the pass with {@code loop} receiving on its own thread, so each next send waits until the loop settled the
     * previous record; the loop is stopped when the pass ends or fails.
     */
    void run(Sender sender, int size, String receiverName, Receiver.Loop loop) throws Exception {
        Receiver r = Receiver.start(receiverName, loop);
        try {
            run(sender, size, true);
        } finally {
            r.stop();
        }
    }

    /**
     * One poll's or read's records as a receiver handles them: all delivered when the poll returned, then each
     * settled after {@code step} on it, timed; with {@code step} null (nothing to ack) each is settled at delivery.
     */
    <T> void received(Iterable<T> records, Function<T, byte[]> value, Settle<T> step) throws Exception {
        long now = System.nanoTime();
        for (T r : records) {
            delivered(value.apply(r), now);
        }
        for (T r : records) {
            if (step == null) {
                settled(value.apply(r), -1);
                continue;
            }
            long t0 = System.nanoTime();
            step.settle(r);
            settled(value.apply(r), System.nanoTime() - t0);
        }
    }

    /** A receiver got record {@code index} (parsed from its value) at {@code nowNanos}; duplicates are ignored. */
    synchronized void delivered(byte[] value, long nowNanos) {
        int i = BenchE2eCommand.indexOf(value);
        if (i < 0 || i >= deliveredNanos.length || deliveredNanos[i] != 0) {
            return;
        }
        deliveredNanos[i] = nowNanos;
        delivered.record(i, nowNanos - sentNanos[i]);
    }

    /** The receiver is done with record {@code index}: acked or committed {@code settleNanos} after delivery. */
    synchronized void settled(byte[] value, long settleNanos) {
        int i = BenchE2eCommand.indexOf(value);
        if (i < 0 || i >= settled.length || settled[i]) {
            return;
        }
        settled[i] = true;
        if (settleNanos >= 0) {
            settle.record(i, settleNanos);
        }
        notifyAll();
    }

    private synchronized void awaitSettled(int i) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + DELIVERY_TIMEOUT_MS * 1_000_000L;
        while (!settled[i]) {
            long leftMs = (deadline - System.nanoTime()) / 1_000_000L;
            if (leftMs <= 0) {
                throw new IOException("record " + i + " was confirmed but not delivered within " + DELIVERY_TIMEOUT_MS
                        + " ms");
            }
            wait(leftMs);
        }
    }
}
