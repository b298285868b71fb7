package io.semel.log.producer;

import io.semel.log.AppendRejectedException;
import io.semel.log.Storage;
import io.semel.log.producer.internal.AtomicFiles;
import io.semel.log.producer.internal.RegistryCodec;
import io.semel.protocol.ErrorCode;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Broker-wide register of idempotent producers: stable name to producer id (assigned from 0 in
 * order, never reused), current epoch, the current instance's token, last activity and whether the
 * registration expired; stored in {@value #FILE_NAME} (format on {@link RegistryCodec}). Unlike
 * producer-state snapshots it is not a cache: a corrupt file stops the broker at {@link #open}.
 *
 * <p>Life cycle of an entry (one name):
 *
 * <pre>
 * from      event                                     to        answer
 * --------  ----------------------------------------  --------  -----------------------------------
 * (none)    INIT, new instance                        ACTIVE    new id, epoch 0
 * ACTIVE    INIT, the current instance's token        ACTIVE    same id and epoch (a retried INIT)
 * ACTIVE    INIT, a token replaced earlier            ACTIVE    PRODUCER_FENCED (a late, older INIT)
 * ACTIVE    INIT, any other instance                  ACTIVE    same id, epoch + 1 (fences the old one)
 * ACTIVE    idle for producerIdleExpiryMs             EXPIRED   its PRODUCE gets DEDUP_STATE_UNKNOWN
 * EXPIRED   INIT, new instance                        ACTIVE    same id, epoch + 1 (a fresh start)
 * EXPIRED   expired for producerIdleExpiryMs more     (none)    its PRODUCE gets UNKNOWN_PRODUCER
 * any       RELEASE by its instance, or admin remove  (none)    its PRODUCE gets UNKNOWN_PRODUCER
 * </pre>
 *
 * <p>Only ACTIVE entries count towards {@code producersMax}.
 *
 * <p>Thread-safe: the mutators are {@code synchronized} and deliberately hold the lock across their
 * write and force, an exception to "no lock across blocking I/O": an epoch must be durable before it
 * is handed out, and two inits of one name must persist in the order they return. They are rare
 * (once per producer session, once per expiry pass), so the cost is acceptable. {@link #durableEpoch}
 * and {@link #recordActivity} never take the monitor (event loops call them).
 */
public final class ProducerRegistry {
    public static final String FILE_NAME = "producers.registry";
    /** Default for {@code producersMax}: names registered broker-wide. */
    public static final int PRODUCERS_MAX_DEFAULT = 100_000;
    public static final int NAME_BYTES_MAX = RegistryCodec.NAME_BYTES_MAX;
    /** What {@link #durableEpoch} answers for an expired registration (below -1, "never issued"). */
    public static final short EPOCH_EXPIRED = -2;
    /** Tokens of replaced instances kept per name, to refuse their late INIT_PRODUCERs. */
    public static final int RETIRED_TOKENS_MAX = RegistryCodec.RETIRED_TOKENS_MAX;

    /** What {@link #initProducer} returns: the id and the epoch, already durable. */
    public record InitResult(long producerId, short epoch) {
    }

    /**
     * One registered producer.
     *
     * @param instanceToken token of the instance holding {@code epoch}; 0 = none
     * @param retiredTokens tokens of instances this name had before, oldest first
     * @param lastActiveMs wall-clock time of its last INIT or PRODUCE (as last persisted, or newer)
     * @param expired idle past the expiry: its dedup state is gone
     */
    public record Entry(String name, long producerId, short epoch, long instanceToken, List<Long> retiredTokens,
            long lastActiveMs, boolean expired) {
        public Entry {
            retiredTokens = List.copyOf(retiredTokens);
        }

        public Entry(String name, long producerId, short epoch) {
            this(name, producerId, epoch, 0, List.of(), 0, false);
        }

        Entry withActivity(long ms) {
            return new Entry(name, producerId, epoch, instanceToken, retiredTokens, ms, expired);
        }
    }

    /** What {@link #release} did. */
    public enum ReleaseOutcome {
        /** The registration is gone now. */
        RELEASED,
        /** There was none (released before, or never registered): nothing to do. */
        NOT_REGISTERED,
        /** A newer instance holds the name: left alone. */
        HELD_BY_NEWER_INSTANCE
    }

    private final Storage storage;
    private final int producersMax;
    private final Clock clock;
    private final Map<String, Entry> byName = new HashMap<>();
    private final TreeMap<Long, Entry> byId = new TreeMap<>();
    private long nextProducerId;
    /**
     * Durable epochs by producer id ({@link #EPOCH_EXPIRED} when expired), readable without the monitor
     * (which the mutators hold across their fsync): updated only after the file holding them is forced.
     */
    private final Map<Long, Short> durableEpochs = new ConcurrentHashMap<>();
    /** Last activity by producer id, newer than the file; written by event loops, persisted by {@link #expireIdle}. */
    private final Map<Long, Long> activity = new ConcurrentHashMap<>();

    private ProducerRegistry(Storage storage, int producersMax, Clock clock, RegistryCodec.Contents contents) {
        this.storage = storage;
        this.producersMax = producersMax;
        this.clock = clock;
        this.nextProducerId = contents.nextProducerId();
        long now = clock.millis();
        for (Entry e : contents.entries()) {
            // A file without activity times (format 1) starts every producer's idle time now.
            Entry loaded = e.lastActiveMs() == RegistryCodec.NO_ACTIVITY ? e.withActivity(now) : e;
            byName.put(loaded.name(), loaded);
            byId.put(loaded.producerId(), loaded);
            durableEpochs.put(loaded.producerId(), loaded.expired() ? EPOCH_EXPIRED : loaded.epoch());
        }
    }

    /** {@link #open(Storage, int, Clock)} with the system clock. */
    public static ProducerRegistry open(Storage storage, int producersMax) throws IOException {
        return open(storage, producersMax, Clock.systemUTC());
    }

    /**
     * Loads {@value #FILE_NAME} from {@code storage}, or starts empty when there is none.
     *
     * @param producersMax active names this registry may hold (count); more are refused with
     *     TOO_MANY_PRODUCERS. A file holding more (the limit was lowered) still loads.
     * @param clock wall clock for activity and expiry
     * @throws IOException if the file is corrupt (never reset silently) or the storage fails
     */
    public static ProducerRegistry open(Storage storage, int producersMax, Clock clock) throws IOException {
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(clock, "clock");
        if (producersMax < 1 || producersMax > RegistryCodec.ENTRIES_LIMIT) {
            throw new IllegalArgumentException("producersMax " + producersMax + " outside 1.." + RegistryCodec.ENTRIES_LIMIT);
        }
        RegistryCodec.Contents contents = new RegistryCodec.Contents(0, List.of());
        if (storage.exists(FILE_NAME)) {
            byte[] bytes = AtomicFiles.read(storage, FILE_NAME, RegistryCodec.FILE_BYTES_MAX);
            contents = RegistryCodec.decode(bytes, FILE_NAME);
        }
        return new ProducerRegistry(storage, producersMax, clock, contents);
    }

    /** {@link #initProducer(String, long)} without an instance token: always a new instance. */
    public synchronized InitResult initProducer(String name) throws IOException {
        return initProducer(name, RegistryCodec.NO_TOKEN);
    }

    /**
     * Registers {@code name} (id = next unused, epoch 0) or bumps its epoch, which fences every
     * older instance; a retry of the current instance's INIT (same non-zero token) gets the same id
     * and epoch. Durable before it returns. See the class table.
     *
     * @throws AppendRejectedException INVALID_REQUEST for a bad name, TOO_MANY_PRODUCERS at the limit,
     *     PRODUCER_FENCED for the token of an instance already replaced
     * @throws IllegalStateException when the name's epoch is already {@link Short#MAX_VALUE}
     * @throws IOException if persisting failed; the registry then is as before the call
     */
    public synchronized InitResult initProducer(String name, long instanceToken) throws IOException {
        String problem = RegistryCodec.nameProblem(name);
        if (problem != null) {
            throw new AppendRejectedException(ErrorCode.INVALID_REQUEST, problem
                    + "; use 1.." + NAME_BYTES_MAX + " bytes of printable UTF-8");
        }
        Entry old = byName.get(name);
        long now = clock.millis();
        if (old != null && !old.expired() && instanceToken != RegistryCodec.NO_TOKEN) {
            if (instanceToken == old.instanceToken()) {
                activity.put(old.producerId(), now);
                return new InitResult(old.producerId(), old.epoch()); // a retry: the same answer, no bump
            }
            if (old.retiredTokens().contains(instanceToken)) {
                throw new AppendRejectedException(ErrorCode.PRODUCER_FENCED, "INIT_PRODUCER of producer '" + name
                        + "' comes from an instance that a newer one (epoch " + old.epoch() + ") already replaced; "
                        + "it arrived late and must not fence the newer instance. This instance must stop");
            }
        }
        if ((old == null || old.expired()) && activeCount() >= producersMax) {
            throw new AppendRejectedException(ErrorCode.TOO_MANY_PRODUCERS, "cannot register producer '" + name
                    + "': " + activeCount() + " producer names registered, the limit (producersMax) is "
                    + producersMax + "; reuse an existing producer name, release idle ones (semel producers "
                    + "remove), or raise the limit");
        }
        Entry updated;
        if (old == null) {
            updated = new Entry(name, nextProducerId, (short) 0, instanceToken, List.of(), now, false);
        } else {
            if (old.epoch() == Short.MAX_VALUE) {
                throw new IllegalStateException("producer '" + name + "' (id " + old.producerId() + ") is at epoch "
                        + old.epoch() + ", the largest an epoch can be; it cannot be initialized again. Use a new "
                        + "producer name (its sequences start over at 0)");
            }
            updated = new Entry(name, old.producerId(), (short) (old.epoch() + 1), instanceToken,
                    retire(old.retiredTokens(), old.instanceToken()), now, false);
        }
        Map<String, Entry> changes = new HashMap<>();
        changes.put(name, updated);
        commit(changes, old == null ? nextProducerId + 1 : nextProducerId);
        return new InitResult(updated.producerId(), updated.epoch());
    }

    private static List<Long> retire(List<Long> retired, long token) {
        if (token == RegistryCodec.NO_TOKEN) {
            return retired;
        }
        List<Long> out = new ArrayList<>(retired);
        out.add(token);
        return out.size() > RETIRED_TOKENS_MAX ? out.subList(out.size() - RETIRED_TOKENS_MAX, out.size()) : out;
    }

    /**
     * An instance holding {@code heldEpoch} joins another topic: no bump.
     *
     * @throws AppendRejectedException UNKNOWN_PRODUCER (never registered, released), DEDUP_STATE_UNKNOWN
     *     (expired), PRODUCER_FENCED (a newer epoch exists)
     */
    public synchronized InitResult join(String name, short heldEpoch) {
        Entry e = byName.get(name);
        if (e == null) {
            throw new AppendRejectedException(ErrorCode.UNKNOWN_PRODUCER, "producer '" + name + "' is not registered "
                    + "(never initialised, released or removed); send INIT_PRODUCER with currentEpoch -1 first");
        }
        if (e.expired()) {
            throw new AppendRejectedException(ErrorCode.DEDUP_STATE_UNKNOWN, "producer '" + name + "' (id "
                    + e.producerId() + ") expired after being idle since " + e.lastActiveMs() + " ms (wall clock); its "
                    + "dedup state is gone. Stop this instance and start a new one");
        }
        if (e.epoch() != heldEpoch) {
            throw new AppendRejectedException(ErrorCode.PRODUCER_FENCED, "producer '" + name + "' holds epoch "
                    + heldEpoch + " but epoch " + e.epoch() + " exists; this instance must stop");
        }
        activity.put(e.producerId(), clock.millis());
        return new InitResult(e.producerId(), e.epoch());
    }

    /**
     * Removes {@code name}'s registration: its producer id is never issued again, and a batch still
     * carrying it gets UNKNOWN_PRODUCER. Idempotent.
     *
     * @param epoch the epoch of the instance releasing itself (a newer instance is left alone), or
     *     -1 to remove whichever instance holds it (an operator's decision)
     * @return what happened, and the id removed (-1 when none)
     */
    public synchronized Released release(String name, short epoch) throws IOException {
        Entry e = byName.get(name);
        if (e == null) {
            return new Released(ReleaseOutcome.NOT_REGISTERED, -1);
        }
        if (epoch >= 0 && e.epoch() != epoch) {
            return new Released(ReleaseOutcome.HELD_BY_NEWER_INSTANCE, -1);
        }
        Map<String, Entry> changes = new HashMap<>();
        changes.put(name, null);
        commit(changes, nextProducerId);
        return new Released(ReleaseOutcome.RELEASED, e.producerId());
    }

    /** The outcome of {@link #release} and the producer id it removed (-1 when none). */
    public record Released(ReleaseOutcome outcome, long producerId) {
    }

    /**
     * One expiry pass: ACTIVE entries idle for {@code idleExpiryMs} become EXPIRED, EXPIRED ones
     * idle for twice that are removed, and newer activity times are persisted. One durable write
     * when anything changed.
     *
     * @return producer ids that expired or were removed in this pass (their partition state can go)
     */
    public synchronized List<Long> expireIdle(long idleExpiryMs) throws IOException {
        return expireIdle(idleExpiryMs, name -> true);
    }

    /**
     * As {@link #expireIdle(long)}, for the names {@code expires} accepts only (the broker exempts its
     * own dead-letter producers, whose sequences come from the group log and must never lose state).
     */
    public synchronized List<Long> expireIdle(long idleExpiryMs, java.util.function.Predicate<String> expires)
            throws IOException {
        if (idleExpiryMs < 1) {
            throw new IllegalArgumentException("idleExpiryMs " + idleExpiryMs + " < 1");
        }
        long now = clock.millis();
        Map<String, Entry> changes = new HashMap<>();
        List<Long> gone = new ArrayList<>();
        for (Entry e : byName.values()) {
            if (!expires.test(e.name())) {
                continue;
            }
            long last = lastActiveMs(e);
            long idleMs = now - last;
            if (!e.expired() && idleMs >= idleExpiryMs) {
                changes.put(e.name(), new Entry(e.name(), e.producerId(), e.epoch(), e.instanceToken(),
                        e.retiredTokens(), last, true));
                gone.add(e.producerId());
            } else if (e.expired() && idleMs / 2 >= idleExpiryMs) {
                changes.put(e.name(), null);
                gone.add(e.producerId());
            } else if (!e.expired() && last != e.lastActiveMs()) {
                changes.put(e.name(), e.withActivity(last));
            }
        }
        if (!changes.isEmpty()) {
            commit(changes, nextProducerId);
        }
        return gone;
    }

    /** Applies {@code changes} (name to new entry, null = remove), persists, and only then publishes. */
    private void commit(Map<String, Entry> changes, long next) throws IOException {
        Map<String, Entry> before = new HashMap<>();
        for (String name : changes.keySet()) {
            before.put(name, byName.get(name));
        }
        changes.forEach(this::set);
        try {
            AtomicFiles.write(storage, FILE_NAME, RegistryCodec.encode(next, byId.values()));
        } catch (IOException | RuntimeException e) {
            // Not handed out: forget it, so memory never runs ahead of what a restart would see.
            before.forEach(this::set);
            throw e;
        }
        nextProducerId = next;
        changes.forEach((name, e) -> {
            if (e == null) {
                long id = before.get(name).producerId();
                durableEpochs.remove(id);
                activity.remove(id);
            } else {
                durableEpochs.put(e.producerId(), e.expired() ? EPOCH_EXPIRED : e.epoch());
            }
        });
    }

    private void set(String name, Entry e) {
        Entry old = byName.remove(name);
        if (old != null) {
            byId.remove(old.producerId());
        }
        if (e != null) {
            byName.put(name, e);
            byId.put(e.producerId(), e);
        }
    }

    private long lastActiveMs(Entry e) {
        return Math.max(e.lastActiveMs(), activity.getOrDefault(e.producerId(), Long.MIN_VALUE));
    }

    private long activeCount() {
        return byName.values().stream().filter(e -> !e.expired()).count();
    }

    /**
     * Notes that {@code producerId} produced just now; lock-free, for event loops. Persisted by the
     * next {@link #expireIdle} pass (a crash loses at most one pass interval of it).
     */
    public void recordActivity(long producerId) {
        if (durableEpochs.containsKey(producerId)) {
            activity.put(producerId, clock.millis());
        }
    }

    /** The current epoch of {@code producerId}, or -1 if this registry never issued it. */
    public synchronized short currentEpoch(long producerId) {
        Entry e = byId.get(producerId);
        return e == null ? (short) -1 : e.expired() ? EPOCH_EXPIRED : e.epoch();
    }

    /**
     * The current durable epoch of {@code producerId}: -1 if this registry does not know it (never
     * issued, released, removed), {@link #EPOCH_EXPIRED} if it expired; never waits for the monitor,
     * so event loops may call it. An epoch being persisted right now is not visible yet, which is
     * right: nobody holds it before {@link #initProducer} returns.
     */
    public short durableEpoch(long producerId) {
        Short e = durableEpochs.get(producerId);
        return e == null ? (short) -1 : e;
    }

    public synchronized boolean isKnown(long producerId) {
        return byId.containsKey(producerId);
    }

    public synchronized Optional<Entry> lookup(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Every registered producer, by id, with its latest activity. */
    public synchronized List<Entry> entries() {
        return byName.values().stream().map(e -> e.withActivity(lastActiveMs(e)))
                .sorted(Comparator.comparingLong(Entry::producerId)).toList();
    }

    /** Registered names, expired ones included. */
    public synchronized int size() {
        return byName.size();
    }
}
