package io.semel.verify.checker;

import static io.semel.verify.testing.HistoryBuilder.d;
import static org.assertj.core.api.Assertions.assertThat;

import io.semel.verify.history.EventValue;
import io.semel.verify.history.Guarantee;
import io.semel.verify.history.History;
import io.semel.verify.testing.HistoryBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Random correct exactly-once runs, generated from a seed as a plain model (sends, log, consumer batches,
 * final state) and rendered through {@link HistoryBuilder}; then the same run with one fault injected
 * into the model.
 */
class CheckerProperties {
    private final Checker checker = new Checker(new CheckerOptions(1));

    /** One message of the model. */
    private record Msg(String id, String key, long amt, char outcome, boolean inLog, int partition, long offset) {
    }

    /** A correct run: every stored message delivered, applied once and acked, sometimes after a consumer kill. */
    private static final class Run {
        final List<Msg> msgs = new ArrayList<>();
        final List<Msg> logged = new ArrayList<>();
        final Random rnd;
        final HistoryBuilder b = HistoryBuilder.of(Guarantee.EXACTLY_ONCE);
        final Map<String, List<String>> appliedByKey = new LinkedHashMap<>();
        final Map<String, Long> balance = new LinkedHashMap<>();

        Run(long seed) {
            rnd = new Random(seed);
            int n = 3 + rnd.nextInt(30);
            int partitions = 1 + rnd.nextInt(3);
            long[] nextOffset = new long[partitions];
            for (int k = 0; k < n; k++) {
                // The first three are ok, fail and a stored unknown, so every injection has something to work on.
                char outcome = k == 0 ? 'o' : k == 1 ? 'f' : k == 2 ? 'i' : "oooooiif".charAt(rnd.nextInt(8));
                boolean inLog = outcome == 'o' || (outcome == 'i' && (k == 2 || rnd.nextBoolean()));
                int p = rnd.nextInt(partitions);
                Msg m = new Msg("m" + k, "k" + rnd.nextInt(4), 1 + rnd.nextInt(100), outcome, inLog, p,
                        inLog ? nextOffset[p]++ : EventValue.UNASSIGNED);
                msgs.add(m);
                if (inLog) {
                    logged.add(m);
                }
            }
        }

        /** Renders sends, consumer batches and the final reads; returns the builder for injections. */
        HistoryBuilder render() {
            for (Msg m : msgs) {
                switch (m.outcome()) {
                    case 'o' -> b.sendOk(m.id(), m.key(), m.amt(), m.partition(), m.offset());
                    case 'f' -> b.sendFail(m.id(), m.key(), m.amt());
                    default -> b.sendInfo(m.id(), m.key(), m.amt());
                }
            }
            int consumer = 1;
            for (int from = 0; from < logged.size(); ) {
                int to = Math.min(logged.size(), from + 1 + rnd.nextInt(5));
                List<Msg> batch = logged.subList(from, to);
                String c = "c" + consumer;
                b.deliver(c, consumer, batch.stream().map(m -> d(m.id(), m.partition(), m.offset(), 1))
                        .toArray(io.semel.verify.history.Delivery[]::new));
                b.apply(c, ids(batch));
                if (rnd.nextInt(3) == 0) {
                    b.schedule(EventValue.Nemesis.KILL, c).nemesis(EventValue.Nemesis.KILL, c);
                    consumer++;
                    c = "c" + consumer;
                    b.deliver(c, consumer, batch.stream().map(m -> d(m.id(), m.partition(), m.offset(), 2))
                            .toArray(io.semel.verify.history.Delivery[]::new));
                }
                b.ack(c, ids(batch));
                for (Msg m : batch) {
                    appliedByKey.computeIfAbsent(m.key(), k -> new ArrayList<>()).add(m.id());
                    balance.merge(m.key(), m.amt(), Long::sum);
                }
                from = to;
            }
            for (Msg m : logged) {
                b.addLogRecord(m.partition(), m.offset(), m.id());
            }
            appliedByKey.forEach((k, ids) -> b.account(k, balance.get(k), ids.toArray(String[]::new)));
            return b;
        }

        Msg pick(char outcome) {
            return msgs.stream().filter(m -> m.outcome() == outcome).findFirst().orElseThrow();
        }

        Msg pickLogged() {
            return logged.get(rnd.nextInt(logged.size()));
        }

        private static String[] ids(List<Msg> batch) {
            return batch.stream().map(Msg::id).toArray(String[]::new);
        }
    }

    @Property(tries = 300, seed = "20240917")
    void correctExactlyOnceRunHasNoAnomalies(@ForAll long seed) {
        Run run = new Run(seed);
        CheckResult r = checker.check(run.render().build());
        assertThat(r.found()).as(r::toJson).isEmpty();
        assertThat(r.verdict()).isIn(Verdict.VALID, Verdict.TRIVIAL);
        assertThat(r.counts().confirmed()).isEqualTo(run.msgs.stream().filter(m -> m.outcome() == 'o').count());
    }

    @Property(tries = 300, seed = "20240917")
    void oneInjectedAnomalyIsFoundAsItsKind(@ForAll long seed) {
        Run run = new Run(seed);
        HistoryBuilder b = run.render();
        AnomalyKind expected = inject(run, b);
        History h = b.build();
        CheckResult r = checker.check(h);
        assertThat(r.found()).as(r::toJson).contains(expected);
        assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    }

    /** Changes the run in one place and returns the anomaly that change must produce. */
    private static AnomalyKind inject(Run run, HistoryBuilder b) {
        Msg ok = run.pick('o');
        Msg logged = run.pickLogged();
        int choice = run.rnd.nextInt(10);
        switch (choice) {
            case 0 -> { // drop a confirmed id from the store, balance adjusted: a silent loss
                List<String> ids = new ArrayList<>(run.appliedByKey.get(ok.key()));
                ids.remove(ok.id());
                b.account(ok.key(), run.balance.get(ok.key()) - ok.amt(), ids.toArray(String[]::new));
                return AnomalyKind.LOST;
            }
            case 1 -> {
                b.addLogRecord(logged.partition(), 1_000_000, logged.id());
                return AnomalyKind.DUP_LOG;
            }
            case 2 -> {
                List<String> ids = run.appliedByKey.get(logged.key());
                b.account(logged.key(), run.balance.get(logged.key()) + 1 + run.rnd.nextInt(5),
                        ids.toArray(String[]::new));
                return AnomalyKind.STATE_VS_APPLIED;
            }
            case 3 -> {
                b.apply("late", logged.id());
                return AnomalyKind.DUP_APPLIED;
            }
            case 4 -> {
                b.removeLogRecord(ok.id());
                return AnomalyKind.LOST_LOG;
            }
            case 5 -> {
                b.deliver("late", 99, d(run.pick('f').id(), 0, 2_000_000, 1));
                return AnomalyKind.FAILED_VISIBLE;
            }
            case 6 -> {
                b.deliver("late", 99, d("ghost", 0, 3_000_000, 1));
                return AnomalyKind.UNEXPECTED;
            }
            case 7 -> {
                b.deliver("late", 99, d("m-other", logged.partition(), logged.offset(), 3));
                b.sendOk("m-other", "k0", 1, logged.partition(), 4_000_000);
                return AnomalyKind.INCONSISTENT_OFFSETS;
            }
            case 8 -> {
                b.deliver("late", 99, d(logged.id(), logged.partition(), logged.offset(), 1));
                return AnomalyKind.REDELIVERY_LIE;
            }
            default -> { // the store drops an unknown send the log resolved as stored, balance adjusted
                Msg info = run.pick('i');
                List<String> ids = new ArrayList<>(run.appliedByKey.get(info.key()));
                ids.remove(info.id());
                b.account(info.key(), run.balance.get(info.key()) - info.amt(), ids.toArray(String[]::new));
                return AnomalyKind.STATE_VS_EXPECTED;
            }
        }
    }
}
