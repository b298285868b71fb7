package io.semel.processor;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.semel.client.ClientClosedException;
import io.semel.processor.internal.InboxCleaner;
import io.semel.processor.internal.InboxWorkers;
import io.semel.processor.internal.Pipeline;
import io.semel.processor.internal.PipelinedSource;
import io.semel.processor.internal.ProcessorContext;
import io.semel.processor.internal.ProcessorMetrics;
import io.semel.processor.internal.Settings;
import io.semel.processor.internal.StoreThenProcessPipeline;
import io.semel.processor.internal.TransactionalPipeline;
import io.semel.processor.store.InboxStatus;
import io.semel.processor.store.JdbcStore;
import io.semel.processor.store.StoreException;
import io.semel.processor.store.StoreLimits;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies each message's handler effects exactly once to a {@link JdbcStore}: handler SQL, inbox
 * record (dedup by message id), consumer position (stale-member fence) and outbox rows commit in one
 * local transaction, and the source is acked only after that commit. See {@code docs/processor.md}.
 *
 * <pre>{@code
 * ExactlyOnceProcessor p = ExactlyOnceProcessor.builder()
 *     .source(new SemelSource(Consumer.builder(bootstrap).group("billing").topic("orders").build(),
 *             RedeliverySettings.brokerDefaults()))
 *     .store(JdbcStore.sqlite(Path.of("billing.db")))
 *     .consumer("billing")
 *     .handler((m, tx) -> { ...tx.connection()...; tx.send("invoices", m.key(), invoice); })
 *     .build();
 * p.start();
 * }</pre>
 *
 * <p>Threads: one poll thread, {@code concurrency} worker threads (STORE_THEN_PROCESS only), one
 * cleanup thread (CONCURRENCY.md). Thread-safe: {@link #start()}, {@link #stop()}, {@link #status()}
 * and {@link #inbox} may be called from any thread. The processor closes the source when it stops;
 * the store belongs to the caller.
 */
public final class ExactlyOnceProcessor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExactlyOnceProcessor.class);
    /** Upper bound of {@link Builder#batchSize}: the store's inbox batch limit. */
    public static final int BATCH_SIZE_MAX = StoreLimits.INBOX_BATCH_MAX;
    /** Upper bound of {@link Builder#concurrency}. */
    public static final int CONCURRENCY_MAX = 256;
    /** How long stop() waits for each thread to finish its current transaction, ms. */
    static final long STOP_TIMEOUT_MS = 30_000;

    private final Builder cfg;
    private final ProcessorMetrics metrics;
    private final ProcessorContext ctx;
    private final InboxWorkers workers;
    private final Pipeline pipeline;
    /**
     * The source as the processor's threads use it: a {@link PipelinedSource} (calls on a thread of their
     * own, overlapping the commits) unless the source does not allow it ({@link Source#allowsPrefetch()}).
     */
    private final Source source;
    private final PipelinedSource pipelined;
    private final Object lifecycle = new Object();
    private volatile ProcessorStatus.State state = ProcessorStatus.State.NEW;
    private volatile boolean running;
    private Thread pollThread;
    private ScheduledExecutorService cleanup;

    private ExactlyOnceProcessor(Builder b) {
        this.cfg = b;
        this.metrics = new ProcessorMetrics(b.meterRegistry, b.consumer);
        this.pipelined = b.source.allowsPrefetch() ? new PipelinedSource(b.source, b.consumer, b.pollTimeout) : null;
        this.source = pipelined != null ? pipelined : b.source;
        this.ctx = new ProcessorContext(b.consumer, source, b.store, b.handler, b.clock, metrics, b.batchSize,
                b.dedup);
        if (b.mode == ProcessingMode.STORE_THEN_PROCESS) {
            this.workers = new InboxWorkers(ctx, b.concurrency, b.processAttemptsMax);
            this.pipeline = new StoreThenProcessPipeline(ctx, workers::wake);
        } else {
            this.workers = null;
            this.pipeline = new TransactionalPipeline(ctx);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Checks the retention rule, then starts the threads.
     *
     * @throws IllegalStateException when {@code inboxRetentionMs <= source.redeliveryHorizonMs()}
     *     (a redelivery could arrive after its inbox row was deleted and be applied twice), or when
     *     started before
     */
    public void start() {
        synchronized (lifecycle) {
            if (state != ProcessorStatus.State.NEW) {
                throw new IllegalStateException("processor " + cfg.consumer + " is " + state + "; start it only once");
            }
            checkRetention(cfg.inboxRetentionMs, cfg.source.redeliveryHorizonMs());
            if (cfg.source.ordered() && cfg.mode == ProcessingMode.STORE_THEN_PROCESS) {
                throw new IllegalStateException("processor " + cfg.consumer + ": STORE_THEN_PROCESS is not supported "
                        + "with an ordered source (Kafka) yet: it would need the processor to dead-letter messages the "
                        + "store refuses. Use mode(TRANSACTIONAL)");
            }
            cfg.source.bind(cfg.consumer, cfg.store);
            if (pipelined != null) {
                pipelined.start();
            }
            running = true;
            state = ProcessorStatus.State.RUNNING;
            if (workers != null) {
                workers.start();
            }
            cleanup = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "semel-processor-cleanup-" + cfg.consumer);
                t.setDaemon(true);
                return t;
            });
            InboxCleaner cleaner = new InboxCleaner(cfg.store, cfg.clock, cfg.inboxRetentionMs);
            cleanup.scheduleWithFixedDelay(cleaner::runQuietly, 0, cfg.cleanupIntervalMs, TimeUnit.MILLISECONDS);
            pollThread = new Thread(this::pollLoop, "semel-processor-poll-" + cfg.consumer);
            pollThread.setDaemon(true);
            pollThread.start();
            LOG.info("processor {} started: mode {}, batchSize {}, concurrency {}, inboxRetentionMs {} "
                    + "(redelivery horizon {} ms)", cfg.consumer, cfg.mode, cfg.batchSize, cfg.concurrency,
                    cfg.inboxRetentionMs, cfg.source.redeliveryHorizonMs());
        }
    }

    static void checkRetention(long inboxRetentionMs, long redeliveryHorizonMs) {
        if (inboxRetentionMs <= redeliveryHorizonMs) {
            throw new IllegalStateException("inboxRetentionMs " + inboxRetentionMs + " must be greater than the "
                    + "source's redeliveryHorizonMs " + redeliveryHorizonMs + " (maxDeliveries x (ackTimeoutMs + "
                    + "nackBackoffMaxMs)): a message redelivered after its inbox row was deleted would be applied "
                    + "twice. Raise inboxRetentionMs above " + redeliveryHorizonMs + ", or lower the broker's "
                    + "ackTimeoutMs / maxDeliveries / nackBackoffMaxMs (and the RedeliverySettings passed to the source)");
        }
    }

    private void pollLoop() {
        long backoffMs = 0;
        while (running) {
            try {
                List<SourceMessage> polled = source.poll(cfg.pollTimeout);
                metrics.polled(polled);
                for (int i = 0; i < polled.size() && running; i += cfg.batchSize) {
                    pipeline.accept(polled.subList(i, Math.min(polled.size(), i + cfg.batchSize)));
                }
                backoffMs = 0;
            } catch (ClientClosedException e) {
                if (running) {
                    fail("source closed under the processor: " + e.getMessage(), e);
                }
                return;
            } catch (StoreException | io.semel.client.SemelException e) {
                // Nothing of the batch was committed or acked: its deliveries come back after the ack timeout.
                metrics.error(e.toString());
                backoffMs = Math.min(5_000, Math.max(100, backoffMs * 2));
                LOG.warn("processor {}: {}; backing off {} ms, unacked deliveries will be redelivered", cfg.consumer,
                        e.toString(), backoffMs);
                sleep(backoffMs);
            } catch (SourceException e) {
                if (!e.retriable()) {
                    fail("source stopped: " + e.getMessage(), e);
                    return;
                }
                metrics.error(e.toString());
                backoffMs = Math.min(5_000, Math.max(100, backoffMs * 2));
                LOG.warn("processor {}: {}; backing off {} ms", cfg.consumer, e.toString(), backoffMs);
                sleep(backoffMs);
            } catch (RuntimeException | Error e) {
                fail("poll loop failed: " + e, e);
                return;
            }
        }
    }

    private void fail(String why, Throwable e) {
        metrics.error(why);
        state = ProcessorStatus.State.FAILED;
        running = false;
        LOG.error("processor {} stopped: {}", cfg.consumer, why, e);
    }

    /** Stops polling, lets the current transactions finish, stops workers and cleanup, closes the source. */
    public void stop() {
        synchronized (lifecycle) {
            if (state == ProcessorStatus.State.NEW) {
                state = ProcessorStatus.State.STOPPED;
                cfg.source.close();
                return;
            }
            if (pollThread == null) {
                return; // already stopped
            }
            running = false;
            try {
                pollThread.join(STOP_TIMEOUT_MS);
                if (workers != null) {
                    workers.stop(STOP_TIMEOUT_MS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            cleanup.shutdownNow();
            pollThread = null;
            try {
                source.close(); // sends the acks still queued, then closes the source
            } catch (RuntimeException e) {
                LOG.warn("processor {}: closing the source failed: {}", cfg.consumer, e.toString());
            }
            if (state == ProcessorStatus.State.RUNNING) {
                state = ProcessorStatus.State.STOPPED;
            }
            LOG.info("processor {} stopped ({})", cfg.consumer, status());
        }
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    public ProcessorStatus status() {
        return new ProcessorStatus(cfg.consumer, cfg.mode, state, metrics.processedCount(), metrics.duplicateCount(),
                metrics.redeliveryCount(), metrics.nackedCount(), metrics.fencedCount(), metrics.lastError());
    }

    /**
     * This consumer's inbox: counts by status and a page of rows with {@code status}, by message id,
     * after {@code afterMessageId} (null: from the start), at most {@code limit}
     * ({@link StoreLimits#INBOX_BATCH_MAX}). Reads the store; any thread.
     */
    public InboxView inbox(InboxStatus status, String afterMessageId, int limit) {
        return new InboxView(cfg.store.inboxCounts(cfg.consumer),
                cfg.store.inboxPage(cfg.consumer, status, afterMessageId, limit), cfg.processAttemptsMax);
    }

    public MeterRegistry meterRegistry() {
        return cfg.meterRegistry;
    }

    private static void sleep(long ms) {
        try {
            TimeUnit.MILLISECONDS.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Settings with units in their names; defaults in {@code docs/processor.md}. Not thread-safe. */
    public static final class Builder {
        private Source source;
        private JdbcStore store;
        private Handler handler;
        private String consumer;
        private int batchSize = 500;
        private ProcessingMode mode = ProcessingMode.TRANSACTIONAL;
        private int concurrency = 1;
        private int processAttemptsMax = 5;
        private long inboxRetentionMs = TimeUnit.DAYS.toMillis(7);
        private long cleanupIntervalMs = 60_000;
        private Duration pollTimeout = Duration.ofMillis(200);
        private InstantSource clock = InstantSource.system();
        private MeterRegistry meterRegistry;
        private Dedup dedup;

        private Builder() {
        }

        /**
         * How duplicates are recognised; default {@link Dedup#SEQUENCE} when the source is
         * {@link Source#sequenced() sequenced}, else {@link Dedup#MESSAGE_ID}.
         */
        public Builder dedup(Dedup v) {
            dedup = Objects.requireNonNull(v, "dedup");
            return this;
        }

        public Builder source(Source v) {
            source = Objects.requireNonNull(v, "source");
            return this;
        }

        public Builder store(JdbcStore v) {
            store = Objects.requireNonNull(v, "store");
            return this;
        }

        public Builder handler(Handler v) {
            handler = Objects.requireNonNull(v, "handler");
            return this;
        }

        /** The inbox and position owner; keep it stable across restarts (usually the group name). */
        public Builder consumer(String v) {
            consumer = Objects.requireNonNull(v, "consumer");
            return this;
        }

        /** Messages per receive transaction, 1..{@link #BATCH_SIZE_MAX}; default 500. */
        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder mode(ProcessingMode v) {
            mode = Objects.requireNonNull(v, "mode");
            return this;
        }

        /** STORE_THEN_PROCESS worker threads, 1..{@link #CONCURRENCY_MAX}; default 1. */
        public Builder concurrency(int v) {
            concurrency = v;
            return this;
        }

        /** STORE_THEN_PROCESS: failed attempts before a row is parked; default 5. */
        public Builder processAttemptsMax(int v) {
            processAttemptsMax = v;
            return this;
        }

        /** How long PROCESSED inbox rows are kept for dedup, ms; must exceed the source's redelivery horizon. Default 7 days. */
        public Builder inboxRetentionMs(long v) {
            inboxRetentionMs = v;
            return this;
        }

        /** How often the retention task runs, ms; default 60,000. */
        public Builder cleanupIntervalMs(long v) {
            cleanupIntervalMs = v;
            return this;
        }

        /** How long each poll waits for messages (also bounds how long stop() waits for the poll); default 200 ms. */
        public Builder pollTimeout(Duration v) {
            pollTimeout = Objects.requireNonNull(v, "pollTimeout");
            return this;
        }

        public Builder clock(InstantSource v) {
            clock = Objects.requireNonNull(v, "clock");
            return this;
        }

        /** Default: a new {@code SimpleMeterRegistry}. */
        public Builder meterRegistry(MeterRegistry v) {
            meterRegistry = Objects.requireNonNull(v, "meterRegistry");
            return this;
        }

        public ExactlyOnceProcessor build() {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(store, "store");
            Objects.requireNonNull(handler, "handler");
            Objects.requireNonNull(consumer, "consumer");
            Settings.range("batchSize", batchSize, 1, BATCH_SIZE_MAX);
            Settings.range("concurrency", concurrency, 1, CONCURRENCY_MAX);
            Settings.range("processAttemptsMax", processAttemptsMax, 1, Integer.MAX_VALUE);
            Settings.range("inboxRetentionMs", inboxRetentionMs, 1, Long.MAX_VALUE);
            Settings.range("cleanupIntervalMs", cleanupIntervalMs, 1, Long.MAX_VALUE);
            if (mode == ProcessingMode.TRANSACTIONAL && concurrency != 1) {
                throw new IllegalArgumentException("concurrency " + concurrency + " applies to STORE_THEN_PROCESS "
                        + "only; TRANSACTIONAL handles each batch on the poll thread. Use mode(STORE_THEN_PROCESS) "
                        + "or concurrency(1)");
            }
            if (meterRegistry == null) {
                meterRegistry = new SimpleMeterRegistry();
            }
            if (dedup == null) {
                dedup = source.sequenced() ? Dedup.SEQUENCE : Dedup.MESSAGE_ID;
            } else if (dedup == Dedup.SEQUENCE && !source.sequenced()) {
                throw new IllegalArgumentException("dedup SEQUENCE needs a sequenced source (one whose offsets identify "
                        + "its messages for good, Source.sequenced()); " + source.getClass().getName() + " is not. Use "
                        + "dedup(Dedup.MESSAGE_ID)");
            }
            if (dedup == Dedup.SEQUENCE && mode == ProcessingMode.STORE_THEN_PROCESS) {
                // The inbox row is the work queue in that mode: every message gets one anyway.
                dedup = Dedup.MESSAGE_ID;
            }
            return new ExactlyOnceProcessor(this);
        }
    }
}
