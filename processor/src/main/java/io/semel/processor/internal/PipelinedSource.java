package io.semel.processor.internal;

import io.semel.processor.ForwardingSource;
import io.semel.processor.Source;
import io.semel.processor.SourceMessage;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every call to the real {@link Source} on one thread of its own, {@code semel-processor-source-<consumer>},
 * so the broker round trips overlap the store transaction: while the poll thread runs batch N's
 * handlers and commit, this thread acks batch N−1 and polls batch N+1. The source still sees one thread
 * at a time, in the order the processor asked: acks, nacks and fence notices are queued and run first
 * in first-out order, then the next poll.
 *
 * <p>Why it is safe: an ack is only queued after the commit that covers its messages (a lost or late
 * ack means a redelivery that dedup skips); a nack or fence notice reaches the source after every
 * earlier call, as it did on one thread; the batch polled ahead is processed like any batch (an ordered
 * source's records fetched before it seeked back are dropped by the pipeline, as before). At most one
 * batch is polled ahead. The source's other calls ({@code bind}, {@code ordered}, {@code sequenced},
 * {@code isLastDelivery}, {@code redeliveryHorizonMs}) are forwarded as they are, on the caller's thread
 * ({@link ForwardingSource}), so a call added to {@link Source} later is forwarded too.
 *
 * <p>Prefetch states, per poll of the processor:
 * <table>
 *   <caption>Prefetch states</caption>
 *   <tr><th>state</th><th>meaning</th><th>next</th></tr>
 *   <tr><td>{@link Fetch#WANTED}</td><td>the processor took the last batch; the source thread polls next</td>
 *       <td>POLLING</td></tr>
 *   <tr><td>{@link Fetch#POLLING}</td><td>the source thread is inside {@code poll}</td><td>READY</td></tr>
 *   <tr><td>{@link Fetch#READY}</td><td>a batch (or the poll's exception) waits for the processor</td>
 *       <td>WANTED (taken)</td></tr>
 * </table>
 *
 * <p>Thread-safe: one monitor guards the queue and the prefetch slot, never held while the source runs.
 */
public final class PipelinedSource extends ForwardingSource {
    private static final Logger LOG = LoggerFactory.getLogger(PipelinedSource.class);
    /**
     * A poll while the processor is busy does not wait (it takes what is deliverable now): this thread
     * is the one that sends the acks, so a poll that waited would hold up an ack queued meanwhile — and
     * at the broker's unacked limit per member (a batch as large as {@code maxUnackedPerMember}) nothing
     * can be delivered before that ack, so such a poll always waited out its whole timeout. It was 5 ms:
     * exactly-once on SQLite at batch 1000 ran at 85k msgs/s with it and 123k without (docs/benchmarks.md).
     */
    static final long BUSY_POLL_MS = 0;
    /** How long {@link #close()} waits for queued acks and the poll in progress, ms. */
    static final long CLOSE_WAIT_MS = 30_000;

    enum Fetch {
        WANTED, POLLING, READY
    }

    private final String consumer;
    private final Duration pollTimeout;
    private final ArrayDeque<Runnable> calls = new ArrayDeque<>();
    private Fetch fetch = Fetch.WANTED;
    private List<SourceMessage> ready;
    private RuntimeException failed;
    /** True while the processor waits in {@link #poll}: the source thread may then long-poll. */
    private boolean processorWaiting;
    /**
     * A poll made while the processor was busy came back empty (nothing new, or the broker's limit of
     * unacked deliveries per member is reached until this batch is acked): poll again only after a
     * queued call ran (an ack frees deliveries) or once the processor waits, not in a loop.
     */
    private boolean parked;
    private boolean closing;
    private Thread thread;

    public PipelinedSource(Source delegate, String consumer, Duration pollTimeout) {
        super(delegate);
        this.consumer = consumer;
        this.pollTimeout = pollTimeout;
    }

    /** Starts the source thread; called once, after {@link #bind}. */
    public synchronized void start() {
        thread = new Thread(this::run, "semel-processor-source-" + consumer);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public List<SourceMessage> poll(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            processorWaiting = true;
            notifyAll();
            try {
                while (fetch != Fetch.READY) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || closing) {
                        return List.of();
                    }
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            } finally {
                processorWaiting = false;
            }
            List<SourceMessage> out = ready;
            RuntimeException error = failed;
            ready = null;
            failed = null;
            fetch = Fetch.WANTED;
            notifyAll();
            if (error != null) {
                throw error;
            }
            return out;
        }
    }

    @Override
    public int ack(List<SourceMessage> messages) {
        List<SourceMessage> copy = List.copyOf(messages);
        submit(() -> {
            try {
                int settled = delegate.ack(copy);
                if (settled < copy.size()) {
                    LOG.info("consumer {}: {} of {} acks refused (lease moved); their redeliveries will be skipped",
                            consumer, copy.size() - settled, copy.size());
                }
            } catch (RuntimeException e) {
                LOG.warn("consumer {}: ack of {} committed messages failed ({}); their redeliveries will be skipped",
                        consumer, copy.size(), e.toString());
            }
        });
        return copy.size(); // queued: the outcome is logged by the source thread
    }

    @Override
    public void nack(SourceMessage message, String errorText) {
        submit(() -> {
            try {
                delegate.nack(message, errorText);
            } catch (RuntimeException e) {
                LOG.warn("consumer {}: nack of {} failed: {}", consumer, message, e.toString());
            }
        });
    }

    @Override
    public void onFenced(String topic, int partition) {
        submit(() -> delegate.onFenced(topic, partition));
    }

    @Override
    public boolean allowsPrefetch() {
        return true;
    }

    /** Runs the queued calls (acks first of all), stops the source thread, then closes the source. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closing = true;
            notifyAll();
            t = thread;
        }
        if (t != null) {
            try {
                t.join(CLOSE_WAIT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                LOG.warn("consumer {}: the source thread is still inside a source call after {} ms; closing the "
                        + "source under it", consumer, CLOSE_WAIT_MS);
            }
        }
        delegate.close();
    }

    private void submit(Runnable call) {
        synchronized (this) {
            calls.addLast(call);
            notifyAll();
        }
    }

    private void run() {
        while (true) {
            Runnable call;
            long timeoutMs;
            boolean waiting;
            synchronized (this) {
                while (calls.isEmpty() && !mayPoll()) {
                    if (closing) {
                        return; // every queued call ran
                    }
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                call = calls.pollFirst();
                if (call == null) {
                    fetch = Fetch.POLLING;
                } else {
                    parked = false;
                }
                waiting = processorWaiting;
                timeoutMs = waiting ? pollTimeout.toMillis() : Math.min(BUSY_POLL_MS, pollTimeout.toMillis());
            }
            if (call != null) {
                call.run();
                continue;
            }
            pollOnce(timeoutMs, waiting);
        }
    }

    private boolean mayPoll() {
        return fetch == Fetch.WANTED && !closing && (!parked || processorWaiting);
    }

    private void pollOnce(long timeoutMs, boolean processorWasWaiting) {
        List<SourceMessage> got = null;
        RuntimeException error = null;
        try {
            got = delegate.poll(Duration.ofMillis(timeoutMs));
        } catch (RuntimeException e) {
            error = e;
        }
        synchronized (this) {
            if (error == null && got.isEmpty()) {
                fetch = Fetch.WANTED; // nothing yet: run queued calls, then poll again
                parked = !processorWasWaiting;
                return;
            }
            // A failure is handed over like a batch: the source is not polled again until the processor
            // saw it (and backed off, or stopped).
            ready = got;
            failed = error;
            fetch = Fetch.READY;
            notifyAll();
        }
    }
}
