package io.semel.console.internal;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reports of {@code semel verify}/{@code demo} runs found under the configured reports directory
 * (each directory holding a {@code report.html}), newest first, with each run's verdict (the
 * {@code verdict} line of its {@code <guarantee>.txt}), and the files themselves. Only files under that
 * directory, with a known extension, are served.
 */
final class VerificationPage implements Page {
    static final String FILE_PATH = "/verification/file";
    static final String REPORT_FILE = "report.html";
    /** Directory levels searched below the reports directory. */
    static final int SEARCH_DEPTH_MAX = 4;
    /** Reports listed at most (newest first). */
    static final int REPORTS_LISTED_MAX = 200;
    /** Largest report file served, bytes. */
    static final long FILE_BYTES_MAX = 64L * 1024 * 1024;
    private static final Map<String, String> TYPES = Map.of(
            ".html", "text/html; charset=utf-8", ".json", "application/json", ".txt", "text/plain; charset=utf-8",
            ".jsonl", "text/plain; charset=utf-8");

    private final ConsoleContext ctx;

    VerificationPage(ConsoleContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public String path() {
        return "/verification";
    }

    @Override
    public String title() {
        return "Verification";
    }

    @Override
    public void render(Query query, Html out) {
        out.raw("<h1>Verification reports</h1>");
        Path root = ctx.config().reportsDir();
        if (root == null) {
            out.raw("<p>No reports directory configured: start the broker with <code>--console-reports-dir DIR</code> "
                    + "and write runs there with <code>semel verify --report DIR/&lt;run&gt;</code> or "
                    + "<code>semel demo --report …</code>.</p>");
            return;
        }
        List<Path> reports = find(root);
        out.raw("<p>").text(reports.size() + " report(s) under " + root + (reports.size() == REPORTS_LISTED_MAX
                ? " (the newest " + REPORTS_LISTED_MAX + ")" : "")).raw("</p>");
        out.raw("<table id=\"reports\">").th("run", "modified", "verdicts", "files");
        for (Path report : reports) {
            Path dir = report.getParent();
            String rel = root.relativize(dir).toString();
            out.raw("<tr>").td(rel.isEmpty() ? "." : rel).td(Html.time(modified(report)))
                    .td("verdicts-" + rel, verdicts(dir)).raw("<td>");
            for (Path f : files(dir)) {
                out.link(FILE_PATH + "?path=" + URLEncoder.encode(root.relativize(f).toString(), StandardCharsets.UTF_8),
                        f.getFileName()).raw(" ");
            }
            out.raw("</td></tr>");
        }
        out.raw("</table>");
    }

    private static List<Path> find(Path root) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.find(root, SEARCH_DEPTH_MAX + 1,
                (p, a) -> a.isRegularFile() && p.getFileName().toString().equals(REPORT_FILE))) {
            return s.sorted(Comparator.comparingLong(VerificationPage::modified).reversed())
                    .limit(REPORTS_LISTED_MAX).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("searching reports under " + root + " failed", e);
        }
    }

    private static List<Path> files(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Files.isRegularFile(p) && type(p) != null).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** "guarantee: verdict" per {@code <guarantee>.txt} of the run. */
    private static String verdicts(Path dir) {
        List<String> out = new ArrayList<>();
        for (Path f : files(dir)) {
            String name = f.getFileName().toString();
            if (!name.endsWith(".txt")) {
                continue;
            }
            try (Stream<String> lines = Files.lines(f)) {
                lines.filter(l -> l.startsWith("verdict")).findFirst().ifPresent(l ->
                        out.add(name.substring(0, name.length() - 4) + ": " + l.substring("verdict".length()).trim()));
            } catch (IOException | UncheckedIOException e) {
                out.add(name + ": unreadable");
            }
        }
        return out.isEmpty() ? "-" : String.join(", ", out);
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    private static String type(Path p) {
        String name = p.getFileName().toString();
        for (Map.Entry<String, String> t : TYPES.entrySet()) {
            if (name.endsWith(t.getKey())) {
                return t.getValue();
            }
        }
        return null;
    }

    /** Serves one file below the reports directory; anything outside it (or of another type) is 404. */
    void serveFile(HttpExchange ex, String relative) throws IOException {
        Path root = ctx.config().reportsDir();
        Path file = root == null || relative == null ? null : root.resolve(relative).normalize();
        Path realRoot = root == null ? null : root.toRealPath();
        if (file == null || !Files.isRegularFile(file) || !file.toRealPath().startsWith(realRoot) || type(file) == null
                || Files.size(file) > FILE_BYTES_MAX) {
            ConsoleServer.send(ex, 404, "text/plain; charset=utf-8", "404: no report file '" + relative + "' under the "
                    + "reports directory (only .html, .json, .txt, .jsonl files up to " + FILE_BYTES_MAX + " bytes)\n");
            return;
        }
        ConsoleServer.send(ex, 200, type(file), Files.readAllBytes(file));
    }
}
