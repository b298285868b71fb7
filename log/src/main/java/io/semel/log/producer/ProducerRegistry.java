package io.semel.log.producer;

import io.semel.log.AppendRejectedException;
import io.semel.log.Storage;
import io.semel.log.producer.internal.AtomicFiles;
import io.semel.log.producer.internal.RegistryCodec;
import io.semel.protocol.ErrorCode;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Broker-wide register of idempotent producers: stable name to producer id (assigned from 0 in
 * order, never reused) and current epoch, stored in {@value #FILE_NAME} (format on
 * {@link RegistryCodec}). Unlike producer-state snapshots it is not a cache: a corrupt file stops
 * the broker at {@link #open}.
 *
 * <p>Thread-safe: every method is {@code synchronized}. {@link #initProducer} deliberately holds
 * the lock across its write and force, an exception to "no lock across blocking I/O": an epoch
 * must be durable before it is handed out, and two inits of one name must persist in the order
 * they return. InitProducer is rare (once per producer session), so the cost is acceptable.
 */
public final class ProducerRegistry {
    public static final String FILE_NAME = "producers.registry";
    /** Default for {@code producersMax}: names registered broker-wide. */
    public static final int PRODUCERS_MAX_DEFAULT = 100_000;
    public static final int NAME_BYTES_MAX = RegistryCodec.NAME_BYTES_MAX;

    /** What {@link #initProducer} returns: the id and the new epoch, already durable. */
    public record InitResult(long producerId, short epoch) {
    }

    /** One registered producer. */
    public record Entry(String name, long producerId, short epoch) {
    }

    private final Storage storage;
    private final int producersMax;
    private final Map<String, Entry> byName = new HashMap<>();
    private final TreeMap<Long, Entry> byId = new TreeMap<>();
    private long nextProducerId;
    /**
     * Durable epochs by producer id, readable without the monitor (which {@link #initProducer} holds
     * across its fsync): updated only after the registry file holding an epoch is forced.
     */
    private final Map<Long, Short> durableEpochs = new java.util.concurrent.ConcurrentHashMap<>();

    private ProducerRegistry(Storage storage, int producersMax, RegistryCodec.Contents contents) {
        this.storage = storage;
        this.producersMax = producersMax;
        this.nextProducerId = contents.nextProducerId();
        for (Entry e : contents.entries()) {
            byName.put(e.name(), e);
            byId.put(e.producerId(), e);
            durableEpochs.put(e.producerId(), e.epoch());
        }
    }

    /**
     * Loads {@value #FILE_NAME} from {@code storage}, or starts empty when there is none.
     *
     * @param producersMax names this registry may hold in total (count); more are refused with
     *     TOO_MANY_PRODUCERS. A file holding more (the limit was lowered) still loads.
     * @throws IOException if the file is corrupt (never reset silently) or the storage fails
     */
    public static ProducerRegistry open(Storage storage, int producersMax) throws IOException {
        Objects.requireNonNull(storage, "storage");
        if (producersMax < 1 || producersMax > RegistryCodec.ENTRIES_LIMIT) {
            throw new IllegalArgumentException("producersMax " + producersMax + " outside 1.." + RegistryCodec.ENTRIES_LIMIT);
        }
        RegistryCodec.Contents contents = new RegistryCodec.Contents(0, List.of());
        if (storage.exists(FILE_NAME)) {
            byte[] bytes = AtomicFiles.read(storage, FILE_NAME, RegistryCodec.FILE_BYTES_MAX);
            contents = RegistryCodec.decode(bytes, FILE_NAME);
        }
        return new ProducerRegistry(storage, producersMax, contents);
    }

    /**
     * Registers {@code name} (id = next unused, epoch 0) or bumps its epoch, which fences every
     * older instance. Durable before it returns.
     *
     * @throws AppendRejectedException INVALID_REQUEST for a bad name, TOO_MANY_PRODUCERS at the limit
     * @throws IllegalStateException when the name's epoch is already {@link Short#MAX_VALUE}
     * @throws IOException if persisting failed; the registry then is as before the call
     */
    public synchronized InitResult initProducer(String name) throws IOException {
        String problem = RegistryCodec.nameProblem(name);
        if (problem != null) {
            throw new AppendRejectedException(ErrorCode.INVALID_REQUEST, problem
                    + "; use 1.." + NAME_BYTES_MAX + " bytes of printable UTF-8");
        }
        Entry old = byName.get(name);
        Entry updated;
        if (old == null) {
            if (byName.size() >= producersMax) {
                throw new AppendRejectedException(ErrorCode.TOO_MANY_PRODUCERS, "cannot register producer '" + name
                        + "': " + byName.size() + " producer names registered, the limit (producersMax) is "
                        + producersMax + "; reuse an existing producer name or raise the limit");
            }
            updated = new Entry(name, nextProducerId, (short) 0);
        } else {
            if (old.epoch() == Short.MAX_VALUE) {
                throw new IllegalStateException("producer '" + name + "' (id " + old.producerId() + ") is at epoch "
                        + old.epoch() + ", the largest an epoch can be; it cannot be initialized again. Use a new "
                        + "producer name (its sequences start over at 0)");
            }
            updated = new Entry(name, old.producerId(), (short) (old.epoch() + 1));
        }
        long next = old == null ? nextProducerId + 1 : nextProducerId;
        put(updated);
        try {
            AtomicFiles.write(storage, FILE_NAME, RegistryCodec.encode(next, byId.values()));
        } catch (IOException | RuntimeException e) {
            // Not handed out: forget it, so memory never runs ahead of what a restart would see.
            if (old == null) {
                byName.remove(name);
                byId.remove(updated.producerId());
            } else {
                put(old);
            }
            throw e;
        }
        nextProducerId = next;
        durableEpochs.put(updated.producerId(), updated.epoch());
        return new InitResult(updated.producerId(), updated.epoch());
    }

    private void put(Entry e) {
        byName.put(e.name(), e);
        byId.put(e.producerId(), e);
    }

    /** The current epoch of {@code producerId}, or -1 if this registry never issued it. */
    public synchronized short currentEpoch(long producerId) {
        Entry e = byId.get(producerId);
        return e == null ? (short) -1 : e.epoch();
    }

    /**
     * The current durable epoch of {@code producerId}, or -1 if this registry never issued it; never waits
     * for the monitor, so event loops may call it. An epoch being persisted right now is not visible yet,
     * which is right: nobody holds it before {@link #initProducer} returns.
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

    /** Registered names. */
    /** Every registered producer, by id. */
    public synchronized List<Entry> entries() {
        return byName.values().stream().sorted(java.util.Comparator.comparingLong(Entry::producerId)).toList();
    }

    public synchronized int size() {
        return byName.size();
    }
}
