package io.semel.verify.testing;

import static io.semel.verify.testing.HistoryBuilder.d;
import static io.semel.verify.testing.HistoryBuilder.r;

import io.semel.verify.history.EventValue;
import io.semel.verify.history.Guarantee;

/**
 * The standard small run every checker test starts from, clean under exactly-once:
 *
 * <pre>
 *   m1 a+10 ok 0/0, m2 b+20 ok 0/1, m3 a+5 info (in the log at 0/2), m4 b+7 info (never stored), m5 a+1 fail
 *   c1 gets m1 m2 m3, commits m1 m2, is killed before acking (the crash between commit and ack)
 *   c2 gets m1 m2 m3 again (deliveryCount 2), m1 m2 are dedup'd, commits m3, acks all
 *   drained log: m1 m2 m3; state: a = 15 [m1 m3], b = 20 [m2], position of partition 0: 3
 * </pre>
 */
public final class Fixtures {
    private Fixtures() {
    }

    public static HistoryBuilder cleanRun(Guarantee guarantee) {
        return HistoryBuilder.of(guarantee)
                .schedule(EventValue.Nemesis.KILL, "c1")
                .sendOk("m1", "a", 10, 0, 0)
                .sendOk("m2", "b", 20, 0, 1)
                .sendInfo("m3", "a", 5)
                .sendInfo("m4", "b", 7)
                .sendFail("m5", "a", 1)
                .deliver("c1", 1, d("m1", 0, 0, 1), d("m2", 0, 1, 1), d("m3", 0, 2, 1))
                .apply("c1", "m1", "m2")
                .nemesis(EventValue.Nemesis.KILL, "c1")
                .heal(EventValue.Nemesis.KILL, "c1")
                .deliver("c2", 2, d("m1", 0, 0, 2), d("m2", 0, 1, 2), d("m3", 0, 2, 2))
                .apply("c2", "m3")
                .ack("c2", "m1", "m2", "m3")
                .drain(r(0, 0, "m1"), r(0, 1, "m2"), r(0, 2, "m3"))
                .account("a", 15, "m1", "m3")
                .account("b", 20, "m2")
                .position(0, 3);
    }

    /**
     * At-most-once's accepted loss, planted the way it happens: a consumer acks before applying and dies in
     * between. Lost: m2 (confirmed, logged, delivered and acked, never applied).
     *
     * <pre>
     *   m1 a+10 ok 0/0, m2 b+20 ok 0/1, m3 a+5 info (in the log at 0/2), m4 b+7 info (never stored), m5 a+1 fail
     *   c1 gets m1, acks, applies it; gets m2, acks, is killed before applying it
     *   c2 gets m3, acks, applies it
     *   drained log: m1 m2 m3; state: a = 15 [m1 m3], b = 0 []
     * </pre>
     */
    public static HistoryBuilder lossAfterAck(Guarantee guarantee) {
        return HistoryBuilder.of(guarantee)
                .schedule(EventValue.Nemesis.KILL, "c1")
                .sendOk("m1", "a", 10, 0, 0)
                .sendOk("m2", "b", 20, 0, 1)
                .sendInfo("m3", "a", 5)
                .sendInfo("m4", "b", 7)
                .sendFail("m5", "a", 1)
                .deliver("c1", 1, d("m1", 0, 0, 1))
                .ack("c1", "m1")
                .apply("c1", "m1")
                .deliver("c1", 1, d("m2", 0, 1, 1))
                .ack("c1", "m2")
                .nemesis(EventValue.Nemesis.KILL, "c1")
                .heal(EventValue.Nemesis.KILL, "c1")
                .deliver("c2", 2, d("m3", 0, 2, 1))
                .ack("c2", "m3")
                .apply("c2", "m3")
                .drain(r(0, 0, "m1"), r(0, 1, "m2"), r(0, 2, "m3"))
                .account("a", 15, "m1", "m3")
                .account("b", 0);
    }

    public static HistoryBuilder cleanExactlyOnce() {
        return cleanRun(Guarantee.EXACTLY_ONCE);
    }
}
