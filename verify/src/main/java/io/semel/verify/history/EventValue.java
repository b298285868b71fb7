package io.semel.verify.history;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The {@code value} of a history event; one record per {@link OpFunction}. The same record type is used
 * for the invoke and for the completion of an operation: an invoke carries what was asked, an
 * {@code ok} what was confirmed. Parts unknown at invoke time are empty (lists) or
 * {@link #UNASSIGNED} (numbers). A {@code fail}/{@code info} additionally carries an error message,
 * held on {@link HistoryEvent#error()}.
 *
 * <p>All records are immutable; lists and maps are copied on construction.
 */
public sealed interface EventValue
        permits EventValue.Header, EventValue.Send, EventValue.Deliver, EventValue.Apply, EventValue.Ack,
                EventValue.Nemesis, EventValue.DrainLog, EventValue.ReadState {

    /** Partition or offset not (yet) known, e.g. on a send invoke. */
    long UNASSIGNED = -1;

    /** The {@code f} this value belongs to. */
    OpFunction function();

    /**
     * First line of a history: what the run promised and which faults it scheduled.
     *
     * @param formatVersion history format version, {@link #FORMAT_VERSION} for files written by this code
     * @param guarantee the guarantee the run was configured with; the checker judges against it
     * @param faults every fault the schedule will inject; each must later show up as a nemesis start
     * @param seed the run's seed, or null when the writer did not record it (reports only)
     * @param minConfirmed the checker's volume threshold the run was judged with, or null for the checker's
     *     default; {@code semel check} uses it so that an offline re-check reaches the run's verdict
     */
    record Header(int formatVersion, Guarantee guarantee, List<ScheduledFault> faults, Long seed,
            Integer minConfirmed, String engine) implements EventValue {
        public static final int FORMAT_VERSION = 1;
        /** The engine a history without an {@code engine} field ran on. */
        public static final String ENGINE_SEMEL = "semel";
        /** Kafka keeps no per-record delivery count: the checker does not hold its deliveries to one. */
        public static final String ENGINE_KAFKA = "kafka";

        public Header {
            Objects.requireNonNull(guarantee, "guarantee");
            faults = List.copyOf(faults);
            if (minConfirmed != null && minConfirmed < 1) {
                throw new IllegalArgumentException("minConfirmed must be at least 1, got " + minConfirmed);
            }
        }

        public Header(int formatVersion, Guarantee guarantee, List<ScheduledFault> faults, Long seed,
                Integer minConfirmed) {
            this(formatVersion, guarantee, faults, seed, minConfirmed, null);
        }

        public Header(int formatVersion, Guarantee guarantee, List<ScheduledFault> faults) {
            this(formatVersion, guarantee, faults, null, null);
        }

        /** The engine the run used; {@value #ENGINE_SEMEL} when the header does not say. */
        public String engineOrDefault() {
            return engine == null ? ENGINE_SEMEL : engine;
        }

        /** This header naming the engine the run used ({@code semel} is the default and is not written). */
        public Header withEngine(String runEngine) {
            return new Header(formatVersion, guarantee, faults, seed, minConfirmed,
                    ENGINE_SEMEL.equals(runEngine) ? null : runEngine);
        }

        public Header(Guarantee guarantee, List<ScheduledFault> faults) {
            this(FORMAT_VERSION, guarantee, faults);
        }

        /** This header with the run's seed and the checker threshold it was judged with. */
        public Header withRun(long runSeed, int runMinConfirmed) {
            return new Header(formatVersion, guarantee, faults, runSeed, runMinConfirmed, engine);
        }

        @Override
        public OpFunction function() {
            return OpFunction.HEADER;
        }
    }

    /**
     * Producer send of one logical message "add {@code amt} to account {@code key}". A resend of the same
     * logical message keeps the id and is the same operation.
     *
     * @param partition assigned partition on {@code ok}, else {@link #UNASSIGNED}
     * @param offset assigned offset on {@code ok}, else {@link #UNASSIGNED}
     */
    record Send(String id, String key, long amt, long partition, long offset) implements EventValue {
        public Send {
            requireText(id, "id");
            requireText(key, "key");
        }

        /** The invoke form: nothing assigned yet. */
        public Send(String id, String key, long amt) {
            this(id, key, amt, UNASSIGNED, UNASSIGNED);
        }

        /** The {@code ok} form of this send with the broker's assignment. */
        public Send confirmed(long assignedPartition, long assignedOffset) {
            return new Send(id, key, amt, assignedPartition, assignedOffset);
        }

        @Override
        public OpFunction function() {
            return OpFunction.SEND;
        }
    }

    /**
     * A poll: the messages a consumer received. Empty on invoke.
     *
     * @param consumer the consumer (group member) id; the target name used by nemesis kills
     * @param epoch the lease/assignment epoch the messages were delivered under
     */
    record Deliver(String consumer, long epoch, List<Delivery> messages) implements EventValue {
        public Deliver {
            requireText(consumer, "consumer");
            messages = List.copyOf(messages);
        }

        @Override
        public OpFunction function() {
            return OpFunction.DELIVER;
        }
    }

    /**
     * The consumer's local transaction: business state, dedup records and input position in one
     * commit. {@code ok} = committed, {@code fail} = rolled back, {@code info} = unknown.
     *
     * @param inputOffsets per input partition, the next offset to read once this commits
     */
    record Apply(String consumer, List<String> ids, SortedMap<Integer, Long> inputOffsets) implements EventValue {
        public Apply {
            requireText(consumer, "consumer");
            ids = List.copyOf(ids);
            inputOffsets = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(inputOffsets));
        }

        public Apply(String consumer, List<String> ids, Map<Integer, Long> inputOffsets) {
            this(consumer, ids, new TreeMap<>(inputOffsets));
        }

        @Override
        public OpFunction function() {
            return OpFunction.APPLY;
        }
    }

    /** A consumer's ack of delivered messages to the broker. */
    record Ack(String consumer, List<String> ids) implements EventValue {
        public Ack {
            requireText(consumer, "consumer");
            ids = List.copyOf(ids);
        }

        @Override
        public OpFunction function() {
            return OpFunction.ACK;
        }
    }

    /**
     * An injected fault. {@code ok} means the fault took effect (or was healed, for {@code stop});
     * {@code fail} means it could not be injected.
     *
     * @param fault the fault kind, e.g. {@code kill}, {@code crash-after-commit-before-ack}, {@code drop-reply}
     * @param targets process names (broker, producer and consumer ids) the fault applies to
     */
    record Nemesis(String fault, List<String> targets, NemesisPhase phase) implements EventValue {
        /** kill -9 of the target processes. */
        public static final String KILL = "kill";
        /** A crash point inside the consumer: it dies after its transaction committed, before the ack. */
        public static final String CRASH_AFTER_COMMIT_BEFORE_ACK = "crash-after-commit-before-ack";

        public Nemesis {
            requireText(fault, "fault");
            targets = List.copyOf(targets);
            Objects.requireNonNull(phase, "phase");
        }

        @Override
        public OpFunction function() {
            return OpFunction.NEMESIS;
        }
    }

    /** Final phase: a fresh reader's read of every partition from offset 0. Empty on invoke. */
    record DrainLog(List<LogRecord> records) implements EventValue {
        public DrainLog {
            records = List.copyOf(records);
        }

        @Override
        public OpFunction function() {
            return OpFunction.DRAIN_LOG;
        }
    }

    /**
     * A read of the processor's store, in one transaction: per account the balance and the ids applied to it
     * (appended in the same transaction as the balance), and the committed input position per partition (the
     * next offset to process; empty for consumers that keep no position).
     *
     * @param isFinal true for the final phase's read (the checker's P); false for a read taken while the
     *     workload runs, which is only compared with the reads and applies around it
     */
    record ReadState(SortedMap<String, AccountState> accounts, SortedMap<Integer, Long> positions, boolean isFinal)
            implements EventValue {
        public ReadState {
            accounts = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(accounts));
            positions = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(positions));
        }

        /** A final read. */
        public ReadState(Map<String, AccountState> accounts, Map<Integer, Long> positions) {
            this(new TreeMap<>(accounts), new TreeMap<>(positions), true);
        }

        /** A read taken while the workload runs. */
        public static ReadState during(Map<String, AccountState> accounts, Map<Integer, Long> positions) {
            return new ReadState(new TreeMap<>(accounts), new TreeMap<>(positions), false);
        }

        /** The invoke form of a final read: nothing read yet. */
        public static ReadState empty() {
            return new ReadState(Map.of(), Map.of());
        }

        /** The invoke form of a read taken while the workload runs. */
        public static ReadState emptyDuring() {
            return during(Map.of(), Map.of());
        }

        @Override
        public OpFunction function() {
            return OpFunction.READ_STATE;
        }
    }

    private static void requireText(String s, String name) {
        if (s == null || s.isEmpty()) {
            throw new IllegalArgumentException(name + " must be a non-empty string, got " + s);
        }
    }
}
