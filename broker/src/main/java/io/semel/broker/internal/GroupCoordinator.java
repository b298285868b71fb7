package io.semel.broker.internal;

import io.semel.broker.GroupRequests;
import io.semel.broker.group.CorruptGroupRecordException;
import io.semel.broker.group.DeadLetterRequest;
import io.semel.broker.group.Decision;
import io.semel.broker.group.Deliveries;
import io.semel.broker.group.GroupConfig;
import io.semel.broker.group.GroupRecord;
import io.semel.broker.group.GroupRegistry;
import io.semel.broker.group.GroupState;
import io.semel.broker.group.MemberView;
import io.semel.broker.group.MessageRun;
import io.semel.broker.group.NackItem;
import io.semel.log.LogReader;
import io.semel.protocol.Ack;
import io.semel.protocol.AckResultRanges;
import io.semel.protocol.DeliveryRun;
import io.semel.protocol.DescribeGroup;
import io.semel.protocol.ListGroups;
import io.semel.protocol.ResetGroup;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Heartbeat;
import io.semel.protocol.JoinGroup;
import io.semel.protocol.LeaveGroup;
import io.semel.protocol.Nack;
import io.semel.protocol.Poll;
import io.semel.protocol.RecordSlice;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer-group shell: one thread, {@code group-coordinator}, owns the {@link GroupRegistry};
 * every request is submitted to it and answered through a {@link CompletableFuture}, so event loops
 * never block. A tick every {@code tickMs} expires members and ack deadlines.
 *
 * <p>Each {@link Decision} is persisted through the {@link GroupJournal} and its reply completed
 * only once its records and all earlier ones are durable; its dead-letter requests are then handed
 * to the {@link DeadLetterCopier}. When the group log fails, every unanswered reply gets
 * STORAGE_ERROR and the registry is rebuilt from the log ({@link GroupRegistry#replay}); while
 * that fails, requests get STORAGE_ERROR and the tick retries the rebuild.
 *
 * <p>The coordinator thread may block on reads of topic partitions and of the group log (through
 * {@code GroupCommitLog.call}, bounded by timeouts); it never blocks on network I/O.
 *
 * <p>Thread-safe: the public methods may be called from any thread.
 */
public final class GroupCoordinator implements GroupRequests, io.semel.broker.GroupAdmin, Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCoordinator.class);
    /**
     * How soon a waiting POLL looks again when a partition it holds already has durable data it
     * could not deliver (a failed read): a bounded retry, never a hot loop. Otherwise a waiting POLL
     * looks again only when something changed (see {@link #pollOnce}).
     */
    public static final long POLL_RECHECK_MS = 10;
    /** Member ids are {@code <CLIENT_ID>-<n>}: JOIN_GROUP carries no client id. */
    static final String CLIENT_ID = "member";

    private final ScheduledExecutorService thread;
    /** Runs the partition scans of TIMESTAMP resets, which must not hold up the coordinator thread. */
    private final java.util.concurrent.ExecutorService lookups;
    /** Decoded batches kept between polls, so a record is decoded once. Coordinator thread. */
    private final TopicLogView.Decoded decoded = new TopicLogView.Decoded();
    /** Long-polls waiting for something deliverable, by group. Coordinator thread. */
    private final Map<String, List<ParkedPoll>> parked = new java.util.HashMap<>();
    /** Submits to {@link #thread}; after shutdown the task is dropped (nobody waits for it then). */
    private final Executor exec;
    private final TopicManager topics;
    private final GroupConfig config;
    /**
     * Time for group decisions (sessions, ack deadlines, backoffs, long-poll deadlines): monotonic, never the
     * wall clock. None of these is persisted, and a wall clock that jumps back would hold a long poll or an
     * ack deadline for as long as it jumped; one that jumps forward would expire every member at once.
     */
    private final LongSupplier nowMs;
    private final long shutdownTimeoutMs;
    private GroupJournal journal; // set once in start, coordinator thread afterwards
    private DeadLetterCopier copier;
    private GroupRegistry registry; // null while a rebuild after a storage failure has not succeeded
    private volatile boolean shuttingDown;
    /** Groups deleted with their topic since start, and that topic: their members learn why. Coordinator thread. */
    private final Map<String, String> deletedGroupTopics = new java.util.HashMap<>();
    /**
     * POLL v3: per group member ({@code group + NUL + memberId}), the highest ackSequence whose acks
     * are durable. Entries go with the member (leave, expiry) and with a rebuild. Coordinator thread.
     */
    private final Map<String, Long> acksDurableThrough = new java.util.HashMap<>();
    /** Polls answered before their records were durable (below their partitions' delivery horizons). */
    private final java.util.concurrent.atomic.LongAdder answersAhead = new java.util.concurrent.atomic.LongAdder();
    /** Dead letters made durable since start, by group and topic ("group\u0000topic"); read by metrics. */
    private final Map<String, java.util.concurrent.atomic.LongAdder> deadLetters =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * One group partition's progress, for metrics.
     *
     * @param settledAboveFloor offsets settled above the ack floor
     * @param nextOffset lowest offset never delivered to the group
     * @param inFlight offsets delivered and not settled (awaiting ack, due for redelivery or dead letter)
     */
    public record PartitionProgress(String group, String topic, int partition, long ackFloor, int settledAboveFloor,
            long nextOffset, int inFlight) {
    }

    private GroupCoordinator(TopicManager topics, GroupConfig config, LongSupplier nowMs, long shutdownTimeoutMs,
            java.util.concurrent.ExecutorService lookups) {
        this.topics = topics;
        this.config = config;
        this.nowMs = nowMs;
        this.shutdownTimeoutMs = shutdownTimeoutMs;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "group-coordinator");
            t.setDaemon(true);
            return t;
        });
        // Stopped without interrupts: an interrupt during a positional read would close the partition's
        // file channel for its writer too. Delayed work (long-poll timers) is dropped at shutdown.
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        executor.setRemoveOnCancelPolicy(true);
        this.thread = executor;
        this.lookups = lookups;
        this.exec = r -> {
            try {
                thread.execute(r);
            } catch (RejectedExecutionException e) {
                LOG.debug("group coordinator stopped; dropping a task");
            }
        };
    }

    /**
     * Opens the group log under {@code dataDir/groups}, rebuilds every group from it, re-issues
     * pending dead letters and starts ticking.
     *
     * @throws IOException if the group log cannot be opened or read, or holds a corrupt record
     */
    public static GroupCoordinator start(Path dataDir, int segmentBytes, long groupLogCompactBytes, TopicManager topics,
            DeadLetterCopier.Admin admin, GroupConfig config, long tickMs, long shutdownTimeoutMs, Clock clock,
            LongSupplier monotonicMs) throws IOException {
        return start(dataDir, segmentBytes, groupLogCompactBytes, topics, admin, config, tickMs, shutdownTimeoutMs,
                clock, monotonicMs, Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "group-offset-lookup");
                    t.setDaemon(true);
                    return t;
                }));
    }

    /** As above, with the executor that runs TIMESTAMP-reset scans (owned and shut down by the coordinator): for tests. */
    static GroupCoordinator start(Path dataDir, int segmentBytes, long groupLogCompactBytes, TopicManager topics,
            DeadLetterCopier.Admin admin, GroupConfig config, long tickMs, long shutdownTimeoutMs, Clock clock,
            LongSupplier monotonicMs, java.util.concurrent.ExecutorService lookups) throws IOException {
        GroupCoordinator c = new GroupCoordinator(topics, config, monotonicMs, shutdownTimeoutMs, lookups);
        try {
            c.journal = GroupJournal.open(dataDir, segmentBytes, groupLogCompactBytes, c.exec, clock,
                    c::storageFailed);
            c.copier = new DeadLetterCopier(topics, admin, c.exec, clock, c::deadLettered);
            String problem = c.thread.submit(c::rebuild).get();
            if (problem != null) {
                throw new IOException(problem);
            }
        } catch (IOException | RuntimeException e) {
            c.closeQuietly();
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            c.closeQuietly();
            throw new IOException("interrupted while loading consumer groups", e);
        } catch (ExecutionException e) {
            c.closeQuietly();
            throw new IOException("loading consumer groups failed", e.getCause());
        }
        c.thread.scheduleWithFixedDelay(c::tick, tickMs, tickMs, TimeUnit.MILLISECONDS);
        return c;
    }

    /** Reads the whole group log and replays it; null on success, else why not. Coordinator thread. */
    private String rebuild() {
        long startedMs = nowMs.getAsLong();
        try {
            GroupJournal.Loaded loaded = journal.readAll();
            Map<String, List<GroupRecord>> records = new java.util.HashMap<>();
            // A deleted group's copies are dropped with it; a group re-created later numbers its own from 0.
            loaded.records().forEach((g, list) -> records.put(g, GroupRegistry.afterLastDeletion(list)));
            GroupRegistry rebuilt = GroupRegistry.replay(config, loaded.records(), this::durableEnd);
            acksDurableThrough.clear(); // the members are gone with the old state
            copier.reset(records, loaded.deadLetters());
            registry = rebuilt;
            int pending = 0;
            for (String name : rebuilt.groupNames()) {
                Decision<Void> recovered = rebuilt.group(name).orElseThrow().recovered();
                pending += recovered.deadLetters().size();
                persist(recovered, v -> { }, e -> { });
                growToTopic(rebuilt.group(name).orElseThrow());
            }
            // The broker does not listen until this is done: say how long it took.
            LOG.info("consumer groups loaded: {} groups, {} records, {} pending dead letters, in {} ms",
                    rebuilt.groupNames().size(), records.values().stream().mapToInt(List::size).sum(), pending,
                    nowMs.getAsLong() - startedMs);
            return null;
        } catch (IOException | CorruptGroupRecordException | RuntimeException e) {
            registry = null;
            LOG.error("rebuilding consumer groups from the group log failed", e);
            return "consumer group log " + GroupJournal.DIR + " could not be replayed: " + e;
        }
    }

    private void storageFailed(Throwable e) {
        LOG.error("group log append failed; dropping group state and rebuilding it from the log", e);
        registry = null;
        rebuild();
    }

    private void tick() {
        try {
            if (registry == null) {
                rebuild();
                return;
            }
            if (journal.compactionDue()) {
                compact();
            }
            for (Decision<List<String>> d : registry.tick(nowMs.getAsLong())) {
                if (!d.reply().isEmpty()) {
                    LOG.info("group {}: members {} expired", d.group(), d.reply());
                }
                // Removed once durable: every earlier decision (the member's acks) has reported then.
                persist(d, v -> v.reply().forEach(m -> acksDurableThrough.remove(memberKey(v.group(), m))), e -> { });
            }
            copier.retryDue();
            // A tick can expire members (leases move) and ack deadlines (redeliveries fall due).
            for (String group : new ArrayList<>(parked.keySet())) {
                recheckParked(group);
            }
        } catch (RuntimeException e) {
            LOG.error("group tick failed", e);
        }
    }

    /** Snapshots every group into the journal; only when every decision so far is durable. */
    private void compact() {
        Map<String, List<GroupRecord>> snapshot = new java.util.LinkedHashMap<>();
        for (String name : registry.groupNames()) {
            snapshot.put(name, registry.group(name).orElseThrow().snapshotRecords());
        }
        journal.compact(snapshot, copier.sequenceStates());
    }

    private void deadLettered(DeadLetterRequest r) {
        if (registry == null) {
            return; // the rebuild re-issues it
        }
        Optional<GroupState> g = registry.group(r.group());
        if (g.isPresent()) {
            persist(g.get().deadLettered(r.partition(), r.offset()), v -> deadLetters.computeIfAbsent(
                    r.group() + "\u0000" + r.topic(), k -> new java.util.concurrent.atomic.LongAdder()).increment(),
                    e -> { });
            recheckParked(r.group()); // a settled offset can open the delivery window
        }
    }

    /** How many polls were answered ahead of the group log (below a durable delivery horizon). Safe from any thread. */
    public long pollsAnsweredAhead() {
        return answersAhead.sum();
    }

    /** Dead letters settled since start, keyed "group\u0000topic": the live counters, a read-only view. Safe from any thread. */
    public Map<String, java.util.concurrent.atomic.LongAdder> deadLetterCounters() {
        return java.util.Collections.unmodifiableMap(deadLetters);
    }

    /**
     * Every group partition's progress, read on the coordinator thread; empty while shutting down or
     * rebuilding after a storage failure.
     */
    public CompletableFuture<List<PartitionProgress>> progress() {
        CompletableFuture<List<PartitionProgress>> out = new CompletableFuture<>();
        if (shuttingDown) {
            out.complete(List.of());
            return out;
        }
        try {
            thread.execute(() -> {
                List<PartitionProgress> list = new ArrayList<>();
                if (registry != null) {
                    for (String name : registry.groupNames()) {
                        GroupState g = registry.group(name).orElseThrow();
                        for (int p = 0; p < g.partitionCount(); p++) {
                            list.add(new PartitionProgress(name, g.topic(), p, g.ackFloor(p),
                                    g.settledAboveFloor(p).size(), g.nextOffset(p), g.inFlight(p).size()));
                        }
                    }
                }
                out.complete(list);
            });
        } catch (RejectedExecutionException e) {
            out.complete(List.of());
        }
        return out;
    }

    /** Members whose POLL v3 ack durability is kept (tests: the entries go with their members). Any thread. */
    int membersWithAckDurability() throws Exception {
        return thread.submit(acksDurableThrough::size).get(READ_WAIT_S, TimeUnit.SECONDS);
    }

    private static final long READ_WAIT_S = 10;

    private static String memberKey(String group, String memberId) {
        return group + '\u0000' + memberId;
    }

    /** Durable end of a topic partition, 0 when it is gone (what replay assumes below a horizon). */
    private long durableEnd(String topic, int partition) {
        return TopicLogView.durableEnd(topics.topic(topic), partition);
    }

    /** Persists {@code d}; then answers and issues its dead letters, or answers the failure. */
    private <R> void persist(Decision<R> d, java.util.function.Consumer<Decision<R>> answer,
            java.util.function.Consumer<Throwable> failed) {
        persist(d, answer, failed, false);
    }

    /**
     * As {@link #persist(Decision, java.util.function.Consumer, java.util.function.Consumer)}; with
     * {@code mayAnswerAhead} and a decision that allows it ({@link Decision#replyBeforeDurable}, first
     * deliveries below durable horizons), answers at once: the records follow to the log in order,
     * and replay counts their loss as one delivery each. Then {@code failed} is never called (the
     * storage failure rebuilds the groups as for any other decision).
     */
    private <R> void persist(Decision<R> d, java.util.function.Consumer<Decision<R>> answer,
            java.util.function.Consumer<Throwable> failed, boolean mayAnswerAhead) {
        copier.assignSequences(d.group(), d.records());
        GroupRegistry owner = registry;
        if (mayAnswerAhead && d.replyBeforeDurable()) {
            answer.accept(d);
            answersAhead.increment();
            journal.persist(d.group(), d.records(), () -> durable(owner, d), e -> { });
            return;
        }
        journal.persist(d.group(), d.records(), () -> {
            durable(owner, d);
            answer.accept(d);
            copier.enqueue(d.deadLetters());
        }, failed);
    }

    /** {@code d} is durable: its group (if still the same registry's) may answer further ahead. */
    private void durable(GroupRegistry owner, Decision<?> d) {
        if (owner != null && owner == registry) {
            owner.group(d.group()).ifPresent(g -> g.persisted(d));
        }
    }

    /**
     * Runs {@code reader} over the live groups on the coordinator thread and completes with its
     * result there (read-only views for the web console). The reader must only read, and quickly:
     * group requests wait behind it. Fails with {@link IllegalStateException} while the groups are
     * being rebuilt after a storage failure or once the coordinator has stopped.
     */
    public <T> CompletableFuture<T> read(Function<GroupRegistry, T> reader) {
        CompletableFuture<T> out = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                if (registry == null) {
                    out.completeExceptionally(new IllegalStateException("consumer group state is being rebuilt "
                            + "after a storage failure; retry"));
                    return;
                }
                try {
                    out.complete(reader.apply(registry));
                } catch (RuntimeException e) {
                    out.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            out.completeExceptionally(new IllegalStateException("group coordinator has stopped", e));
        }
        return out;
    }

    // ---- requests -------------------------------------------------------------------------------

    /** Runs {@code work} on the coordinator; answers {@code ifDown} when it cannot run. */
    private <T> CompletableFuture<T> submit(Function<String, T> errorAnswer, java.util.function.Consumer<CompletableFuture<T>> work) {
        CompletableFuture<T> out = new CompletableFuture<>();
        if (shuttingDown) {
            out.complete(errorAnswer.apply(ErrorCode.BROKER_SHUTTING_DOWN.name()));
            return out;
        }
        try {
            thread.execute(() -> {
                if (out.isDone()) {
                    return; // cancelled: the connection closed
                }
                if (registry == null) {
                    out.complete(errorAnswer.apply(ErrorCode.STORAGE_ERROR.name()));
                    return;
                }
                try {
                    work.accept(out);
                } catch (RuntimeException e) {
                    out.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            out.complete(errorAnswer.apply(ErrorCode.BROKER_SHUTTING_DOWN.name()));
        }
        return out;
    }

    private static String detail(String code) {
        return code.equals(ErrorCode.STORAGE_ERROR.name())
                ? "consumer group state is being rebuilt after a storage failure; retry"
                : "broker is shutting down; retry after restart";
    }

    private static ErrorCode code(String name) {
        return ErrorCode.valueOf(name);
    }

    private static final String STORAGE_FAILED = "group log write failed; outcome unknown, retry";

    @Override
    public CompletableFuture<JoinGroup.Response> joinGroup(JoinGroup.Request r) {
        return submit(c -> JoinGroup.Response.error(code(c), detail(c)), out -> {
            Topic topic = topics.topic(r.topic());
            if (topic == null) {
                out.complete(JoinGroup.Response.error(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic " + r.topic()
                        + " does not exist; create it before joining a group on it"));
                return;
            }
            long now = nowMs.getAsLong();
            Decision<MemberView> d;
            if (r.memberId() != null) {
                // Rejoin after a reconnect: the member must still be alive.
                Optional<GroupState> g = registry.group(r.group());
                if (g.isEmpty() || !g.get().memberIds().contains(r.memberId())) {
                    out.complete(JoinGroup.Response.error(ErrorCode.UNKNOWN_GROUP_MEMBER, "member '" + r.memberId()
                            + "' is not in group '" + r.group() + "' (expired or never joined); join with no id"));
                    return;
                }
                d = g.get().heartbeat(r.memberId(), now);
            } else {
                d = registry.join(r.group(), CLIENT_ID, r.topic(), topic.partitionCount(), r.sessionTimeoutMs(), now);
            }
            persist(d, x -> out.complete(x.isOk() ? new JoinGroup.Response(ErrorCode.NONE, null, x.reply().memberId())
                    : JoinGroup.Response.error(x.error(), x.errorMessage())),
                    e -> out.complete(JoinGroup.Response.error(ErrorCode.STORAGE_ERROR, STORAGE_FAILED)));
            recheckParked(r.group()); // leases moved
        });
    }

    @Override
    public CompletableFuture<LeaveGroup.Response> leaveGroup(LeaveGroup.Request r) {
        return submit(c -> LeaveGroup.Response.error(code(c), detail(c)), out -> {
            Optional<GroupState> g = registry.group(r.group());
            if (g.isEmpty()) {
                out.complete(LeaveGroup.Response.error(missingGroupCode(r.group()), missingGroup(r.group())));
                return;
            }
            persist(g.get().leave(r.memberId(), nowMs.getAsLong()), x -> {
                if (x.isOk()) {
                    acksDurableThrough.remove(memberKey(r.group(), r.memberId()));
                }
                out.complete(x.isOk() ? new LeaveGroup.Response(ErrorCode.NONE, null)
                        : LeaveGroup.Response.error(x.error(), x.errorMessage()));
            },
                    e -> out.complete(LeaveGroup.Response.error(ErrorCode.STORAGE_ERROR, STORAGE_FAILED)));
            recheckParked(r.group()); // leases moved, released deliveries are due
        });
    }

    @Override
    public CompletableFuture<Heartbeat.Response> heartbeat(Heartbeat.Request r) {
        return submit(c -> Heartbeat.Response.error(code(c), detail(c)), out -> {
            Optional<GroupState> g = registry.group(r.group());
            if (g.isEmpty()) {
                out.complete(Heartbeat.Response.error(missingGroupCode(r.group()), missingGroup(r.group())));
                return;
            }
            persist(g.get().heartbeat(r.memberId(), nowMs.getAsLong()), x -> out.complete(x.isOk()
                    ? new Heartbeat.Response(ErrorCode.NONE, null, leases(x.reply()))
                    : Heartbeat.Response.error(x.error(), x.errorMessage())),
                    e -> out.complete(Heartbeat.Response.error(ErrorCode.STORAGE_ERROR, STORAGE_FAILED)));
        });
    }

    private static List<Heartbeat.Lease> leases(MemberView v) {
        List<Heartbeat.Lease> out = new ArrayList<>();
        v.leaseEpochs().forEach((p, e) -> out.add(new Heartbeat.Lease(p, e)));
        return out;
    }

    @Override
    public CompletableFuture<Poll.Response> poll(Poll.Request r) {
        long deadlineMs = nowMs.getAsLong() + Math.max(0, r.maxWaitMs());
        // Answered in the latest layout; the connection writes it in the request's (ConnectionHandler).
        return submit(c -> Poll.Response.error(code(c), detail(c)), out -> {
            String tooMany = config.pollSizeRefusal(r.maxMessages());
            if (tooMany != null) {
                // Refused before its acks are applied, so a client may ask again for fewer with the same acks.
                out.complete(Poll.Response.error(ErrorCode.INVALID_REQUEST, tooMany + "; nothing applied"));
                return;
            }
            if (r.acks().isEmpty()) {
                pollOnce(r, out, deadlineMs, List.of());
                return;
            }
            // The acks and the deliveries they make room for go to the group log in one append (one
            // fsync); the poll's answer waits for both, as units complete in order.
            journal.together(() -> {
                List<Ack.Result> acked = ackBeforePoll(r, out);
                if (acked != null) {
                    pollOnce(r, out, deadlineMs, acked);
                }
            });
        });
    }

    /**
     * Applies the acks riding on {@code r} and persists them (not yet flushed: see the caller); their
     * results, or null after answering {@code out} with the refusal (then the poll is not made).
     */
    private List<Ack.Result> ackBeforePoll(Poll.Request r, CompletableFuture<Poll.Response> out) {
        Optional<GroupState> g = registry.group(r.group());
        if (g.isEmpty()) {
            out.complete(Poll.Response.error(missingGroupCode(r.group()), missingGroup(r.group())));
            return null;
        }
        Decision<AckResultRanges> d = g.get().ack(r.memberId(), r.ackRanges());
        if (!d.isOk()) {
            out.complete(Poll.Response.error(d.error(), d.errorMessage()));
            return null;
        }
        // Answered by the poll (v2: its unit completes after this one; v3: acksDurableThrough says
        // when, in this or a later answer); a failure answers here if the poll is not answered yet.
        String key = memberKey(r.group(), r.memberId());
        long sequence = r.ackSequence();
        persist(d, x -> {
            if (sequence > 0) {
                acksDurableThrough.merge(key, sequence, Math::max);
            }
        }, e -> out.complete(Poll.Response.error(ErrorCode.STORAGE_ERROR, STORAGE_FAILED)));
        return d.reply();
    }

    /**
     * One attempt. With nothing deliverable and time left, the poll parks ({@link ParkedPoll}) and
     * looks again only when something changed: a held partition's durable end passes the group's
     * next offset there (the writer's publication wakes it), a redelivery falls due, a command on the
     * group (ack, nack, join, leave, dead letter) or a tick ran, or the deadline came.
     *
     * @param acked results of the acks that rode on the poll (already applied), answered with its deliveries
     */
    private void pollOnce(Poll.Request r, CompletableFuture<Poll.Response> out, long deadlineMs, List<Ack.Result> acked) {
        if (out.isDone()) {
            return; // cancelled: the connection closed
        }
        if (registry == null) {
            out.complete(Poll.Response.error(ErrorCode.STORAGE_ERROR, detail(ErrorCode.STORAGE_ERROR.name())));
            return;
        }
        Optional<GroupState> g = registry.group(r.group());
        if (g.isEmpty()) {
            out.complete(Poll.Response.error(missingGroupCode(r.group()), missingGroup(r.group())));
            return;
        }
        GroupState group = g.get();
        Topic topic = topics.topic(group.topic());
        long now = nowMs.getAsLong();
        Decision<Deliveries> d = group.poll(r.memberId(), r.maxMessages(), now,
                new TopicLogView(topic, decoded));
        if (d.isOk() && d.reply().isEmpty() && d.records().isEmpty() && now < deadlineMs && !shuttingDown) {
            if (park(r, out, deadlineMs, group, topic, now, acked)) {
                return;
            }
            // shutting down: answer what we have (nothing)
        }
        // v2 answers the results of the acks it carried as durable: then the answer waits for them.
        // v3 and v4 say apart from the results how far its member's acks are durable.
        boolean mayAnswerAhead = acked.isEmpty() || r.version() >= Poll.VERSION_ACKS_AHEAD;
        persist(d, x -> out.complete(x.isOk()
                ? new Poll.Response(ErrorCode.NONE, null, runs(group.topic(), x.reply()), acked,
                        acksDurableThrough.getOrDefault(memberKey(r.group(), r.memberId()), 0L),
                        Poll.VERSION_RUNS)
                : Poll.Response.error(x.error(), x.errorMessage())),
                e -> out.complete(Poll.Response.error(ErrorCode.STORAGE_ERROR, STORAGE_FAILED)), mayAnswerAhead);
    }

    /** Parks a poll that found nothing; false when the coordinator no longer takes timers (shutdown). */
    private boolean park(Poll.Request r, CompletableFuture<Poll.Response> out, long deadlineMs, GroupState group,
            Topic topic, long now, List<Ack.Result> acked) {
        ParkedPoll p = new ParkedPoll(r, out, deadlineMs, acked);
        GroupState.PollWait wait = group.pollWait(r.memberId());
        long wakeAtMs = Math.min(deadlineMs, wait.dueAtMs());
        for (Map.Entry<Integer, Long> e : wait.durableOffsets().entrySet()) {
            LogReader reader = topic == null ? null : topic.reader(e.getKey());
            if (reader == null) {
                continue;
            }
            CompletableFuture<Void> durable = reader.awaitDurableBeyond(e.getValue());
            if (durable.isDone()) {
                // Durable but not delivered (the read failed): retry after a pause, not in a loop.
                wakeAtMs = Math.min(wakeAtMs, now + POLL_RECHECK_MS);
            } else {
                p.waits.add(durable);
                // Completed on the partition writer: hop to this thread at once.
                durable.whenComplete((v, x) -> exec.execute(() -> wake(p)));
            }
        }
        try {
            p.timer = thread.schedule(() -> wake(p), Math.max(0, wakeAtMs - now), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            p.waits.forEach(w -> w.cancel(false));
            return false;
        }
        parked.computeIfAbsent(r.group(), k -> new ArrayList<>()).add(p);
        return true;
    }

    /** Un-parks {@code p} (once) and polls again. Coordinator thread. */
    private void wake(ParkedPoll p) {
        if (p.done) {
            return;
        }
        p.done = true;
        p.waits.forEach(w -> w.cancel(false));
        if (p.timer != null) {
            p.timer.cancel(false);
        }
        List<ParkedPoll> list = parked.get(p.request.group());
        if (list != null) {
            list.remove(p);
            if (list.isEmpty()) {
                parked.remove(p.request.group());
            }
        }
        pollOnce(p.request, p.out, p.deadlineMs, p.acked);
    }

    /** Something changed in {@code group}: its parked polls look again. Coordinator thread. */
    private void recheckParked(String group) {
        List<ParkedPoll> list = parked.get(group);
        if (list != null) {
            for (ParkedPoll p : new ArrayList<>(list)) {
                wake(p);
            }
        }
    }

    /** A POLL waiting for deliverable messages. Coordinator thread only. */
    private static final class ParkedPoll {
        final Poll.Request request;
        final CompletableFuture<Poll.Response> out;
        final long deadlineMs;
        /** Results of the acks that rode on the poll: applied and persisted before it parked. */
        final List<Ack.Result> acked;
        /** One per held partition with an open delivery window: completes when its durable end passes. */
        final List<CompletableFuture<Void>> waits = new ArrayList<>();
        ScheduledFuture<?> timer;
        boolean done;

        ParkedPoll(Poll.Request request, CompletableFuture<Poll.Response> out, long deadlineMs,
                List<Ack.Result> acked) {
            this.request = request;
            this.out = out;
            this.deadlineMs = deadlineMs;
            this.acked = acked;
        }
    }

    /**
     * The core's deliveries as POLL runs: each run of the core (consecutive offsets under one lease
     * and delivery count whose records lie side by side in one stored batch) is one run on the wire,
     * its records sent as they are stored.
     */
    static List<DeliveryRun> runs(String topic, List<io.semel.broker.group.Delivery> in) {
        List<Deliveries.Run> runs = Deliveries.of(in).runs();
        List<DeliveryRun> out = new ArrayList<>(runs.size());
        for (Deliveries.Run r : runs) {
            MessageRun m = r.messages();
            out.add(new DeliveryRun(topic, r.partition(), r.leaseEpoch(), r.deliveryCount(), m.timestampMs(),
                    m.firstOffset(), m.records()));
        }
        return out;
    }

    @Override
    public CompletableFuture<Ack.Response> ack(Ack.Request r) {
        // Answered in the latest layout (ranges); the connection writes it in the request's (ConnectionHandler).
        return submit(c -> Ack.Response.error(code(c), detail(c)), out -> {
            Optional<GroupState> g = registry.group(r.group());
            if (g.isEmpty()) {
                out.complete(Ack.Response.error(missingGroupCode(r.group()), missingGroup(r.group())));
                return;
            }
            persist(g.get().ack(r.memberId(), r.itemRanges()), x -> out.complete(x.isOk()
                    ? new Ack.Response(ErrorCode.NONE, null, x.reply())
                    : Ack.Response.error(x.error(), x.errorMessage())),
                    e -> out.complete(Ack.Response.error(ErrorCode.STORAGE_ERROR, STORAGE_FAILED)));
            recheckParked(r.group()); // the unacked budget and the delivery window may have room now
        });
    }

    @Override
    public CompletableFuture<Nack.Response> nack(Nack.Request r) {
        return submit(c -> Nack.Response.error(code(c), detail(c)), out -> {
            Optional<GroupState> g = registry.group(r.group());
            if (g.isEmpty()) {
                out.complete(Nack.Response.error(missingGroupCode(r.group()), missingGroup(r.group())));
                return;
            }
            // The broker's backoff policy applies (nackBackoffMs..nackBackoffMaxMs); backoffMs is ignored.
            String reason = r.reason() == null ? "nack" : r.reason();
            List<NackItem> items = r.items().stream()
                    .map(i -> new NackItem(i.partition(), i.leaseEpoch(), i.offset(), reason)).toList();
            persist(g.get().nack(r.memberId(), items, nowMs.getAsLong()), x -> out.complete(x.isOk()
                    ? new Nack.Response(ErrorCode.NONE, null, results(r.items(), x.reply()))
                    : Nack.Response.error(x.error(), x.errorMessage())),
                    e -> out.complete(Nack.Response.error(ErrorCode.STORAGE_ERROR, STORAGE_FAILED)));
            recheckParked(r.group()); // a redelivery is due (after its backoff: the parked poll's timer)
        });
    }

    private static List<Ack.Result> results(List<Ack.Item> items, List<ErrorCode> codes) {
        List<Ack.Result> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            out.add(new Ack.Result(items.get(i).partition(), items.get(i).offset(), codes.get(i)));
        }
        return out;
    }

    /** A group deleted with its topic answers as the topic does; any other missing group is an unknown member. */
    private ErrorCode missingGroupCode(String group) {
        return deletedGroupTopics.containsKey(group) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.UNKNOWN_GROUP_MEMBER;
    }

    private String missingGroup(String group) {
        String topic = deletedGroupTopics.get(group);
        return topic != null ? "topic " + topic + " was deleted, and group '" + group + "' with it" : noGroup(group);
    }

    private static String noGroup(String group) {
        return "group '" + group + "' does not exist on this broker; join it first";
    }

    // ---- administration -------------------------------------------------------------------------

    /** After a restart: a topic that grew while the broker was down (or before its groups were told) grows its groups. */
    private void growToTopic(GroupState g) {
        Topic topic = topics.topic(g.topic());
        if (topic != null && topic.partitionCount() > g.partitionCount()) {
            persist(g.addPartitions(topic.partitionCount(), nowMs.getAsLong()), v -> { }, e -> { });
        }
    }

    @Override
    public CompletableFuture<ListGroups.Response> listGroups() {
        return submit(c -> ListGroups.Response.error(code(c), detail(c)),
                out -> out.complete(GroupAdministration.list(registry)));
    }

    @Override
    public CompletableFuture<DescribeGroup.Response> describeGroup(DescribeGroup.Request r) {
        return submit(c -> DescribeGroup.Response.error(code(c), detail(c)), out -> {
            Optional<GroupState> g = registry.group(r.group());
            if (g.isEmpty()) {
                out.complete(DescribeGroup.Response.error(ErrorCode.GROUP_NOT_FOUND, "group '" + r.group()
                        + "' does not exist on this broker; see semel group list"));
                return;
            }
            try {
                out.complete(GroupAdministration.describe(g.get(), topics.topic(g.get().topic())));
            } catch (RequestException e) {
                out.complete(DescribeGroup.Response.error(e.errorCode(), e.getMessage()));
            }
        });
    }

    /**
     * Checks and decides on the coordinator thread. A TIMESTAMP reset reads partitions (up to whole
     * ones) to find its targets: that runs on {@code group-offset-lookup}, and the decision comes
     * back to the coordinator, which checks again before applying it (a member may have joined, the
     * group may have been deleted or reset meanwhile). The other modes need only the published
     * bounds and decide in one step.
     */
    @Override
    public CompletableFuture<ResetGroup.Response> resetGroup(ResetGroup.Request r) {
        Function<String, ResetGroup.Response> down = c -> ResetGroup.Response.error(code(c), detail(c));
        return submit(down, out -> {
            ResetGroup.Response refused = resetRefused(r);
            if (refused != null) {
                out.complete(refused);
                return;
            }
            Topic topic = topics.topic(r.topic());
            if (!GroupAdministration.readsLog(r)) {
                applyReset(r, topic, targetsOrAnswer(r, topic, out), out);
                return;
            }
            CompletableFuture.supplyAsync(() -> targetsOrAnswer(r, topic, out), lookups).whenComplete((targets, e) -> {
                if (e != null) {
                    out.completeExceptionally(e);
                } else if (targets != null) {
                    submit(down, again -> applyReset(r, topic, targets, again)).whenComplete((answer, x) -> {
                        if (x != null) {
                            out.completeExceptionally(x);
                        } else {
                            out.complete(answer);
                        }
                    });
                }
            });
        });
    }

    /** The reset targets, or null after answering {@code out} with why there are none. */
    private static Map<Integer, Long> targetsOrAnswer(ResetGroup.Request r, Topic topic,
            CompletableFuture<ResetGroup.Response> out) {
        try {
            return GroupAdministration.targets(r, topic);
        } catch (RequestException e) {
            out.complete(ResetGroup.Response.error(e.errorCode(), e.getMessage()));
            return null;
        }
    }

    /** Why {@code r} cannot reset now, or null. Coordinator thread. */
    private ResetGroup.Response resetRefused(ResetGroup.Request r) {
        if (topics.topic(r.topic()) == null) {
            return ResetGroup.Response.error(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic " + r.topic()
                    + " does not exist");
        }
        Optional<GroupState> existing = registry.group(r.group());
        if (existing.isPresent() && !existing.get().topic().equals(r.topic())) {
            return ResetGroup.Response.error(ErrorCode.INVALID_REQUEST, "group '" + r.group()
                    + "' consumes topic '" + existing.get().topic() + "', not '" + r.topic() + "'");
        }
        if (existing.isPresent() && !existing.get().memberIds().isEmpty()) {
            return ResetGroup.Response.error(ErrorCode.GROUP_NOT_EMPTY, "group '" + r.group() + "' has "
                    + existing.get().memberIds().size() + " members " + existing.get().memberIds()
                    + "; stop them or wait for their sessions to expire, then reset");
        }
        return null;
    }

    /**
     * Resets {@code r}'s group to {@code targets} (null: already answered) if it still may: the
     * checks run again here, on the coordinator thread, right before the decision. The topic must be
     * the one the targets were computed on (not deleted and re-created meanwhile).
     */
    private void applyReset(ResetGroup.Request r, Topic topic, Map<Integer, Long> targets,
            CompletableFuture<ResetGroup.Response> out) {
        if (targets == null) {
            return;
        }
        ResetGroup.Response refused = resetRefused(r);
        if (refused == null && topics.topic(r.topic()) != topic) {
            refused = ResetGroup.Response.error(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic " + r.topic()
                    + " was deleted or re-created during the reset; retry");
        }
        if (refused != null) {
            out.complete(refused);
            return;
        }
        Decision<GroupState> created = registry.createEmpty(r.group(), r.topic(), topic.partitionCount());
        if (!created.isOk()) {
            out.complete(ResetGroup.Response.error(created.error(), created.errorMessage()));
            return;
        }
        persist(created.reply().reset(targets), x -> out.complete(x.isOk()
                ? new ResetGroup.Response(ErrorCode.NONE, null, GroupAdministration.positions(x.reply()))
                : ResetGroup.Response.error(x.error(), x.errorMessage())),
                e -> out.complete(ResetGroup.Response.error(ErrorCode.STORAGE_ERROR, STORAGE_FAILED)));
    }

    @Override
    public CompletableFuture<Void> deleteGroupsOn(java.util.Set<String> deletedTopics) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        submit(c -> {
            done.completeExceptionally(new RequestException(code(c), detail(c)));
            return null;
        }, (CompletableFuture<Void> out) -> {
            List<CompletableFuture<Void>> durable = new ArrayList<>();
            for (String name : registry.groupNames()) {
                String topic = registry.group(name).orElseThrow().topic();
                if (deletedTopics.contains(topic)) {
                    CompletableFuture<Void> one = new CompletableFuture<>();
                    durable.add(one);
                    copier.forget(name);
                    deletedGroupTopics.put(name, topic);
                    persist(registry.delete(name), x -> {
                        acksDurableThrough.keySet().removeIf(k -> k.startsWith(name + '\u0000'));
                        one.complete(null);
                    }, one::completeExceptionally);
                    LOG.info("group {} deleted with topic {}", name, topic);
                }
            }
            CompletableFuture.allOf(durable.toArray(new CompletableFuture<?>[0])).whenComplete((v, e) -> {
                if (e != null) {
                    done.completeExceptionally(e);
                } else {
                    done.complete(null);
                }
            });
        });
        return done;
    }

    @Override
    public CompletableFuture<Void> topicGrew(String topic, int partitionCount) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        submit(c -> {
            done.completeExceptionally(new RequestException(code(c), detail(c)));
            return null;
        }, (CompletableFuture<Void> out) -> {
            List<CompletableFuture<Void>> durable = new ArrayList<>();
            for (String name : registry.groupNames()) {
                GroupState g = registry.group(name).orElseThrow();
                if (g.topic().equals(topic) && g.partitionCount() < partitionCount) {
                    CompletableFuture<Void> one = new CompletableFuture<>();
                    durable.add(one);
                    persist(g.addPartitions(partitionCount, nowMs.getAsLong()), x -> one.complete(null),
                            one::completeExceptionally);
                }
            }
            CompletableFuture.allOf(durable.toArray(new CompletableFuture<?>[0])).whenComplete((v, e) -> {
                if (e != null) {
                    done.completeExceptionally(e);
                } else {
                    done.complete(null);
                }
            });
        });
        return done;
    }

    // ---- shutdown -------------------------------------------------------------------------------

    /**
     * Stops taking requests and ticking, waits (up to shutdownTimeoutMs) until every persisted
     * decision is durable, then closes the group log. DLQ copies still running are abandoned; they
     * are re-issued (idempotently) after the next start.
     */
    @Override
    public void close() {
        shuttingDown = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(shutdownTimeoutMs);
        try {
            // Written before the wait for an idle log below, so it is durable when the log closes.
            thread.submit(this::retractHorizons).get(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
            LOG.warn("retracting delivery horizons at shutdown failed ({}); the next start counts offsets below "
                    + "them as delivered once", e.toString());
        }
        while (System.nanoTime() < deadline) {
            try {
                if (thread.submit(() -> journal == null || journal.idle()).get(1, TimeUnit.SECONDS)) {
                    break;
                }
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
                break;
            }
        }
        closeQuietly();
    }

    /** Clean shutdown: see {@link GroupState#retractHorizons}. Coordinator thread. */
    private void retractHorizons() {
        if (registry == null || journal == null) {
            return;
        }
        for (String name : registry.groupNames()) {
            registry.group(name).ifPresent(g -> persist(g.retractHorizons(), v -> { }, e -> { }));
        }
    }

    private void closeQuietly() {
        thread.shutdown(); // no interrupts (see the constructor); pending timers are dropped
        lookups.shutdown(); // no interrupts either: a scan reads partition files
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (journal != null) {
            try {
                journal.close();
            } catch (IOException e) {
                LOG.warn("closing the group log failed: {}", e.toString());
            }
        }
    }
}
