package io.semel.client.internal;

import io.semel.client.DefiniteFailureException;
import io.semel.client.FatalProducerException;
import io.semel.client.OutcomeUnknownException;
import io.semel.client.SemelException;
import io.semel.client.internal.BatchDecisions.Answer;
import io.semel.client.internal.BatchDecisions.Decision;
import io.semel.client.internal.BatchDecisions.Mode;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Produce;
import io.semel.protocol.RecordBatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer's sending core, without sockets or threads: which batches to send next (new ones
 * cut from the {@link RecordAccumulator}, resends in sequence order), and what each answer does
 * to a batch, through {@link BatchDecisions} and {@link PartitionState}'s sequence rules. Time
 * comes from an injected {@link NanoClock}. The {@link Sender} drives it from its thread; the
 * simulation drives the very same object from a seeded loop.
 *
 * <p>Not thread-safe: one thread owns it. Futures are never completed here: outcomes are queued on
 * {@link BatchOutcomes} and run by the owner with no lock held.
 */
public final class SendEngine {
    private static final Logger log = LoggerFactory.getLogger(SendEngine.class);

    private final ProducerConfig cfg;
    private final ProducerSession session;
    private final BatchOutcomes outcomes;
    private final NanoClock clock;
    private final Consumer<FatalProducerException> onFatal;
    private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();
    private FatalProducerException fatal;

    /** @param onFatal told once when the producer must stop (the owner then refuses new sends) */
    public SendEngine(ProducerConfig cfg, ProducerSession session, BatchOutcomes outcomes, NanoClock clock,
            Consumer<FatalProducerException> onFatal) {
        this.cfg = cfg;
        this.session = session;
        this.outcomes = outcomes;
        this.clock = clock;
        this.onFatal = onFatal;
    }

    /** Batches with an attempt outstanding, over every partition (counted from them: no tally to drift). */
    public int inFlightTotal() {
        int n = 0;
        for (PartitionState ps : partitions.values()) {
            n += ps.inFlight.size();
        }
        return n;
    }

    public FatalProducerException fatal() {
        return fatal;
    }

    PartitionState state(TopicPartition tp) {
        return partitions.computeIfAbsent(tp, k -> new PartitionState(k, session.firstSequence(k)));
    }

    private Mode mode(ProducerBatch b) {
        if (!cfg.retries()) {
            return Mode.AT_MOST_ONCE;
        }
        if (!cfg.idempotent()) {
            return Mode.AT_LEAST_ONCE;
        }
        return b.explicitSequences ? Mode.CALLER_SEQUENCES : Mode.IDEMPOTENT;
    }

    /**
     * Batches to send now, resends first: per partition, resends (idempotent: only once nothing of it
     * is in flight, in sequence order), then new batches when nothing waits for a resend.
     *
     * @param urgent a caller waits (flush, close): send what is queued without lingering
     * @param batchLimitBytes the largest batch the broker takes
     */
    public List<ProducerBatch> collect(RecordAccumulator acc, boolean urgent, int batchLimitBytes) {
        long now = clock.nanoTime();
        List<ProducerBatch> toSend = new ArrayList<>();
        for (PartitionState ps : new ArrayList<>(partitions.values())) {
            collectResends(ps, now, toSend);
        }
        acc.expire(now);
        for (TopicPartition tp : acc.partitions()) {
            if (fatal != null || !acc.hasRecords(tp)) {
                continue;
            }
            PartitionState ps = state(tp);
            while (!ps.settling() && ps.inFlight.size() < cfg.inFlightBatchesMax() && acc.ready(tp, now, urgent)) {
                ProducerBatch b = acc.take(tp, clock.wallMillis(), batchLimitBytes);
                if (b != null) {
                    if (cfg.idempotent() && !b.explicitSequences) {
                        b.sequenceFrom(ps.nextSequence);
                        ps.nextSequence += b.size();
                    }
                    ps.inFlight.add(b);
                    toSend.add(b);
                }
            }
        }
        return toSend;
    }

    /**
     * What the passing of time does when nothing may be sent (a topic waits for INIT_PRODUCER): queued
     * records and waiting batches past their delivery timeout are told so, as {@link #collect} does
     * before it sends. Without it, an INIT_PRODUCER refused again and again (retriably) would hold
     * them past deliveryTimeoutMs for as long as the refusals last.
     */
    public void expire(RecordAccumulator acc) {
        long now = clock.nanoTime();
        for (PartitionState ps : partitions.values()) {
            expireWaiting(ps, now);
        }
        acc.expire(now);
    }

    private void collectResends(PartitionState ps, long now, List<ProducerBatch> toSend) {
        if (!expireWaiting(ps, now)) {
            return;
        }
        if (cfg.idempotent()) {
            ProducerBatch blocker = ps.release();
            if (blocker != null) {
                ProducerBatch released = ps.releasing.get(0);
                stop(blocker, ErrorCode.OUT_OF_ORDER_SEQUENCE, "cannot release sequences " + released.describe()
                        + " (definitely not appended: " + message(released.lastError) + ") because " + blocker.describe()
                        + " above it may still be appended by a late copy; renumbering could let that copy shadow "
                        + "new records. Close this producer and create a new one (INIT_PRODUCER fences late copies)");
                return;
            }
        }
        while (!ps.retry.isEmpty() && ps.inFlight.size() < cfg.inFlightBatchesMax()
                && now - ps.retry.get(0).retryAtNanos >= 0) {
            ProducerBatch b = ps.retry.remove(0);
            b.moveTo(b.state() == BatchState.IN_DOUBT ? BatchState.IN_FLIGHT_IN_DOUBT : BatchState.IN_FLIGHT);
            ps.inFlight.add(b);
            toSend.add(b);
        }
    }

    /**
     * Decides the waiting batches of {@code ps} whose delivery timeout passed. Idempotent: only with
     * nothing of the partition in flight (whether a release is safe depends on it).
     *
     * @return false when the partition is not to be touched now (stopped, or idempotent with batches in flight)
     */
    private boolean expireWaiting(PartitionState ps, long now) {
        if (fatal != null || (cfg.idempotent() && !ps.inFlight.isEmpty())) {
            return false;
        }
        List<ProducerBatch> expired = new ArrayList<>();
        for (ProducerBatch b : ps.retry) {
            if (!b.reported && now - b.deadlineNanos >= 0) {
                expired.add(b);
            }
        }
        for (ProducerBatch b : expired) {
            ps.retry.remove(b);
            deadline(ps, b);
        }
        return true;
    }

    /**
     * The PRODUCE for the next attempt of {@code b} (taken from {@link #collect}); null when the
     * batch cannot be encoded (it is then failed).
     */
    public Produce.Request request(ProducerBatch b, int timeoutMs) {
        RecordBatch encoded;
        try {
            encoded = cfg.idempotent() ? b.encode(session.producerId(), session.epoch())
                    : b.encode(RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH);
        } catch (IllegalArgumentException e) {
            onAnswer(b, null, new DefiniteFailureException(ErrorCode.INVALID_REQUEST, false, "cannot encode batch "
                    + b.describe() + ": " + e.getMessage(), e));
            return null;
        }
        b.epochSent = session.epoch();
        return new Produce.Request(b.tp.topic(), b.tp.partition(), timeoutMs, encoded);
    }

    /** Applies the answer to one attempt: a broker response, or {@code err} when none came. */
    public void onAnswer(ProducerBatch b, Produce.Response resp, SemelException err) {
        PartitionState ps = state(b.tp);
        if (!ps.inFlight.remove(b)) {
            return; // settled meanwhile (the producer stopped or closed)
        }
        Answer answer;
        SemelException cause;
        if (err != null) {
            answer = BatchDecisions.classify(err);
            cause = err;
        } else {
            ErrorCode code = resp.error();
            answer = BatchDecisions.classify(code, b.epochSent < session.epoch());
            String detail = "PRODUCE " + b.describe() + " answered " + code + " (" + code.code() + "): "
                    + resp.errorMessage();
            cause = answer == Answer.UNKNOWN ? new OutcomeUnknownException(detail)
                    : answer == Answer.APPENDED ? null : new DefiniteFailureException(code, detail);
        }
        apply(ps, b, BatchDecisions.onAnswer(b.state(), answer, mode(b), ps.lowerPending(b)), cause, resp);
    }

    private void apply(PartitionState ps, ProducerBatch b, Decision d, SemelException cause, Produce.Response resp) {
        if (cause != null) {
            b.lastError = cause;
        }
        b.moveTo(d.next());
        switch (d.outcome()) {
            case CONFIRMED -> outcomes.confirm(b, resp);
            case PENDING -> waitForResend(ps, b, d.backoff());
            case FAILED -> {
                outcomes.fail(b, cause instanceof DefiniteFailureException de ? de : new DefiniteFailureException(
                        ErrorCode.NONE, true, message(cause) + "; it was not appended", cause));
                if (d.next() == BatchState.RELEASING) {
                    ps.addReleasing(b);
                }
            }
            case UNKNOWN -> {
                outcomes.fail(b, cause instanceof OutcomeUnknownException ue ? ue
                        : new OutcomeUnknownException(message(cause), cause));
                if (!d.next().isTerminal()) {
                    log.warn("producer '{}': {} on {}; resending with the same sequences until the broker answers",
                            cfg.name(), cause == null ? "outcome unknown" : LogText.brief(cause), b.tp);
                    log.debug("producer '{}': {}", cfg.name(), message(cause));
                    b.retryAtNanos = clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(cfg.retryBackoffMaxMs());
                    ps.addRetry(b, true);
                }
            }
            case STOP -> stop(b, cause == null ? ErrorCode.NONE : cause.errorCode(), message(cause)
                    + stopReason(b, cause == null ? ErrorCode.NONE : cause.errorCode()));
            default -> throw new IllegalStateException("outcome " + d.outcome());
        }
    }

    private void waitForResend(PartitionState ps, ProducerBatch b, boolean backoff) {
        long now = clock.nanoTime();
        if (backoff && !b.reported && now - b.deadlineNanos >= 0) {
            deadline(ps, b);
            return;
        }
        long delayMs = 0;
        if (backoff) {
            b.attempts++;
            delayMs = Math.min(cfg.retryBackoffMaxMs(), cfg.retryBackoffMs() << Math.min(20, b.attempts - 1));
        }
        b.retryAtNanos = now + TimeUnit.MILLISECONDS.toNanos(delayMs);
        ps.addRetry(b, cfg.idempotent());
    }

    /** The delivery timeout of a waiting batch passed: decide, and tell its callers why. */
    private void deadline(PartitionState ps, ProducerBatch b) {
        Decision d = BatchDecisions.onDeadline(b.state(), mode(b), ps.releaseSafe(b));
        String what = "PRODUCE " + b.describe() + " not confirmed within " + cfg.deliveryTimeoutMs()
                + " ms (deliveryTimeoutMs); last error: " + message(b.lastError);
        SemelException e;
        if (d.outcome() == BatchDecisions.Outcome.FAILED) {
            e = new DefiniteFailureException(ErrorCode.NONE, true, what + "; it was not appended", b.lastError);
        } else if (b.state() == BatchState.IN_DOUBT) {
            e = new OutcomeUnknownException(what + "; it may or may not have been appended", b.lastError);
        } else {
            e = new OutcomeUnknownException(what + "; not appended so far, but it keeps being resent with its "
                    + "sequences because a batch above it is unsettled", b.lastError);
        }
        apply(ps, b, d, e, null);
    }

    private static String stopReason(ProducerBatch b, ErrorCode code) {
        switch (code) {
            case OUT_OF_ORDER_SEQUENCE:
                return "; no lower batch of this producer on " + b.tp + " is unsettled, so the broker's sequence "
                        + "state does not match this producer's (another instance with the same name, or the broker "
                        + "lost records it had confirmed)";
            case PRODUCER_FENCED:
                return "; another instance with the same name took over";
            case DEDUP_STATE_UNKNOWN:
            case UNKNOWN_PRODUCER:
                return "; the broker cannot tell duplicates for this producer any more";
            default:
                return "; an earlier attempt of this batch may be in the log, so it can neither be given up (its "
                        + "sequences) nor be resent (refused)";
        }
    }

    private static String message(Throwable t) {
        return t == null ? "none" : t.getMessage();
    }

    /** Fails {@code b} and makes the producer refuse everything from now on. */
    private void stop(ProducerBatch b, ErrorCode code, String message) {
        log.error("producer '{}' stops: {}", cfg.name(), message);
        FatalProducerException e = FatalProducerException.of(code, message);
        if (!b.state().isTerminal()) {
            b.moveTo(BatchState.ABANDONED);
        }
        outcomes.fail(b, b.state() == BatchState.ABANDONED
                ? new OutcomeUnknownException(message + "; an attempt's outcome is unknown", e) : e);
        if (fatal == null) {
            fatal = e;
            onFatal.accept(e);
        }
    }

    /**
     * Settles every batch (idempotent: safe to call again): waiting-but-never-appended ones with
     * {@code unsent}, ones that may be in the log as unknown.
     */
    public void abortAll(SemelException unsent) {
        for (PartitionState ps : partitions.values()) {
            List<ProducerBatch> all = new ArrayList<>(ps.retry);
            all.addAll(ps.releasing);
            all.addAll(ps.inFlight);
            for (ProducerBatch b : all) {
                boolean notAppended = b.state() == BatchState.BACKOFF || b.state() == BatchState.RELEASING;
                b.moveTo(notAppended ? BatchState.REFUSED : BatchState.ABANDONED);
                outcomes.fail(b, notAppended ? unsent : new OutcomeUnknownException("PRODUCE " + b.describe()
                        + " was sent but not confirmed before the producer stopped (" + unsent.getMessage()
                        + "); it may or may not have been appended", unsent));
            }
            ps.retry.clear();
            ps.releasing.clear();
            ps.inFlight.clear();
        }
    }

    /** The next time {@link #collect} may have work, for the owner's wait; at most {@code idleNanos} ahead. */
    public long nextWakeNanos(RecordAccumulator acc, long now, long idleNanos) {
        long wake = now + idleNanos;
        for (PartitionState ps : partitions.values()) {
            boolean canResend = ps.inFlight.size() < cfg.inFlightBatchesMax()
                    && (ps.inFlight.isEmpty() || !cfg.idempotent());
            if (!ps.retry.isEmpty() && canResend) {
                wake = Math.min(wake, ps.retry.get(0).retryAtNanos);
            }
        }
        for (TopicPartition tp : acc.partitions()) {
            PartitionState ps = partitions.get(tp);
            boolean blocked = ps != null && (ps.inFlight.size() >= cfg.inFlightBatchesMax() || ps.settling());
            if (!blocked) {
                wake = Math.min(wake, acc.lingerDeadline(tp));
            }
        }
        return wake;
    }
}
