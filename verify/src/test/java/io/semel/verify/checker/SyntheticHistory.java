package io.semel.verify.checker;

import io.semel.verify.history.AccountState;
import io.semel.verify.history.Delivery;
import io.semel.verify.history.EventValue;
import io.semel.verify.history.Guarantee;
import io.semel.verify.history.HistoryWriter;
import io.semel.verify.history.LogRecord;
import io.semel.verify.history.NemesisPhase;
import io.semel.verify.history.ScheduledFault;
import java.io.BufferedWriter;
import java.io.FilterWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Writes a large, valid, non-trivial exactly-once history with {@link HistoryWriter}, shaped like a soak: producers
 * with lanes send (a few fail, a few end unknown and never reach the log), consumers get batches per partition
 * (some delivered twice, the second time with count 2), apply and ack them; eight mid-run reads, two faults, the
 * drained log and the final read. Per confirmed message about 2.6 events (batch 10). Deterministic per seed.
 *
 * <p>{@link Plant} switches in one anomaly each, at known subjects ({@link #plantedId}). Not thread-safe.
 */
final class SyntheticHistory {
    /** Anomalies the generator can plant; each names the subject the checker must report. */
    enum Plant { LOST, DUP_APPLIED, LOG_HOLE, DUP_LOG }

    static final int PARTITIONS = 8;
    static final int CONSUMERS = 4;
    static final int BATCH = 10;
    static final int ACCOUNTS = 50;
    static final int PRODUCERS = 4;
    static final int LANES = 4;
    static final int MID_RUN_READS = 8;

    private final Random random;
    private final int messages;
    private final List<Plant> plants;
    private final List<List<String>> pendingIds = new ArrayList<>();
    private final List<List<Long>> pendingOffsets = new ArrayList<>();
    private final long[] nextOffset = new long[PARTITIONS];
    private final long[] appliedUpTo = new long[PARTITIONS];
    private final List<LogRecord> log = new ArrayList<>();
    private final Map<String, List<String>> appliedByAccount = new TreeMap<>();
    private final Map<String, Long> balance = new TreeMap<>();
    private final Map<String, String> accountOf = new java.util.HashMap<>();
    private final Map<String, Long> amtOf = new java.util.HashMap<>();
    private final int[] incarnation = new int[PRODUCERS * LANES];
    private int batches;
    private HistoryWriter w;

    SyntheticHistory(int messages, long seed, List<Plant> plants) {
        this.messages = messages;
        this.random = new Random(seed);
        this.plants = List.copyOf(plants);
        for (int p = 0; p < PARTITIONS; p++) {
            pendingIds.add(new ArrayList<>());
            pendingOffsets.add(new ArrayList<>());
        }
    }

    /** The id a plant is about: a message in the middle of the run, on partition 3, one per plant. */
    static String plantedId(int messages, Plant plant) {
        int n = messages / 2 / PARTITIONS * PARTITIONS + 3 + PARTITIONS * plant.ordinal();
        return id(n);
    }

    static String id(int n) {
        int producer = n % PRODUCERS;
        return "p" + producer + "-g0-" + String.format("%07d", n);
    }

    /** Writes the history to {@code file}; returns the number of events written after the header. */
    long write(Path file) throws IOException {
        // The writer flushes every line; a soak-sized file is written faster when that flush stays in the buffer.
        Writer out = new FilterWriter(new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 20)) {
            @Override
            public void flush() {
            }
        };
        long[] clock = {1_000_000};
        List<ScheduledFault> faults = List.of(new ScheduledFault(EventValue.Nemesis.KILL, List.of("c1")),
                new ScheduledFault(EventValue.Nemesis.CRASH_AFTER_COMMIT_BEFORE_ACK, List.of("c2")));
        try (HistoryWriter hw = new HistoryWriter(out, () -> clock[0] += 1_000,
                new EventValue.Header(EventValue.Header.FORMAT_VERSION, Guarantee.EXACTLY_ONCE, faults, 1L, 100))) {
            w = hw;
            long events = workload();
            w = null;
            return events;
        }
    }

    private long workload() throws IOException {
        long events = 0;
        int readEvery = Math.max(1, messages / (MID_RUN_READS + 1));
        for (int n = 0; n < messages; n++) {
            events += send(n);
            if (n == messages / 3) {
                events += nemesis(faultAt(0), NemesisPhase.START) + nemesis(faultAt(0), NemesisPhase.STOP);
            }
            if (n == 2 * messages / 3) {
                events += nemesis(faultAt(1), NemesisPhase.START) + nemesis(faultAt(1), NemesisPhase.STOP);
            }
            if (n > 0 && n % readEvery == 0 && n / readEvery <= MID_RUN_READS) {
                events += read(false);
            }
        }
        for (int p = 0; p < PARTITIONS; p++) {
            events += flush(p);
        }
        String drainer = "drainer";
        w.invoke(drainer, new EventValue.DrainLog(List.of()));
        w.ok(drainer, new EventValue.DrainLog(finalLog()));
        return events + 2 + read(true);
    }

    private ScheduledFault faultAt(int k) {
        return k == 0 ? new ScheduledFault(EventValue.Nemesis.KILL, List.of("c1"))
                : new ScheduledFault(EventValue.Nemesis.CRASH_AFTER_COMMIT_BEFORE_ACK, List.of("c2"));
    }

    private long nemesis(ScheduledFault f, NemesisPhase phase) throws IOException {
        EventValue.Nemesis v = new EventValue.Nemesis(f.fault(), f.targets(), phase);
        w.invoke("nemesis", v);
        w.ok("nemesis", v);
        return 2;
    }

    private long send(int n) throws IOException {
        String id = id(n);
        int lane = n % (PRODUCERS * LANES);
        String proc = "p" + (n % PRODUCERS) + ".l" + lane + "." + incarnation[lane];
        String account = String.format("a%02d", random.nextInt(ACCOUNTS));
        long amt = 1 + random.nextInt(100);
        EventValue.Send invoke = new EventValue.Send(id, account, amt);
        w.invoke(proc, invoke);
        int roll = random.nextInt(2000);
        if (roll == 0) {
            w.fail(proc, invoke, "rejected: synthetic");
            return 2;
        }
        if (roll == 1) {
            // Unknown and, here, never logged: absent everywhere is a legal outcome of an unknown send.
            w.info(proc, invoke, "timeout: synthetic");
            incarnation[lane]++;
            return 2;
        }
        int p = n % PARTITIONS;
        long offset = nextOffset[p]++;
        w.ok(proc, invoke.confirmed(p, offset));
        log.add(new LogRecord(p, offset, id));
        accountOf.put(id, account);
        amtOf.put(id, amt);
        pendingIds.get(p).add(id);
        pendingOffsets.get(p).add(offset);
        return 2 + (pendingIds.get(p).size() >= BATCH ? flush(p) : 0);
    }

    /** Delivers, applies and acks the pending batch of partition {@code p}; now and then delivers it twice. */
    private long flush(int p) throws IOException {
        List<String> ids = pendingIds.get(p);
        if (ids.isEmpty()) {
            return 0;
        }
        String consumer = "c" + (1 + p % CONSUMERS);
        List<Long> offsets = pendingOffsets.get(p);
        long events = 0;
        boolean twice = batches++ % 200 == 7;
        events += deliver(consumer, p, ids, offsets, 1);
        if (twice) {
            events += deliver(consumer, p, ids, offsets, 2);
        }
        List<String> applied = new ArrayList<>(ids);
        String appliedTwice = plantedId(messages, Plant.DUP_APPLIED);
        if (plants.contains(Plant.DUP_APPLIED) && ids.contains(appliedTwice)) {
            applied.add(appliedTwice);
        }
        String proc = consumer + ".apply";
        EventValue.Apply apply = new EventValue.Apply(consumer, applied, Map.of(p, offsets.get(offsets.size() - 1) + 1));
        w.invoke(proc, apply);
        w.ok(proc, apply);
        for (String id : applied) {
            String account = accountOf.get(id);
            appliedByAccount.computeIfAbsent(account, k -> new ArrayList<>()).add(id);
            balance.merge(account, amtOf.get(id), Long::sum);
        }
        appliedUpTo[p] = offsets.get(offsets.size() - 1) + 1;
        EventValue.Ack ack = new EventValue.Ack(consumer, ids);
        w.invoke(consumer + ".ack", ack);
        w.ok(consumer + ".ack", ack);
        ids.clear();
        offsets.clear();
        return events + 4;
    }

    private long deliver(String consumer, int p, List<String> ids, List<Long> offsets, int count) throws IOException {
        List<Delivery> ms = new ArrayList<>();
        for (int k = 0; k < ids.size(); k++) {
            ms.add(new Delivery(ids.get(k), p, offsets.get(k), count, 1));
        }
        String proc = consumer + ".poll";
        w.invoke(proc, new EventValue.Deliver(consumer, 1, List.of()));
        w.ok(proc, new EventValue.Deliver(consumer, 1, ms));
        return 2;
    }

    private long read(boolean isFinal) throws IOException {
        Map<String, AccountState> accounts = new TreeMap<>();
        String lost = isFinal && plants.contains(Plant.LOST) ? plantedId(messages, Plant.LOST) : null;
        appliedByAccount.forEach((key, ids) -> {
            List<String> kept = new ArrayList<>(ids);
            long bal = balance.get(key);
            if (lost != null && kept.remove(lost)) {
                bal -= amtOf.get(lost);
            }
            accounts.put(key, new AccountState(bal, kept));
        });
        Map<Integer, Long> positions = new TreeMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            positions.put(p, appliedUpTo[p]);
        }
        String proc = isFinal ? "final-reader" : "state-reader";
        w.invoke(proc, isFinal ? EventValue.ReadState.empty() : EventValue.ReadState.emptyDuring());
        w.ok(proc, isFinal ? new EventValue.ReadState(accounts, positions) : EventValue.ReadState.during(accounts, positions));
        return 2;
    }

    private List<LogRecord> finalLog() {
        List<LogRecord> out = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            for (LogRecord r : log) {
                if (r.partition() != p) {
                    continue;
                }
                if (plants.contains(Plant.LOG_HOLE) && r.id().equals(plantedId(messages, Plant.LOG_HOLE))) {
                    continue;
                }
                out.add(r);
            }
            if (plants.contains(Plant.DUP_LOG) && p == 3) {
                out.add(new LogRecord(p, nextOffset[p], plantedId(messages, Plant.DUP_LOG)));
            }
        }
        return out;
    }
}
