package io.semel.broker.internal;

import io.semel.broker.BrokerConfig;
import io.semel.broker.GroupAdmin;
import io.semel.broker.GroupRequests;
import io.semel.log.GroupCommitLog;
import io.semel.log.LogReader;
import io.semel.log.OffsetOutOfRangeException;
import io.semel.log.Partition;
import io.semel.log.producer.ProducerRegistry;
import io.semel.protocol.Ack;
import io.semel.protocol.ApiRequest;
import io.semel.protocol.ApiResponse;
import io.semel.protocol.CreateTopic;
import io.semel.protocol.DescribeTopic;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Fetch;
import io.semel.protocol.Heartbeat;
import io.semel.protocol.InitProducer;
import io.semel.protocol.JoinGroup;
import io.semel.protocol.LeaveGroup;
import io.semel.protocol.ListTopics;
import io.semel.protocol.Metadata;
import io.semel.protocol.Nack;
import io.semel.protocol.Poll;
import io.semel.protocol.ListProducers;
import io.semel.protocol.Produce;
import io.semel.protocol.ReleaseProducer;
import io.semel.protocol.RecordBatch;
import io.semel.protocol.TopicNames;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Answers every request after HELLO (which the connection handles itself). Each method returns at
 * once with a future; nothing here blocks: partition work goes to the partition's writer thread
 * ({@link GroupCommitLog}), registry and topic creation to the admin executor, waiting (FETCH
 * long-poll, PRODUCE timeout) to the connection's event loop as scheduled tasks. Expected failures
 * become responses carrying their error code ({@link ErrorMapping}). Thread-safe.
 */
public final class RequestDispatcher {
    /** How often a waiting FETCH looks whether the broker is shutting down (it wakes on new durable data). */
    public static final long FETCH_SHUTDOWN_CHECK_MS = 50;
    /** Threads that run FETCH reads (positional file reads, off the event loops); idle ones end after 30 s. */
    static final int READ_THREADS = 2;
    /** FETCH reads waiting for a read thread; beyond it a FETCH is answered THROTTLED. */
    static final int READS_QUEUED_MAX = 10_000;

    private final BrokerConfig config;
    private final TopicManager topics;
    private final ProducerRegistry registry;
    private final ExecutorService admin;
    private final GroupRequests groups;
    private final ErrorMapping errors;
    private final ProducerRequests producers;
    private final TopicAdministration topicAdmin;
    /** FETCH reads: never interrupted (a FileChannel closes on interrupt), threads time out when idle. */
    private final java.util.concurrent.ThreadPoolExecutor reads;

    /** @param groupAdmin null when the groups are served by an outside {@link GroupRequests} (no group admin then) */
    public RequestDispatcher(BrokerConfig config, TopicManager topics, ProducerRegistry registry,
            ExecutorService admin, GroupRequests groups, GroupAdmin groupAdmin, ErrorMapping errors,
            ProducerRequests producers) {
        this.config = config;
        this.topics = topics;
        this.registry = registry;
        this.admin = admin;
        this.groups = groups;
        this.errors = errors;
        this.producers = producers;
        this.topicAdmin = new TopicAdministration(config, topics, admin, groupAdmin, errors);
        java.util.concurrent.atomic.AtomicInteger readThreads = new java.util.concurrent.atomic.AtomicInteger();
        this.reads = new java.util.concurrent.ThreadPoolExecutor(READ_THREADS, READ_THREADS, 30, TimeUnit.SECONDS,
                new java.util.concurrent.ArrayBlockingQueue<>(READS_QUEUED_MAX), r -> {
                    Thread t = new Thread(r, "broker-read-" + readThreads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.reads.allowCoreThreadTimeOut(true);
    }

    /** Dispatches one decoded request; {@code loop} is the connection's event loop, for timers. */
    public CompletableFuture<? extends ApiResponse> handle(ApiRequest request, ScheduledExecutorService loop) {
        if (request instanceof Metadata.Request r) {
            return CompletableFuture.completedFuture(metadata(r));
        } else if (request instanceof CreateTopic.Request r) {
            return createTopic(r);
        } else if (request instanceof ListTopics.Request) {
            return CompletableFuture.completedFuture(listTopics());
        } else if (request instanceof DescribeTopic.Request r) {
            return describeTopic(r);
        } else if (request instanceof InitProducer.Request r) {
            return producers.initProducer(r);
        } else if (request instanceof ReleaseProducer.Request r) {
            return producers.releaseProducer(r);
        } else if (request instanceof ListProducers.Request r) {
            return producers.listProducers(r);
        } else if (request instanceof Produce.Request r) {
            return produce(r, loop);
        } else if (request instanceof Fetch.Request r) {
            return new FetchOperation(r, loop).start();
        } else if (request instanceof JoinGroup.Request r) {
            return groups.joinGroup(r);
        } else if (request instanceof LeaveGroup.Request r) {
            return groups.leaveGroup(r);
        } else if (request instanceof Heartbeat.Request r) {
            return groups.heartbeat(r);
        } else if (request instanceof Poll.Request r) {
            return groups.poll(r);
        } else if (request instanceof Ack.Request r) {
            return groups.ack(r);
        } else if (request instanceof Nack.Request r) {
            return groups.nack(r);
        }
        CompletableFuture<? extends ApiResponse> adminAnswer = topicAdmin.handle(request);
        if (adminAnswer != null) {
            return adminAnswer;
        }
        throw new IllegalArgumentException("no handler for " + request.apiKey());
    }

    private Metadata.Response metadata(Metadata.Request r) {
        List<Metadata.TopicMetadata> out = new ArrayList<>();
        if (r.topics().isEmpty()) {
            topics.list().forEach(t -> out.add(new Metadata.TopicMetadata(t.name(), ErrorCode.NONE, t.partitionCount())));
        }
        for (String name : r.topics()) {
            Topic t = topics.topic(name);
            // Existence first: dead-letter names may exceed the length clients may create.
            ErrorCode code = t != null ? ErrorCode.NONE
                    : TopicNames.isValid(name) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.INVALID_TOPIC_NAME;
            out.add(new Metadata.TopicMetadata(name, code, t == null ? 0 : t.partitionCount()));
        }
        return new Metadata.Response(ErrorCode.NONE, null, out);
    }

    private CompletableFuture<ApiResponse> createTopic(CreateTopic.Request r) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                topics.create(r.topic(), r.partitions());
                return (ApiResponse) new CreateTopic.Response(ErrorCode.NONE, null);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, admin).exceptionally(e -> errors.toResponse(r.apiKey(), e, "create topic " + r.topic()));
    }

    private ListTopics.Response listTopics() {
        List<ListTopics.Topic> out = topics.list().stream()
                .map(t -> new ListTopics.Topic(t.name(), t.partitionCount())).toList();
        return new ListTopics.Response(ErrorCode.NONE, null, out);
    }

    private CompletableFuture<ApiResponse> describeTopic(DescribeTopic.Request r) {
        Topic t = topics.topic(r.topic());
        if (t == null) {
            return CompletableFuture.completedFuture(DescribeTopic.Response.error(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                    unknownTopic(r.topic())));
        }
        List<CompletableFuture<DescribeTopic.PartitionOffsets>> parts = new ArrayList<>();
        for (int p = 0; p < t.partitionCount(); p++) {
            int partition = p;
            parts.add(t.partition(p).call(
                    log -> new DescribeTopic.PartitionOffsets(partition, log.startOffset(), log.nextOffset())));
        }
        return allOf(parts).<ApiResponse>thenApply(list -> new DescribeTopic.Response(ErrorCode.NONE, null, list))
                .exceptionally(e -> errors.toResponse(r.apiKey(), e, "describe topic " + r.topic()));
    }

    private CompletableFuture<ApiResponse> produce(Produce.Request r, ScheduledExecutorService loop) {
        GroupCommitLog log;
        try {
            log = partition(r.topic(), r.partition());
        } catch (RequestException e) {
            return CompletableFuture.completedFuture(Produce.Response.error(e.errorCode(), e.getMessage()));
        }
        RecordBatch batch = r.batch();
        if (batch.sizeInBytes() > config.maxBatchBytes() && batch.recordCount() == 1) {
            // One record: it is the record that is too large; name the limit set per record.
            return CompletableFuture.completedFuture(Produce.Response.error(ErrorCode.MESSAGE_TOO_LARGE, "record of "
                    + (batch.sizeInBytes() - RecordBatch.HEADER_BYTES) + " bytes exceeds this broker's maxRecordBytes "
                    + config.maxRecordBytes() + " (and its maxBatchBytes " + config.maxBatchBytes() + "); send smaller "
                    + "messages"));
        }
        if (batch.sizeInBytes() > config.maxBatchBytes()) {
            return CompletableFuture.completedFuture(Produce.Response.error(ErrorCode.MESSAGE_TOO_LARGE, "batch of "
                    + batch.sizeInBytes() + " bytes exceeds this broker's maxBatchBytes " + config.maxBatchBytes()
                    + "; send smaller batches"));
        }
        // Read on this thread, never asynchronously: the append must be queued before the next request of this
        // connection is, or pipelined batches reach the partition out of order (OUT_OF_ORDER_SEQUENCE although
        // the client sent in order; found by the verify sweep, seed 104534896, right after a power loss).
        short epoch = batch.hasProducer() ? registry.durableEpoch(batch.producerId()) : RecordBatch.NO_PRODUCER_EPOCH;
        if (batch.hasProducer()) {
            registry.recordActivity(batch.producerId()); // idle expiry counts from here
        }
        CompletableFuture<ApiResponse> answer = log.append(batch, epoch)
                .<ApiResponse>thenApply(o -> new Produce.Response(ErrorCode.NONE, null, o.baseOffset(), o.lastOffset(),
                        o.duplicate()))
                .exceptionally(e -> failure(r.apiKey(), e, "produce to " + r.topic() + "-" + r.partition(), r.topic()));
        if (r.timeoutMs() > 0 && !answer.isDone()) {
            armTimeout(answer, r.timeoutMs(), loop);
        }
        return answer;
    }

    /**
     * Answers TIMEOUT if the append is not durable within {@code timeoutMs}. The timer is cancelled
     * as soon as the answer is complete, and it captures only the answer, never the request: an
     * answered request must not stay reachable from the event loop's timer queue for the rest of
     * its timeout, or sustained produce load holds every batch of the last {@code timeoutMs} in
     * the heap (1 GiB after 6 s of 1 KiB records, before this).
     */
    private static void armTimeout(CompletableFuture<ApiResponse> answer, int timeoutMs, ScheduledExecutorService loop) {
        // The append may still happen after this answer: TIMEOUT means "outcome unknown, retry".
        ScheduledFuture<?> timer = loop.schedule(() -> answer.complete(Produce.Response.error(ErrorCode.TIMEOUT,
                "batch not durable within " + timeoutMs + " ms (timeoutMs); outcome unknown, retry with the same "
                        + "sequence")), timeoutMs, TimeUnit.MILLISECONDS);
        answer.whenComplete((ok, err) -> timer.cancel(false));
    }

    private GroupCommitLog partition(String topic, int partition) {
        Topic t = topics.topic(topic);
        if (t == null) {
            throw new RequestException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, unknownTopic(topic));
        }
        GroupCommitLog log = t.partition(partition);
        if (log == null) {
            throw new RequestException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic " + topic + " has partitions 0.."
                    + (t.partitionCount() - 1) + "; partition " + partition + " does not exist");
        }
        return log;
    }

    /** A request whose topic was deleted under it fails like one sent after the deletion. */
    private ApiResponse failure(io.semel.protocol.ApiKey key, Throwable e, String what, String topic) {
        if (topics.topic(topic) == null) {
            return io.semel.protocol.Messages.errorResponse(key, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                    what + ": " + unknownTopic(topic));
        }
        return errors.toResponse(key, e, what);
    }

    static String unknownTopic(String topic) {
        return "topic " + topic + " does not exist; create it first";
    }

    private static <T> CompletableFuture<List<T>> allOf(List<CompletableFuture<T>> futures) {
        return CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
                .thenApply(v -> futures.stream().map(CompletableFuture::join).toList());
    }

    /** What one FETCH read saw. */
    private record DurableRead(long startOffset, long nextOffset, List<RecordBatch> batches, boolean outOfRange) {
    }

    /**
     * One FETCH: reads durable batches through the partition's {@link LogReader} on a
     * {@code broker-read} thread (never on the event loop, never through the writer). When there are
     * none and {@code maxWaitMs} is left, it waits for the writer to publish a durable end beyond
     * {@code fromOffset} (or for the deadline, or for shutdown, looked at every
     * {@value #FETCH_SHUTDOWN_CHECK_MS} ms on the event loop's scheduler) and reads again.
     */
    private final class FetchOperation {
        private final Fetch.Request r;
        private final ScheduledExecutorService loop;
        private final long deadlineNanos;
        private final int maxBytes;
        private final CompletableFuture<ApiResponse> result = new CompletableFuture<>();
        private GroupCommitLog log;
        private LogReader reader;

        FetchOperation(Fetch.Request r, ScheduledExecutorService loop) {
            this.r = r;
            this.loop = loop;
            this.deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(r.maxWaitMs());
            // maxBytes 0 still returns one batch: the log always returns at least one.
            this.maxBytes = Math.max(1, Math.min(r.maxBytes(), config.fetchMaxBytes()));
        }

        CompletableFuture<ApiResponse> start() {
            try {
                log = partition(r.topic(), r.partition());
                reader = topics.topic(r.topic()).reader(r.partition());
            } catch (RequestException e) {
                return CompletableFuture.completedFuture(Fetch.Response.error(e.errorCode(), e.getMessage()));
            }
            attempt();
            return result;
        }

        private void attempt() {
            if (result.isDone()) {
                return; // cancelled: the connection is gone
            }
            try {
                reads.execute(this::readOnce);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                result.complete(Fetch.Response.error(ErrorCode.THROTTLED, READS_QUEUED_MAX
                        + " fetch reads are queued (READS_QUEUED_MAX); retry after a backoff"));
            }
        }

        /** On a read thread. */
        private void readOnce() {
            DurableRead read;
            try {
                read = readDurable(reader, log, r.fromOffset(), maxBytes);
            } catch (IOException | RuntimeException e) {
                result.complete(failure(r.apiKey(), e, "fetch " + r.topic() + "-" + r.partition(), r.topic()));
                return;
            }
            if (read.outOfRange()) {
                String message = new OffsetOutOfRangeException(r.fromOffset(), read.startOffset(),
                        read.nextOffset()).getMessage();
                result.complete(new Fetch.Response(ErrorCode.OFFSET_OUT_OF_RANGE, message, read.startOffset(),
                        read.nextOffset(), List.of()));
            } else if (!read.batches().isEmpty() || System.nanoTime() >= deadlineNanos || errors.shuttingDown()) {
                result.complete(new Fetch.Response(ErrorCode.NONE, null, read.startOffset(), read.nextOffset(),
                        read.batches()));
            } else {
                waitForData(read);
            }
        }

        /** Reads again once the durable end passes fromOffset, the deadline comes or shutdown starts. */
        private void waitForData(DurableRead empty) {
            CompletableFuture<Void> durable = reader.awaitDurableBeyond(r.fromOffset());
            java.util.concurrent.atomic.AtomicBoolean fired = new java.util.concurrent.atomic.AtomicBoolean();
            Runnable again = () -> {
                if (fired.compareAndSet(false, true)) {
                    durable.cancel(false);
                    attempt();
                }
            };
            durable.whenComplete((v, e) -> {
                if (!durable.isCancelled()) {
                    again.run(); // on the writer thread: attempt() only hands the read to a read thread
                }
            });
            armTimer(again, fired, empty);
        }

        private void armTimer(Runnable again, java.util.concurrent.atomic.AtomicBoolean fired, DurableRead empty) {
            long leftNanos = deadlineNanos - System.nanoTime();
            long delayNanos = Math.max(0, Math.min(leftNanos, TimeUnit.MILLISECONDS.toNanos(FETCH_SHUTDOWN_CHECK_MS)));
            try {
                loop.schedule(() -> {
                    if (fired.get()) {
                        return;
                    }
                    if (result.isDone() || System.nanoTime() >= deadlineNanos || errors.shuttingDown()) {
                        again.run();
                    } else {
                        armTimer(again, fired, empty);
                    }
                }, delayNanos, TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                if (fired.compareAndSet(false, true)) {
                    result.complete(new Fetch.Response(ErrorCode.NONE, null, empty.startOffset(), empty.nextOffset(),
                            List.of()));
                }
            }
        }
    }

    /**
     * Reads from {@code fromOffset} through the partition's reader: only durable batches (below
     * the published durable end), so nothing a crash could still take away is ever served. Out of
     * range: below the log start (retention) or above the log end (the writer's end offset, which
     * under the interval flush policy may be ahead of the durable end).
     */
    private static DurableRead readDurable(LogReader reader, GroupCommitLog log, long fromOffset, int maxBytes)
            throws IOException {
        if (!reader.isOpen()) {
            // After a storage failure the writer reopens the partition on its next request: ask for one.
            log.call(p -> null);
            throw new IOException("partition is being reopened after a storage failure; retry");
        }
        long start = reader.startOffset();
        long end = Math.max(log.endOffset(), reader.durableEnd());
        if (fromOffset < start || fromOffset > end) {
            return new DurableRead(start, end, List.of(), true);
        }
        try {
            return new DurableRead(start, end, reader.read(fromOffset, maxBytes), false);
        } catch (OffsetOutOfRangeException e) {
            return new DurableRead(e.startOffset(), end, List.of(), true);
        }
    }
}
