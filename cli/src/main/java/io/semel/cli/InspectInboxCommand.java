package io.semel.cli;

import io.semel.processor.store.FailedOutboxRow;
import io.semel.processor.store.InboxCounts;
import io.semel.processor.store.InboxRow;
import io.semel.processor.store.InboxStatus;
import io.semel.processor.store.JdbcStore;
import io.semel.processor.store.StoreLimits;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code semel inspect inbox}: a processor consumer's inbox in its store — counts by status and a page
 * of rows, FAILED ones with their last error — and the store's FAILED outbox rows, through the store
 * API ({@code inboxCounts}, {@code inboxPage}, {@code failedOutbox}). Opening a store applies
 * pending schema migrations, as the processor would; nothing else is written.
 */
@Command(name = "inbox", mixinStandardHelpOptions = true,
        description = "Show a processor consumer's inbox: counts per status and a page of rows.")
final class InspectInboxCommand implements Callable<Integer> {
    private static final String SQLITE = "sqlite:";
    private static final String POSTGRES = "postgres:";

    @Option(names = "--store", required = true, paramLabel = "sqlite:PATH|postgres:JDBC_URL",
            description = "The processor's store, e.g. sqlite:billing.db or postgres:jdbc:postgresql://host/db.")
    String store;

    @Option(names = "--consumer", required = true, paramLabel = "NAME", description = "The processor's consumer name.")
    String consumer;

    @Option(names = "--status", paramLabel = "failed|received|processed",
            description = "Only rows with this status (default: failed rows first, then received, then processed).")
    String status;

    @Option(names = "--limit", paramLabel = "N", description = "Rows to show, 0..10000 (default ${DEFAULT-VALUE}).")
    int limit = 20;

    @Option(names = "--after", paramLabel = "MESSAGE_ID", description = "Rows after this message id (next page).")
    String after;

    @Option(names = "--db-user", paramLabel = "USER", description = "PostgreSQL user (default ${DEFAULT-VALUE}).")
    String dbUser = "postgres";

    @Option(names = "--db-password", paramLabel = "PASSWORD", description = "PostgreSQL password (default empty).")
    String dbPassword = "";

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        List<InboxStatus> statuses = statuses();
        if (limit < 0 || limit > StoreLimits.INBOX_BATCH_MAX) {
            throw new ParameterException(spec.commandLine(), "--limit " + limit + " is out of range 0.."
                    + StoreLimits.INBOX_BATCH_MAX);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (JdbcStore s = open()) {
            InboxCounts counts = s.inboxCounts(consumer);
            out.printf("inbox of consumer %s in %s: %d received, %d processed, %d failed, %d total%n", consumer, store,
                    counts.received(), counts.processed(), counts.failed(), counts.total());
            List<InboxRow> rows = new ArrayList<>();
            for (InboxStatus st : statuses) {
                if (rows.size() < limit) {
                    rows.addAll(s.inboxPage(consumer, st, after, limit - rows.size()));
                }
            }
            if (!rows.isEmpty()) {
                out.printf("%-40s %-20s %9s %12s %-9s %8s %-24s %-24s%n", "MESSAGE ID", "TOPIC", "PARTITION", "OFFSET",
                        "STATUS", "ATTEMPTS", "RECEIVED", "PROCESSED");
            }
            for (InboxRow r : rows) {
                out.printf("%-40s %-20s %9d %12d %-9s %8d %-24s %-24s%n", r.entry().messageId(), r.entry().topic(),
                        r.entry().partition(), r.entry().offset(), r.status(), r.attempts(),
                        Instant.ofEpochMilli(r.entry().receivedAtMs()),
                        r.processedAtMs().isPresent() ? Instant.ofEpochMilli(r.processedAtMs().getAsLong()) : "-");
                if (r.lastError() != null) {
                    out.printf("    last error: %s%n", r.lastError());
                }
            }
            if (statuses.contains(InboxStatus.FAILED)) {
                printFailedOutbox(s, out);
            }
            out.flush();
            return 0;
        }
    }

    /** The relay's FAILED rows: the store's, not one consumer's (one relay per store). */
    private void printFailedOutbox(JdbcStore s, PrintWriter out) {
        List<FailedOutboxRow> failed = s.failedOutbox(Math.max(1, limit));
        if (failed.isEmpty()) {
            return;
        }
        out.printf("outbox of %s: %d failed row(s) (not sent; copied to <topic>.dlq unless bound for one)%n", store,
                failed.size());
        out.printf("%-10s %-20s %-40s %8s %-24s%n", "ROW ID", "TOPIC", "MESSAGE ID", "ATTEMPTS", "FAILED");
        for (FailedOutboxRow f : failed) {
            out.printf("%-10d %-20s %-40s %8d %-24s%n", f.id(), f.topic(), f.messageId(), f.attempts(),
                    Instant.ofEpochMilli(f.failedAtMs()));
            out.printf("    last error: %s%n", f.lastError());
        }
    }

    private List<InboxStatus> statuses() {
        if (status == null) {
            return List.of(InboxStatus.FAILED, InboxStatus.RECEIVED, InboxStatus.PROCESSED);
        }
        try {
            InboxStatus st = InboxStatus.valueOf(status.toUpperCase(Locale.ROOT));
            if (!st.stored()) {
                throw new IllegalArgumentException(status);
            }
            return List.of(st);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--status '" + status + "' is not failed, received or "
                    + "processed");
        }
    }

    private JdbcStore open() throws IOException {
        if (store.startsWith(SQLITE)) {
            Path file = Path.of(store.substring(SQLITE.length()));
            // Opening would create an empty database: a typo must not look like an empty inbox.
            if (!Files.isRegularFile(file)) {
                throw new IOException("no SQLite store at " + file + "; give the processor's database file");
            }
            return JdbcStore.sqlite(file);
        }
        if (store.startsWith(POSTGRES)) {
            return JdbcStore.postgres(store.substring(POSTGRES.length()), dbUser, dbPassword, 1);
        }
        throw new ParameterException(spec.commandLine(), "--store '" + store
                + "' must start with sqlite: (a file) or postgres: (a JDBC URL)");
    }
}
