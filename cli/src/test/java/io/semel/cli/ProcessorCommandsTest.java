package io.semel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.processor.store.InboxEntry;
import io.semel.processor.store.InboxStatus;
import io.semel.processor.store.OutboxMessage;
import io.semel.processor.store.JdbcStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code semel inspect inbox} on a real SQLite store, and {@code semel bench e2e} with tiny counts. */
class ProcessorCommandsTest {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    private static Run semel(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Semel.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    private Path storeWithInbox() throws Exception {
        Path file = dir.resolve("billing.db");
        try (JdbcStore store = JdbcStore.sqlite(file)) {
            store.inTransaction(tx -> {
                for (int i = 0; i < 3; i++) {
                    tx.insertInbox("billing", InboxEntry.of("orders/0/" + i, "orders", 0, i, 1_700_000_000_000L + i),
                            InboxStatus.PROCESSED);
                }
                tx.insertInbox("billing", InboxEntry.of("orders/1/7", "orders", 1, 7, 1_700_000_000_100L),
                        InboxStatus.RECEIVED);
                tx.insertInbox("other", InboxEntry.of("orders/1/8", "orders", 1, 8, 1_700_000_000_200L),
                        InboxStatus.RECEIVED);
                tx.insertInbox("billing", InboxEntry.of("orders/2/9", "orders", 2, 9, 1_700_000_000_300L),
                        InboxStatus.RECEIVED);
                tx.incrementAttempts("billing", "orders/2/9");
                tx.markFailed("billing", "orders/2/9", "handler threw: no such account", 1_700_000_000_400L);
                tx.enqueueOutbox(new OutboxMessage("invoices", null, new byte[] {1}, List.of(), "orders/2/9/0", 1));
                return null;
            });
            long id = store.pendingOutbox(0, 1).get(0).id();
            store.recordOutboxFailure(id, "MESSAGE_TOO_LARGE: record above maxRecordBytes");
            store.failOutbox("relay", id, "MESSAGE_TOO_LARGE: record above maxRecordBytes", 1_700_000_000_500L, null);
        }
        return file;
    }

    @Test
    void inspectInboxCountsPerStatusAndPagesRows() throws Exception {
        Path file = storeWithInbox();
        Run all = semel("inspect", "inbox", "--store", "sqlite:" + file, "--consumer", "billing");
        assertThat(all.exit()).as(all.err()).isZero();
        List<String> lines = all.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("inbox of consumer billing in sqlite:" + file
                + ": 1 received, 3 processed, 1 failed, 5 total");
        assertThat(lines.get(1)).startsWith("MESSAGE ID").contains("STATUS", "ATTEMPTS", "RECEIVED", "PROCESSED");
        assertThat(lines.get(2)).startsWith("orders/2/9").contains("FAILED");
        assertThat(lines.get(3)).isEqualTo("    last error: handler threw: no such account");
        assertThat(lines.get(4)).startsWith("orders/1/7").contains("RECEIVED", "2023-11-14T22:13:20.100Z");
        assertThat(lines.get(5)).startsWith("orders/0/0").contains("PROCESSED");
        assertThat(lines.get(8)).startsWith("outbox of sqlite:").contains("1 failed row(s)");
        assertThat(lines.get(10)).contains("invoices", "orders/2/9/0");
        assertThat(lines.get(11)).isEqualTo("    last error: MESSAGE_TOO_LARGE: record above maxRecordBytes");
        assertThat(lines).hasSize(12);

        Run page = semel("inspect", "inbox", "--store", "sqlite:" + file, "--consumer", "billing", "--status",
                "processed", "--limit", "1", "--after", "orders/0/0");
        assertThat(page.exit()).as(page.err()).isZero();
        assertThat(page.out().lines().toList()).hasSize(3);
        assertThat(page.out().lines().toList().get(2)).startsWith("orders/0/1").contains("PROCESSED");
    }

    @Test
    void inspectInboxRefusesAMissingFileABadStoreAndABadStatus() throws Exception {
        Run missing = semel("inspect", "inbox", "--store", "sqlite:" + dir.resolve("nope.db"), "--consumer", "c");
        assertThat(missing.exit()).isEqualTo(Semel.EXIT_FAILURE);
        assertThat(missing.err()).startsWith("semel: error: no SQLite store at");
        Run bad = semel("inspect", "inbox", "--store", "mysql:x", "--consumer", "c");
        assertThat(bad.exit()).isEqualTo(Semel.EXIT_USAGE);
        Run status = semel("inspect", "inbox", "--store", "sqlite:" + storeWithInbox(), "--consumer", "billing",
                "--status", "absent");
        assertThat(status.exit()).isEqualTo(Semel.EXIT_USAGE);
        assertThat(status.err()).contains("is not failed, received or processed");
    }

    @Test
    void inspectDataDirStillWorksAndBareInspectIsAUsageError() {
        Run r = semel("inspect", "--data-dir", dir.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("producers: none registered");
        Run bare = semel("inspect");
        assertThat(bare.exit()).isEqualTo(Semel.EXIT_USAGE);
        assertThat(bare.err()).contains("need --data-dir");
    }

    @Test
    void benchE2eOnSqlitePrintsSetupFiguresAndRatioPerBatchSize() {
        Run r = semel("bench", "e2e", "--count", "60", "--size", "20", "--partitions", "2", "--batch-sizes", "1,10",
                "--warmup", "30", "--handler", "statements");
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.stream().filter(l -> l.startsWith("warm-up (not measured)"))).hasSize(2);
        assertThat(lines.stream().filter(l -> l.startsWith("setup: bench e2e"))).hasSize(4)
                .allMatch(l -> l.contains("60 messages x 20 B") && l.contains("synchronous=FULL")
                        && l.contains("fsync-before-confirm") && l.contains("handler statements (per message: one ledger"));
        assertThat(lines.stream().filter(l -> l.startsWith("result: 60 applied"))).hasSize(4)
                .allMatch(l -> l.contains("msgs/s") && l.contains("p99")
                        && l.contains("ledger 60 rows for 60 distinct messages, balances sum 60, 0 account(s) whose "
                                + "balance differs from its ledger (each message applied once)"));
        assertThat(lines.stream().filter(l -> l.startsWith("ratio at batch "))).hasSize(2);
    }

    @Test
    void benchE2eServesTheProcessorsMetricsWhenAsked() {
        Run r = semel("bench", "e2e", "--count", "20", "--size", "20", "--batch-sizes", "10", "--modes", "exactly-once",
                "--metrics-port", "0");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("metrics: http://127\\.0\\.0\\.1:[1-9][0-9]*/metrics")
                .contains("ledger 20 rows for 20 distinct messages, balances sum 20").contains("(each message applied once)");
        Run bad = semel("bench", "e2e", "--metrics-port", "-5");
        assertThat(bad.exit()).isEqualTo(Semel.EXIT_USAGE);
        assertThat(bad.err()).contains("--metrics-port -5 is outside 0..65535");
    }

    @Test
    void benchE2eOnEmbeddedPostgresReportsItsDurability() {
        Run r = semel("bench", "e2e", "--store", "postgres", "--count", "40", "--size", "20", "--batch-sizes", "10",
                "--modes", "exactly-once", "--warmup", "0", "--repeat", "2");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("store postgres (synchronous_commit=on, fsync=on").contains("embedded (zonky")
                .contains("handler batched").contains("run 2 of 2")
                .contains("ledger 40 rows for 40 distinct messages, balances sum 40");
    }
}
