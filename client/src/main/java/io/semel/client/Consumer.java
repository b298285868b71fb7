package io.semel.client;

import io.semel.client.internal.BrokerChannel;
import io.semel.client.internal.LogText;
import io.semel.client.internal.ConnectionSettings;
import io.semel.protocol.Ack;
import io.semel.protocol.AckItemRanges;
import io.semel.protocol.AckResultRanges;
import io.semel.protocol.DeliveryRun;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Heartbeat;
import io.semel.protocol.JoinGroup;
import io.semel.protocol.LeaveGroup;
import io.semel.protocol.Nack;
import io.semel.protocol.Poll;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member of a consumer group on one topic: joins on build, heartbeats in a background thread,
 * polls leased deliveries and settles them with ack/nack.
 *
 * <p>Acks: {@link #ack} settles now (one round trip, durable before it returns);
 * {@link #ackWithNextPoll} lets the acks ride on the next {@link #poll}, so a consumer that acks each
 * batch pays one round trip per batch instead of two, and (POLL v3) the poll's deliveries need not
 * wait for the acks' group-log fsync: their futures complete when a later answer reports them
 * durable. {@link #runAtLeastOnce} acks that way.
 *
 * <p>Thread-safety: {@link #poll}, {@link #ack}, {@link #ackWithNextPoll}, {@link #flushAcks},
 * {@link #nack} and the {@code run*} loops are for one thread at a time (the "consumer thread"). {@link #stop()} and {@link #close()} may be called
 * from any thread. The heartbeat thread has its own connection, so a long poll never delays a
 * heartbeat.
 *
 * <p>Stale leases: a single-message {@link #ack(Message)} / {@link #nack} throws
 * {@link StaleLeaseException}; the list form {@link #ack(List)} reports STALE_LEASE per item.
 */
public final class Consumer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Consumer.class);
    /** The POLL sent ahead ({@link Builder#prefetch}), if any. */
    private final java.util.concurrent.atomic.AtomicReference<Ahead> ahead =
            new java.util.concurrent.atomic.AtomicReference<>();
    /** Deliveries received ahead and not yet handed out, oldest first. Consumer thread. */
    private final Backlog buffered = new Backlog();

    private final Config cfg;
    private final BrokerChannel channel;
    private final BrokerChannel heartbeatChannel;
    private final Thread heartbeat;
    private final Map<Integer, Long> leases = new ConcurrentHashMap<>();
    private volatile String memberId;
    private volatile boolean closed;
    private volatile boolean stopRequested;
    /** The heartbeat thread waits on it between heartbeats; {@link #close} notifies it. */
    private final Object heartbeatWake = new Object();
    /**
     * Most acks one POLL carries (the broker's default acksPerRequestMax); more waiting are sent as
     * ACK requests of this size first.
     */
    static final int ACKS_PER_POLL_MAX = 5_000;
    /** Guards {@link #pending}: {@link #close()} may flush it from another thread. */
    private final Object pendingLock = new Object();
    /** Acks waiting to ride on the next poll, in the order given. */
    private final List<PendingAck> pending = new ArrayList<>();
    /**
     * POLL layout: numbered acks with their durability reported apart (v3); on UNSUPPORTED_VERSION
     * acks durable with the answer (v2); then without acks (v1). Consumer thread.
     */
    private short pollVersion = Poll.VERSION_RUNS;
    /** POLL v3: the number of the latest acks that rode on a poll. Consumer thread. */
    private long ackSequence;
    /**
     * POLL v3: acks applied (their results known) and not yet reported durable, oldest first.
     * Guarded by {@link #pendingLock}: {@link #close()} may settle them from another thread.
     */
    private final java.util.ArrayDeque<AppliedAcks> awaitingDurable = new java.util.ArrayDeque<>();
    /**
     * Applied acks waiting for a durability report past which the next poll first asks for one (a
     * HEARTBEAT, answered only once everything before it is durable): a bound, not a tuning knob;
     * a poll answered ahead reports the acks of the poll before it, so two or three wait normally.
     */
    static final int ACKS_AWAITING_DURABLE_MAX = 1_024;

    private record AppliedAcks(long sequence, List<PendingAck> acks, List<AckResult> results) {
    }

    private record PendingAck(List<Message> messages, CompletableFuture<List<AckResult>> done) {
    }

    private record Config(ConnectionSettings connection, String group, String topic, int sessionTimeoutMs,
            long heartbeatIntervalMs, int maxPollMessages, int fetchMaxMessages, int nackBackoffMs, long pollTimeoutMs,
            boolean prefetch) {
    }

    /** Default of {@link Builder#fetchMaxMessages}: what one POLL may fetch for a fast caller. */
    public static final int FETCH_MAX_MESSAGES_DEFAULT = 4_000;
    /**
     * The most of its own handling time a consumer fetches ahead, ns: a POLL asks for more than the
     * caller's batch only as many messages as the caller handled in this time at its last batch's
     * pace, so messages leased ahead are handed out long before their ack timeout (seconds).
     */
    static final long FETCH_AHEAD_NANOS = 100_000_000L;
    /**
     * Most messages a POLL asks for now: {@link Builder#fetchMaxMessages}, lowered to maxPollMessages
     * for good if the broker refuses more (its pollMessagesMax). Consumer thread.
     */
    private int fetchCap;
    /** The caller's handling time per message over its last batch (poll to poll), ns; -1 before one. Consumer thread. */
    private long handlingNanosPerMessage = -1;
    /** When the last non-empty batch was handed out, and its size. Consumer thread. */
    private long handedOutAtNanos;
    private int handedOutCount;

    private Consumer(Config cfg) {
        this.cfg = cfg;
        this.fetchCap = cfg.fetchMaxMessages();
        this.channel = new BrokerChannel(cfg.connection());
        this.heartbeatChannel = new BrokerChannel(cfg.connection());
        try {
            this.memberId = join(channel);
        } catch (RuntimeException e) {
            channel.close();
            heartbeatChannel.close();
            throw e;
        }
        this.heartbeat = new Thread(this::heartbeatLoop, "semel-consumer-heartbeat-" + cfg.group() + "-" + memberId);
        heartbeat.setDaemon(true);
        heartbeat.start();
    }

    public static Builder builder(String bootstrap) {
        return new Builder(bootstrap);
    }

    public String memberId() {
        return memberId;
    }

    /** Partitions leased to this member at the last heartbeat, with their lease epochs. */
    public Map<Integer, Long> leases() {
        return Map.copyOf(leases);
    }

    private String join(BrokerChannel ch) {
        JoinGroup.Response r = ch.call(new JoinGroup.Request(cfg.group(), cfg.topic(), null, cfg.sessionTimeoutMs()),
                JoinGroup.Response.class, 0);
        if (r.error() != ErrorCode.NONE || r.memberId() == null) {
            throw new DefiniteFailureException(r.error(), "JOIN_GROUP group '" + cfg.group() + "' topic '"
                    + cfg.topic() + "' refused: " + r.error() + " (" + r.error().code() + ") " + r.errorMessage());
        }
        log.info("joined group '{}' on topic '{}' as {}", cfg.group(), cfg.topic(), r.memberId());
        return r.memberId();
    }

    private void heartbeatLoop() {
        while (!closed) {
            try {
                Heartbeat.Response r = heartbeatChannel.call(new Heartbeat.Request(cfg.group(), memberId),
                        Heartbeat.Response.class, 0);
                if (r.error() == ErrorCode.UNKNOWN_GROUP_MEMBER && !closed) {
                    log.warn("member {} of group '{}' expired; joining again", memberId, cfg.group());
                    log.debug("member {} expired: {}", memberId, r.errorMessage());
                    leases.clear();
                    memberId = join(heartbeatChannel);
                } else if (r.error() != ErrorCode.NONE) {
                    log.warn("heartbeat for group '{}' answered {}", cfg.group(), r.error());
                    log.debug("heartbeat for group '{}' answered {}: {}", cfg.group(), r.error(), r.errorMessage());
                } else {
                    Map<Integer, Long> now = new ConcurrentHashMap<>();
                    r.leases().forEach(l -> now.put(l.partition(), l.leaseEpoch()));
                    leases.keySet().retainAll(now.keySet());
                    leases.putAll(now);
                }
            } catch (SemelException e) {
                if (!closed) {
                    log.warn("heartbeat for group '{}' failed: {}", cfg.group(), LogText.brief(e));
                    log.debug("heartbeat for group '{}' failed", cfg.group(), e);
                }
            }
            try {
                synchronized (heartbeatWake) {
                    if (!closed) {
                        heartbeatWake.wait(cfg.heartbeatIntervalMs());
                    }
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Up to maxPollMessages deliveries, waiting up to {@code timeout} when none is ready, as an
     * unmodifiable list. Returns an empty list after the member had to join again (its earlier
     * deliveries will be redelivered).
     * Deliveries fetched ahead by an earlier POLL ({@link Builder#fetchMaxMessages}) are handed out
     * first, with no round trip.
     *
     * @throws ClientClosedException after {@link #close()}
     * @throws SemelException the broker refused, or the connection failed
     */
    public List<Message> poll(Duration timeout) {
        return poll(timeout, cfg.maxPollMessages());
    }

    /**
     * Like {@link #poll(Duration)}, but leases at most {@code maxMessages} (and at most
     * maxPollMessages): a caller that will handle only N more messages should not hold more.
     *
     * @throws IllegalArgumentException if {@code maxMessages < 1}
     */
    public List<Message> poll(Duration timeout, int maxMessages) {
        if (maxMessages < 1) {
            throw new IllegalArgumentException("maxMessages must be >= 1, was " + maxMessages);
        }
        ensureOpen();
        int waitMs = (int) Math.min(Integer.MAX_VALUE, Math.max(0, timeout.toMillis()));
        int max = Math.min(maxMessages, cfg.maxPollMessages());
        boolean full = maxMessages >= cfg.maxPollMessages();
        if (handedOutCount > 0) {
            handlingNanosPerMessage = (System.nanoTime() - handedOutAtNanos) / handedOutCount;
        }
        if (buffered.isEmpty()) {
            Ahead a = ahead.getAndSet(null);
            Poll.Response r = a == null ? null : awaitAhead(a);
            if (r != null && refusedAsTooMany(r, a.request())) {
                requeue(a.riding()); // refused before they were applied: they ride on the poll below
                r = null;
            }
            if (r != null) {
                if (full && r.error() == ErrorCode.NONE && r.deliveryCount() > 0 && r.deliveryCount() <= max) {
                    sendAhead(); // before decoding this answer, so the two overlap
                }
                buffered.add(answered(a.request(), a.riding(), a.sequence(), r));
            }
            if (buffered.isEmpty()) { // none sent ahead, or it found nothing: ask now, waiting as asked
                buffered.add(pollNow(waitMs, max, full ? fetchSize(max) : max));
            }
        }
        List<Message> out = buffered.take(max);
        if (full && !out.isEmpty() && buffered.isEmpty() && ahead.get() == null) {
            sendAhead();
        }
        handedOutCount = out.size();
        handedOutAtNanos = System.nanoTime();
        return out;
    }

    /**
     * How many messages the next POLL asks for when the caller takes {@code max}: more only for a
     * caller that handled its last batch fast enough to hand the rest out within
     * {@link #FETCH_AHEAD_NANOS}, and at most {@link #fetchCap}.
     */
    private int fetchSize(int max) {
        return fetchSize(max, fetchCap, handlingNanosPerMessage);
    }

    static int fetchSize(int max, int fetchMax, long handlingNanosPerMessage) {
        if (fetchMax <= max || handlingNanosPerMessage < 0) {
            return max; // nothing measured yet: no more than asked for
        }
        long affordable = FETCH_AHEAD_NANOS / Math.max(1, handlingNanosPerMessage);
        return (int) Math.max(max, Math.min(fetchMax, affordable));
    }

    /**
     * A POLL fetching ahead (asking more than maxPollMessages) refused by a broker whose pollMessagesMax
     * is lower: fetch no more than maxPollMessages from now on. Such a refusal applies none of the acks.
     */
    private boolean refusedAsTooMany(Poll.Response r, Poll.Request request) {
        if (r.error() != ErrorCode.INVALID_REQUEST || request.maxMessages() <= cfg.maxPollMessages()) {
            return false;
        }
        log.info("broker refused a poll of {} messages for group '{}' ({}); fetching at most maxPollMessages {} "
                + "from now on", request.maxMessages(), cfg.group(), r.errorMessage(), cfg.maxPollMessages());
        fetchCap = cfg.maxPollMessages();
        return true;
    }

    /** Puts acks that were sent but not applied back in front of those waiting. */
    private void requeue(List<PendingAck> acks) {
        synchronized (pendingLock) {
            pending.addAll(0, acks);
        }
    }

    /**
     * Messages received and not yet handed out, oldest first: a read cursor over the lists as they
     * arrived. Handing out a batch copies only its references, into the {@link Delivered} the caller
     * gets, with its ack items cut from the runs it came in; {@link #ackWithNextPoll} keeps that list
     * as it is. Consumer thread.
     */
    private static final class Backlog {
        private Delivered items = Delivered.NONE;
        private int next;

        boolean isEmpty() {
            return next == items.size();
        }

        /** Appends {@code more} (kept as it is when nothing waits). */
        void add(Delivered more) {
            if (more.isEmpty()) {
                return;
            }
            items = isEmpty() ? more : Delivered.join(items.slice(next, items.size()), more);
            next = 0;
        }

        /** Up to {@code max} of the oldest. */
        Delivered take(int max) {
            int n = Math.min(max, items.size() - next);
            Delivered out = items.slice(next, next + n);
            next += n;
            if (isEmpty()) {
                clear(); // let the arrived list go
            }
            return out;
        }

        void clear() {
            items = Delivered.NONE;
            next = 0;
        }
    }

    /**
     * Prefetch ({@link Builder#prefetch}): sends the next POLL now, carrying the acks waiting, so its
     * answer travels while the caller handles the batch just returned. It does not wait at the
     * broker (maxWaitMs 0): an empty answer makes the next {@link #poll} ask again, waiting as
     * asked, and a long poll never holds up an {@link #ack} on this connection behind it.
     */
    private void sendAhead() {
        if (!cfg.prefetch() || closed || pollVersion < Poll.VERSION_ACKS_AHEAD
                || pendingAckCount() > ACKS_PER_POLL_MAX || awaitingDurableCount() >= ACKS_AWAITING_DURABLE_MAX) {
            return; // the next poll sends what waits, as without prefetch
        }
        List<PendingAck> riding = takePending();
        AckItemRanges acks = items(messagesOf(riding));
        long sequence = acks.isEmpty() ? 0 : ++ackSequence;
        Poll.Request request = new Poll.Request(cfg.group(), memberId, fetchSize(cfg.maxPollMessages()), 0, acks,
                sequence, pollVersion);
        ahead.set(new Ahead(request, channel.send(request, 0), riding, sequence));
    }

    /**
     * The POLL sent ahead and not yet read: its answer, and the acks that rode on it. Taken (set to
     * null) by whoever reads it: the consumer thread's next poll, or {@link #flushAcks}/{@link #close}.
     */
    private record Ahead(Poll.Request request, CompletableFuture<io.semel.protocol.ApiResponse> answer,
            List<PendingAck> riding, long sequence) {
    }

    /**
     * Settles what rode on a POLL sent ahead and keeps its deliveries for the next poll; after
     * {@link #close} (or a failure) they are not handed out: leaving the group releases them, or
     * they are redelivered after the ack timeout.
     */
    private void drainAhead() {
        Ahead a = ahead.getAndSet(null);
        if (a == null) {
            return;
        }
        Poll.Response r = awaitAhead(a);
        if (refusedAsTooMany(r, a.request())) {
            requeue(a.riding()); // not applied: sent with those waiting
            return;
        }
        Delivered got = answered(a.request(), a.riding(), a.sequence(), r);
        if (!closed) {
            buffered.add(got);
        }
    }

    private Poll.Response awaitAhead(Ahead a) {
        try {
            return channel.await(a.answer(), a.request(), Poll.Response.class, 0);
        } catch (RuntimeException e) {
            fail(a.riding(), e); // outcome unknown: acking again is safe
            throw e;
        }
    }

    /**
     * One POLL now for up to {@code fetch} messages (at least {@code max}), carrying the acks waiting;
     * waits up to {@code waitMs} for deliveries.
     */
    private Delivered pollNow(int waitMs, int max, int fetch) {
        if (pollVersion == Poll.VERSION_PLAIN || pendingAckCount() > ACKS_PER_POLL_MAX) {
            flushAcks(); // an older broker, or more than one request may carry: ACK requests first
        } else if (awaitingDurableCount() >= ACKS_AWAITING_DURABLE_MAX) {
            settleAwaitingDurable();
        }
        List<PendingAck> riding = takePending();
        AckItemRanges acks = items(messagesOf(riding));
        long sequence = 0;
        Poll.Request request;
        Poll.Response r;
        try {
            while (true) {
                sequence = pollVersion >= Poll.VERSION_ACKS_AHEAD && !acks.isEmpty() ? ++ackSequence : 0;
                request = new Poll.Request(cfg.group(), memberId, fetch, waitMs, acks, sequence, pollVersion);
                r = channel.call(request, Poll.Response.class, waitMs);
                if (refusedAsTooMany(r, request)) {
                    fetch = max; // nothing was applied: the same acks again, for fewer messages
                    continue;
                }
                if (r.error() != ErrorCode.UNSUPPORTED_VERSION || pollVersion == Poll.VERSION_PLAIN) {
                    break;
                }
                // An older broker: nothing was applied. v4 -> v3 (deliveries one by one) -> v2 (acks
                // durable with the answer) -> v1 (acks as ACK requests first), from now on.
                if (pollVersion > Poll.VERSION_WITH_ACKS) {
                    pollVersion--;
                } else {
                    pollVersion = Poll.VERSION_PLAIN;
                    sendAcks(riding);
                    riding = List.of();
                    acks = AckItemRanges.empty();
                }
            }
        } catch (RuntimeException e) {
            fail(riding, e); // outcome unknown: acking again is safe
            throw e;
        }
        return answered(request, riding, sequence, r);
    }

    /**
     * Reads the answer {@code r} to {@code request}, which carried {@code riding} numbered
     * {@code sequence}: settles or fails those acks, and returns the deliveries (none after the member
     * had to join again).
     */
    private Delivered answered(Poll.Request request, List<PendingAck> riding, long sequence, Poll.Response r) {
        if (r.error() == ErrorCode.UNKNOWN_GROUP_MEMBER) {
            log.warn("poll: member {} of group '{}' unknown ({}); joining again", memberId, cfg.group(),
                    r.errorMessage());
            DefiniteFailureException gone = new DefiniteFailureException(r.error(), "POLL with acks for group '"
                    + cfg.group() + "' refused: member unknown; its deliveries will be redelivered");
            fail(riding, gone);
            // Applied under the old member; whether they became durable cannot be learnt any more.
            failAwaitingDurable(new SemelException(r.error(), false, "acks of member " + memberId + " of group '"
                    + cfg.group() + "' were applied but the member is gone before they were reported durable; "
                    + "outcome unknown (acking again is safe)", null));
            if (!closed) { // not while closing (the answer of a POLL sent ahead, read by close)
                buffered.clear(); // leased to the old member: redelivered
                memberId = join(channel);
            }
            return Delivered.NONE;
        }
        if (r.error() != ErrorCode.NONE) {
            DefiniteFailureException e = new DefiniteFailureException(r.error(), "POLL group '" + cfg.group()
                    + "' answered " + r.error() + " (" + r.error().code() + "): " + r.errorMessage());
            fail(riding, e);
            throw e;
        }
        if (request.version() >= Poll.VERSION_ACKS_AHEAD) {
            applied(sequence, riding, r.ackResults());
            completeDurableThrough(r.acksDurableThrough());
        } else {
            complete(riding, r.ackResults());
        }
        // Decoded here, on the consumer thread, rather than on the connection's reader thread.
        List<Message> out = new ArrayList<>(r.deliveryCount());
        AckItemRanges.Builder items = AckItemRanges.builder();
        for (DeliveryRun run : r.runs()) {
            run.records().forEach((i, key, value, headers) -> out.add(new Message(run.topic(), run.partition(),
                    run.firstOffset() + i, run.deliveryCount(), run.leaseEpoch(), key, value, headers,
                    run.timestampMs())));
            items.addRange(run.partition(), run.leaseEpoch(), run.firstOffset(), run.lastOffset());
        }
        return new Delivered(Collections.unmodifiableList(out), items.build());
    }

    /**
     * Settles messages with the next {@link #poll}: the acks ride on it, so acking a batch and polling
     * the next is one round trip, and the broker writes both to its group log together. The future
     * completes with one result per message once the acks are durable, as an {@link #ack(List)}'s are:
     * with POLL v3, when a later poll's answer (or the answer to {@link #flushAcks()}) reports them
     * durable, so the poll they rode on is not held up by their fsync; with an older broker, when
     * that poll is answered. It fails if the poll fails, or the member is gone before they are
     * reported durable (then their outcome is unknown; acking again is safe). Until then they are not
     * settled: a crash, a {@link #close()} without them, or an ack timeout means redelivery, which is
     * at-least-once. {@link #flushAcks()}, {@link #close()} and the end of a {@code run*} loop send
     * what is still waiting and wait for what was applied. Consumer thread.
     */
    public CompletableFuture<List<AckResult>> ackWithNextPoll(List<Message> messages) {
        ensureOpen();
        CompletableFuture<List<AckResult>> done = new CompletableFuture<>();
        if (messages.isEmpty()) {
            done.complete(List.of());
            return done;
        }
        synchronized (pendingLock) {
            // A list as poll handed it out is immutable already, and keeps its ack items as ranges.
            pending.add(new PendingAck(messages instanceof Delivered ? messages : List.copyOf(messages), done));
        }
        return done;
    }

    /**
     * Sends the acks waiting for the next poll now, as ACK requests, and blocks until they and the
     * acks of earlier polls are answered durable (or failed).
     */
    public void flushAcks() {
        drainAhead(); // its acks first: they were sent before those waiting
        List<PendingAck> taken = takePending();
        if (!taken.isEmpty()) {
            sendAcks(taken); // answered only once every earlier decision of the group is durable
            completeDurableThrough(Long.MAX_VALUE);
        }
        settleAwaitingDurable();
    }

    /** POLL v3: the acks that rode on the poll numbered {@code sequence} were applied with these results. */
    private void applied(long sequence, List<PendingAck> riding, List<Ack.Result> results) {
        if (riding.isEmpty()) {
            return;
        }
        List<AckResult> out;
        try {
            out = results("POLL acks", messagesOf(riding), ErrorCode.NONE, null, results);
        } catch (SemelException e) {
            fail(riding, e);
            return;
        }
        synchronized (pendingLock) {
            awaitingDurable.addLast(new AppliedAcks(sequence, riding, out));
        }
    }

    /** Completes the applied acks numbered up to {@code through}: the broker reports them durable. */
    private void completeDurableThrough(long through) {
        List<AppliedAcks> done = new ArrayList<>();
        synchronized (pendingLock) {
            while (!awaitingDurable.isEmpty() && awaitingDurable.peekFirst().sequence() <= through) {
                done.add(awaitingDurable.pollFirst());
            }
        }
        // Outside the lock: completing runs the callers' dependent actions.
        done.forEach(a -> distribute(a.acks(), a.results()));
    }

    private int awaitingDurableCount() {
        synchronized (pendingLock) {
            return awaitingDurable.size();
        }
    }

    /**
     * Applied acks not yet reported durable: a HEARTBEAT on the poll's connection is answered only
     * once every earlier decision of the group is durable (the broker's order invariant), so its
     * answer reports them all; any other outcome leaves theirs unknown.
     */
    private void settleAwaitingDurable() {
        if (awaitingDurableCount() == 0) {
            return;
        }
        try {
            Heartbeat.Response r = channel.call(new Heartbeat.Request(cfg.group(), memberId), Heartbeat.Response.class, 0);
            if (r.error() == ErrorCode.NONE) {
                completeDurableThrough(Long.MAX_VALUE);
                return;
            }
            failAwaitingDurable(new SemelException(r.error(), false, "acks applied for group '" + cfg.group()
                    + "' could not be confirmed durable: HEARTBEAT answered " + r.error() + " (" + r.errorMessage()
                    + "); outcome unknown (acking again is safe)", null));
        } catch (SemelException e) {
            failAwaitingDurable(e);
            throw e;
        }
    }

    private void failAwaitingDurable(Throwable e) {
        List<AppliedAcks> failed;
        synchronized (pendingLock) {
            failed = new ArrayList<>(awaitingDurable);
            awaitingDurable.clear();
        }
        failed.forEach(a -> fail(a.acks(), e));
    }

    /** Acks {@code taken} with ACK requests of at most ACKS_PER_POLL_MAX items, completing their futures. */
    private void sendAcks(List<PendingAck> taken) {
        List<Message> all = messagesOf(taken);
        List<AckResult> results = new ArrayList<>(all.size());
        try {
            for (int from = 0; from < all.size(); from += ACKS_PER_POLL_MAX) {
                results.addAll(ackNow(all.subList(from, Math.min(all.size(), from + ACKS_PER_POLL_MAX))));
            }
        } catch (RuntimeException e) {
            fail(taken, e);
            throw e;
        }
        distribute(taken, Collections.unmodifiableList(results));
    }

    /**
     * Completes each waiting ack's future with its slice of {@code results} (one per message, in
     * order; unmodifiable, as {@link #results} makes them).
     */
    private static void distribute(List<PendingAck> taken, List<AckResult> results) {
        if (taken.size() == 1) {
            taken.get(0).done().complete(results);
            return;
        }
        // Views, not copies: results is unmodifiable (see results()), so its sub-lists are too.
        int at = 0;
        for (PendingAck p : taken) {
            p.done().complete(results.subList(at, at + p.messages().size()));
            at += p.messages().size();
        }
    }

    private int pendingAckCount() {
        synchronized (pendingLock) {
            int n = 0;
            for (PendingAck p : pending) {
                n += p.messages().size();
            }
            return n;
        }
    }

    private List<PendingAck> takePending() {
        synchronized (pendingLock) {
            if (pending.isEmpty()) {
                return List.of();
            }
            List<PendingAck> taken = new ArrayList<>(pending);
            pending.clear();
            return taken;
        }
    }

    private static List<Message> messagesOf(List<PendingAck> taken) {
        if (taken.size() == 1) {
            return taken.get(0).messages();
        }
        return new Joined<>(taken.stream().map(PendingAck::messages).toList());
    }

    /** The poll that carried {@code riding} was answered: one result per acked message, in order. */
    private void complete(List<PendingAck> riding, List<Ack.Result> results) {
        if (riding.isEmpty()) {
            return;
        }
        try {
            distribute(riding, results("POLL acks", messagesOf(riding), ErrorCode.NONE, null, results));
        } catch (SemelException e) {
            fail(riding, e);
        }
    }

    private static void fail(List<PendingAck> riding, Throwable e) {
        riding.forEach(p -> p.done().completeExceptionally(e));
    }

    /** ACK layout: ranges (v2) until a broker answers UNSUPPORTED_VERSION, then per item (v1). Poll thread. */
    private short ackVersion = Ack.VERSION_RANGES;

    /**
     * Settles one message.
     *
     * @throws StaleLeaseException the partition was reassigned; the message will be redelivered elsewhere
     * @throws SemelException any other refusal or a connection failure (an ack's outcome is then
     *     unknown; acking again is safe, acks are idempotent)
     */
    public void ack(Message message) {
        AckResult r = ack(List.of(message)).get(0);
        throwFor("ACK", r);
    }

    /** Settles messages; one result per message, in order. Empty in, empty out. */
    public List<AckResult> ack(List<Message> messages) {
        ensureOpen();
        return ackNow(messages);
    }

    private List<AckResult> ackNow(List<Message> messages) {
        if (messages.isEmpty()) {
            return List.of();
        }
        Ack.Response r = channel.call(new Ack.Request(cfg.group(), memberId, items(messages), ackVersion),
                Ack.Response.class, 0);
        if (r.error() == ErrorCode.UNSUPPORTED_VERSION && ackVersion != Ack.VERSION_ITEMS) {
            // A broker from before ACK v2 (ranges): nothing was settled; send per-item acks from now on.
            ackVersion = Ack.VERSION_ITEMS;
            r = channel.call(new Ack.Request(cfg.group(), memberId, items(messages), ackVersion), Ack.Response.class, 0);
        }
        return results("ACK", messages, r.error(), r.errorMessage(), r.results());
    }

    /**
     * Asks for redelivery after nackBackoffMs; {@code error} is recorded in the dead-letter headers
     * if the message reaches the maximum delivery count.
     *
     * @throws StaleLeaseException the partition was reassigned
     */
    public void nack(Message message, String error) {
        ensureOpen();
        List<Message> one = List.of(message);
        Nack.Response r = channel.call(new Nack.Request(cfg.group(), memberId, items(one), error, cfg.nackBackoffMs()),
                Nack.Response.class, 0);
        throwFor("NACK", results("NACK", one, r.error(), r.errorMessage(), r.results()).get(0));
    }

    /** As ranges: a batch acked in order is one range, with no object per message. */
    private static AckItemRanges items(List<Message> messages) {
        AckItemRanges.Builder items = AckItemRanges.builder();
        addItems(items, messages);
        return items.build();
    }

    private static void addItems(AckItemRanges.Builder items, List<? extends Message> messages) {
        if (messages instanceof Delivered d) {
            items.addAll(d.ackItems()); // as handed out: the runs they came in, no message read
        } else if (messages instanceof Joined<? extends Message> j) {
            j.parts().forEach(part -> addItems(items, part));
        } else {
            for (Message m : messages) {
                items.add(m.partition(), m.leaseEpoch(), m.offset());
            }
        }
    }

    private List<AckResult> results(String api, List<Message> messages, ErrorCode error, String errorMessage,
            List<Ack.Result> results) {
        if (error != ErrorCode.NONE) {
            throw new DefiniteFailureException(error, api + " of " + messages.size() + " messages for group '"
                    + cfg.group() + "' refused: " + error + " (" + error.code() + ") " + errorMessage);
        }
        if (results.size() != messages.size()) {
            throw new SemelException(ErrorCode.UNKNOWN_SERVER_ERROR, false, api + " sent " + messages.size()
                    + " items but the broker answered " + results.size() + " results; outcome unknown", null);
        }
        if (results instanceof AckResultRanges ranges) {
            return new AckResults(messages, ranges); // one object, not one per message
        }
        AckResult[] out = new AckResult[messages.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = new AckResult(messages.get(i), results.get(i).error());
        }
        return Collections.unmodifiableList(Arrays.asList(out));
    }

    private static void throwFor(String api, AckResult r) {
        if (r.error() == ErrorCode.STALE_LEASE) {
            Message m = r.message();
            throw new StaleLeaseException(api + " of " + m + " refused: lease epoch " + m.leaseEpoch()
                    + " is stale; the partition was reassigned and the message will be redelivered elsewhere");
        }
        if (!r.ok()) {
            throw new DefiniteFailureException(r.error(), api + " of " + r.message() + " answered " + r.error()
                    + " (" + r.error().code() + ")");
        }
    }

    /**
     * At-most-once loop: acks every polled batch <em>before</em> handling it; a handler exception or a
     * crash loses those messages (that is the guarantee). Runs on the calling thread until
     * {@link #stop()} or {@link #close()}. Messages whose ack was refused (stale lease) are skipped.
     */
    public void runAtMostOnce(MessageHandler handler) {
        Objects.requireNonNull(handler, "handler");
        runLoop(batch -> {
            for (AckResult r : ack(batch)) {
                if (!r.ok()) {
                    log.warn("at-most-once: not handling {}: ack answered {}", r.message(), r.error());
                    continue;
                }
                try {
                    handler.handle(r.message());
                } catch (RuntimeException e) {
                    log.warn("at-most-once: handler failed on {}; the message is dropped", r.message(), e);
                }
            }
        });
    }

    /**
     * At-least-once loop: handles each message, then acks it; a handler exception nacks it with the
     * exception's text, so it is redelivered (and dead-lettered at the maximum delivery count). A
     * crash between handling and ack means the message is handled again. Runs on the calling thread
     * until {@link #stop()} or {@link #close()}.
     */
    public void runAtLeastOnce(MessageHandler handler) {
        Objects.requireNonNull(handler, "handler");
        runLoop(batch -> {
            List<Message> handled = new ArrayList<>(batch.size());
            try {
                for (Message m : batch) {
                    if (stopRequested || closed) {
                        return; // unhandled, unacked: redelivered after the ack timeout
                    }
                    try {
                        handler.handle(m);
                    } catch (RuntimeException e) {
                        settle(() -> nack(m, String.valueOf(e)), m);
                        continue;
                    }
                    handled.add(m);
                }
            } finally {
                // Handled ones ride on the next poll (or the loop's final flush): one round trip per batch.
                if (!handled.isEmpty()) {
                    try {
                        ackWithNextPoll(handled).whenComplete(Consumer::logUnsettled);
                    } catch (ClientClosedException e) {
                        // closed from another thread meanwhile: unacked, so redelivered (at-least-once)
                        log.debug("consumer closed before {} handled messages could be acked", handled.size());
                    }
                }
            }
        });
    }

    private static void logUnsettled(List<AckResult> results, Throwable failure) {
        if (failure != null) {
            log.warn("acks that rode on a poll failed: {}; those messages will be redelivered",
                    failure instanceof SemelException e ? LogText.brief(e) : String.valueOf(failure));
            return;
        }
        for (AckResult r : AckResult.failures(results)) {
            log.warn("ack of {} answered {}; it will be redelivered", r.message(), r.error());
        }
    }

    private void settle(Runnable action, Message m) {
        try {
            action.run();
        } catch (SemelException e) {
            log.warn("settling {}/{}@{} failed: {}; it will be redelivered", m.topic(), m.partition(), m.offset(),
                    LogText.brief(e));
            log.debug("settling {} failed", m, e);
        }
    }

    private void runLoop(java.util.function.Consumer<List<Message>> onBatch) {
        stopRequested = false;
        try {
            loop(onBatch);
        } finally {
            if (!closed) {
                try {
                    flushAcks();
                } catch (SemelException e) {
                    log.debug("flushing acks at the end of the loop failed", e); // logged by logUnsettled
                }
            }
        }
    }

    private void loop(java.util.function.Consumer<List<Message>> onBatch) {
        while (!stopRequested && !closed) {
            List<Message> batch;
            try {
                batch = poll(Duration.ofMillis(cfg.pollTimeoutMs()));
            } catch (ClientClosedException e) {
                return;
            } catch (SemelException e) {
                if (closed) {
                    return;
                }
                log.warn("poll failed: {}; retrying", LogText.brief(e));
                log.debug("poll failed", e);
                sleepQuietly(Math.min(1000, cfg.pollTimeoutMs()));
                continue;
            }
            if (!batch.isEmpty()) {
                onBatch.accept(batch);
            }
        }
    }

    /** Makes a running {@code run*} loop return after its current message or poll. Any thread. */
    public void stop() {
        stopRequested = true;
    }

    private void ensureOpen() {
        if (closed) {
            throw new ClientClosedException("consumer of group '" + cfg.group() + "' is closed");
        }
    }

    /**
     * Stops the heartbeat, leaves the group (its unacked deliveries are redelivered to others) and
     * closes the connections. Any thread; safe more than once.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopRequested = true;
        // Woken, not interrupted: an interrupt during the heartbeat's I/O (its first HELLO, say)
        // would break its connection, and the LEAVE_GROUP below goes over that connection.
        synchronized (heartbeatWake) {
            heartbeatWake.notifyAll();
        }
        try {
            heartbeat.join(cfg.connection().requestTimeoutMs() + 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            // Acks still waiting for a poll: settle them, or leaving would redeliver handled messages;
            // then learn whether those applied with earlier polls are durable.
            flushAcks();
        } catch (SemelException e) {
            log.warn("acks waiting for the next poll failed at close: {}; those messages will be redelivered",
                    LogText.brief(e));
        }
        try {
            LeaveGroup.Response r = heartbeatChannel.call(new LeaveGroup.Request(cfg.group(), memberId),
                    LeaveGroup.Response.class, 0);
            if (r.error() != ErrorCode.NONE) {
                log.warn("LEAVE_GROUP answered {}", r.error());
                log.debug("LEAVE_GROUP answered {}: {}", r.error(), r.errorMessage());
            }
        } catch (SemelException e) {
            log.debug("LEAVE_GROUP failed", e);
            log.warn("LEAVE_GROUP failed: {}; the broker drops the member after sessionTimeoutMs {}", LogText.brief(e),
                    cfg.sessionTimeoutMs());
        }
        heartbeatChannel.close();
        channel.close();
    }

    private static void sleepQuietly(long ms) {
        try {
            TimeUnit.MILLISECONDS.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Settings with units in their names; see docs/client.md for defaults. Not thread-safe. */
    public static final class Builder extends ClientBuilder<Builder> {
        private String group;
        private String topic;
        private int sessionTimeoutMs = 30_000;
        private long heartbeatIntervalMs = -1;
        private int maxPollMessages = 500;
        private int fetchMaxMessages = FETCH_MAX_MESSAGES_DEFAULT;
        private int nackBackoffMs = 1_000;
        private long pollTimeoutMs = 500;
        private boolean prefetch;

        private Builder(String bootstrap) {
            super(bootstrap, "semel-consumer");
        }

        @Override
        Builder self() {
            return this;
        }

        public Builder group(String v) {
            group = Objects.requireNonNull(v);
            return this;
        }

        public Builder topic(String v) {
            topic = Objects.requireNonNull(v);
            return this;
        }

        public Builder sessionTimeoutMs(int v) {
            sessionTimeoutMs = v;
            return this;
        }

        /** Default sessionTimeoutMs / 3; at most that. */
        public Builder heartbeatIntervalMs(long v) {
            heartbeatIntervalMs = v;
            return this;
        }

        public Builder maxPollMessages(int v) {
            maxPollMessages = v;
            return this;
        }

        /**
         * Most messages one POLL fetches (default 4,000; at most maxPollMessages turns fetching ahead
         * off). A {@link #poll} still hands out at most maxPollMessages; the rest wait in the consumer
         * for the next polls, which then need no round trip, and the acks of those batches ride
         * together on the POLL after them. It fetches more than maxPollMessages only for a caller
         * that handled its previous batch fast enough to take the rest within about 100 ms, so
         * messages leased ahead never sit near their ack timeout; a slow handler fetches
         * maxPollMessages as without it. The broker caps a POLL at its maxUnackedPerMember (counting
         * those waiting here) and refuses more than its pollMessagesMax (then this consumer fetches
         * maxPollMessages from then on). Messages fetched and not handed out are released by
         * {@link #close()}.
         */
        public Builder fetchMaxMessages(int v) {
            fetchMaxMessages = v;
            return this;
        }

        public Builder nackBackoffMs(int v) {
            nackBackoffMs = v;
            return this;
        }

        /** How long each poll of the run loops waits for deliveries. */
        public Builder pollTimeoutMs(long v) {
            pollTimeoutMs = v;
            return this;
        }

        /**
         * Prefetch (default off): each {@link #poll} that returns a full-size batch sends the next POLL
         * at once, carrying the acks waiting, so the next batch travels while the caller handles this
         * one (as Kafka's consumer fetches ahead). The price: up to maxPollMessages (or, fetching
         * ahead, {@link #fetchMaxMessages}) more deliveries are leased to this member before the caller asks for them (their ack timeout runs; closing
         * releases them; the broker's maxUnackedPerMember counts them), and acks given with
         * {@link #ackWithNextPoll} ride one poll later.
         */
        public Builder prefetch(boolean v) {
            prefetch = v;
            return this;
        }

        /** Connects and joins the group. @throws SemelException when the join fails */
        public Consumer build() {
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(topic, "topic");
            ConnectionSettings cs = connectionSettings(); // validates the bootstrap address first
            if (sessionTimeoutMs < 3) {
                throw new IllegalArgumentException("sessionTimeoutMs must be >= 3, was " + sessionTimeoutMs);
            }
            long hb = heartbeatIntervalMs < 0 ? sessionTimeoutMs / 3 : heartbeatIntervalMs;
            // Fewer than three heartbeats per session and one lost heartbeat expires the member.
            if (hb < 1 || hb > sessionTimeoutMs / 3) {
                throw new IllegalArgumentException("heartbeatIntervalMs " + hb + " out of range 1.."
                        + sessionTimeoutMs / 3 + " (sessionTimeoutMs / 3)");
            }
            if (maxPollMessages < 1 || nackBackoffMs < 0 || pollTimeoutMs < 0) {
                throw new IllegalArgumentException("maxPollMessages must be >= 1 (was " + maxPollMessages
                        + "), nackBackoffMs and pollTimeoutMs >= 0 (were " + nackBackoffMs + ", " + pollTimeoutMs + ")");
            }
            if (fetchMaxMessages < 1 || fetchMaxMessages > io.semel.protocol.Protocol.MAX_LIST_ITEMS) {
                throw new IllegalArgumentException("fetchMaxMessages must be in 1.." + io.semel.protocol.Protocol.MAX_LIST_ITEMS
                        + " (was " + fetchMaxMessages + ")");
            }
            return new Consumer(new Config(cs, group, topic, sessionTimeoutMs, hb, maxPollMessages, fetchMaxMessages,
                    nackBackoffMs, pollTimeoutMs, prefetch));
        }
    }
}
