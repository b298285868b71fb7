package io.semel.processor.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real file, real SIGKILL: a child JVM commits transactions through the SQLite store; the test kills
 * it mid-stream, reopens the file and checks that every printed commit is there and no transaction
 * is partly there.
 */
class SqliteKillTest {
    private static final int COMMITS_BEFORE_KILL = 300;

    @TempDir
    Path dir;

    @Test
    void everyCommitPrintedBeforeSigkillIsPresentAndNoTransactionIsPartial() throws Exception {
        Path file = dir.resolve("store.db");
        long printed = runChildAndKill(file);
        assertThat(printed).isGreaterThanOrEqualTo(COMMITS_BEFORE_KILL);

        try (JdbcStore store = JdbcStore.sqlite(file)) {
            store.inTransaction(tx -> {
                Connection c = tx.connection();
                Set<String> entries = strings(c, "SELECT msg_id FROM account_entry");
                Set<String> audits = strings(c, "SELECT msg_id FROM account_audit");
                Set<String> inbox = strings(c, "SELECT message_id FROM semel_inbox WHERE consumer = 'billing' "
                        + "AND status = 'PROCESSED'");
                Set<String> outbox = strings(c, "SELECT substr(message_id, 1, length(message_id) - 2) FROM semel_outbox");
                // Committed rows: 1..k where k is the last printed commit, or one more committed but unprinted.
                long committed = entries.size();
                assertThat(committed).isBetween(printed, printed + 1);
                Set<String> expected = new TreeSet<>();
                for (long n = 1; n <= committed; n++) {
                    expected.add("m-" + n);
                }
                assertThat(entries).as("step-1 rows").isEqualTo(expected);
                assertThat(audits).as("step-2 rows: none without its step 1, none missing").isEqualTo(expected);
                assertThat(inbox).as("inbox rows match user rows").isEqualTo(expected);
                assertThat(outbox).as("outbox rows match user rows").isEqualTo(expected);
                assertThat(tx.lockPosition("billing", "orders", 0).orElseThrow().nextOffset()).isEqualTo(committed + 1);
                return null;
            });
            // The reopened store keeps working where the child stopped.
            assertThat(store.<PositionUpdate>inTransaction(tx -> tx.advancePosition("billing", "orders", 0,
                    printed + 2 + 1, 1))).isEqualTo(PositionUpdate.APPLIED);
        }
    }

    private long runChildAndKill(Path file) throws IOException, InterruptedException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        // Output goes to a file, not a pipe: a SIGKILL cannot lose lines the child already wrote.
        Path out = dir.resolve("child.out");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-cp", classpath, SqliteKillChild.class.getName(), file.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).redirectOutput(out.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (lastCommitted(out) < COMMITS_BEFORE_KILL) {
                assertThat(child.isAlive()).as("child is still committing").isTrue();
                assertThat(System.nanoTime()).as("child commits in time").isLessThan(deadline);
                Thread.sleep(10);
            }
            child.destroyForcibly(); // SIGKILL: no close, mid-stream
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            return lastCommitted(out);
        } finally {
            child.destroyForcibly();
        }
    }

    /** The highest n of complete "COMMITTED n" lines, checking they count up from 1 without gaps. */
    private static long lastCommitted(Path out) throws IOException {
        String text = Files.readString(out, StandardCharsets.UTF_8);
        List<Long> ns = new ArrayList<>();
        for (String line : text.substring(0, text.lastIndexOf('\n') + 1).split("\n")) {
            if (line.startsWith("COMMITTED ")) {
                ns.add(Long.parseLong(line.substring("COMMITTED ".length())));
            }
        }
        for (int i = 0; i < ns.size(); i++) {
            assertThat(ns.get(i)).isEqualTo(i + 1L);
        }
        return ns.size();
    }

    private static Set<String> strings(Connection c, String sql) throws SQLException {
        Set<String> out = new TreeSet<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
