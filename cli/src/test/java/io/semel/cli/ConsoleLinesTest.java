package io.semel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.client.DefiniteFailureException;
import io.semel.client.internal.LogText;
import io.semel.protocol.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The progress bar and log lines on one standard error, as a terminal would show them. */
class ConsoleLinesTest {
    private static final long SECOND_NANOS = 1_000_000_000L;

    /** What a terminal shows: '\r' returns to column 0 and overwrites, '\n' starts a new line. */
    static List<String> render(String bytes) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        int col = 0;
        for (char c : bytes.toCharArray()) {
            if (c == '\r') {
                col = 0;
            } else if (c == '\n') {
                lines.add(line.toString().stripTrailing());
                line.setLength(0);
                col = 0;
            } else {
                if (col < line.length()) {
                    line.setCharAt(col, c);
                } else {
                    line.append(c);
                }
                col++;
            }
        }
        lines.add(line.toString().stripTrailing());
        return lines;
    }

    /** Draws the bar, a client WARN arrives through stderr, the bar is drawn again. */
    private static List<String> barLogBar(boolean guarded) {
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        PrintStream raw = new PrintStream(screen, true, StandardCharsets.UTF_8);
        ConsoleLines console = guarded ? new ConsoleLines(raw) : null;
        PrintStream stderr = guarded ? new PrintStream(console.guard(), true, StandardCharsets.UTF_8) : raw;
        AtomicLong now = new AtomicLong();
        Progress bar = new Progress(new PrintWriter(stderr, true), console, true, 100, "msg", now::get);
        now.set(2 * SECOND_NANOS);
        bar.update(40);
        stderr.println("WARN io.semel.client.Consumer - poll failed: TIMEOUT; retrying");
        now.set(3 * SECOND_NANOS);
        bar.update(80);
        return render(screen.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aLogLineWrittenWhileTheBarIsDrawnGetsALineOfItsOwnAndTheBarComesBackBelowIt() {
        List<String> lines = barLogBar(true);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).isEqualTo("WARN io.semel.client.Consumer - poll failed: TIMEOUT; retrying");
        assertThat(lines.get(1)).startsWith("[########################      ] 80/100 msg");
    }

    @Test
    void withoutTheGuardTheLogLineRunsIntoTheBar() {
        // The defect the guard removes, shown by the same renderer: the WARN continues the bar's line.
        assertThat(barLogBar(false).get(0)).startsWith("[").contains("msg/sWARN");
    }

    @Test
    void finishErasesTheBarThroughTheGuard() {
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        ConsoleLines console = new ConsoleLines(new PrintStream(screen, true, StandardCharsets.UTF_8));
        AtomicLong now = new AtomicLong(2 * SECOND_NANOS);
        Progress bar = new Progress(new PrintWriter(new PrintStream(console.guard(), true, StandardCharsets.UTF_8)),
                console, true, -1, "msg", now::get);
        now.addAndGet(2 * SECOND_NANOS);
        bar.update(10);
        bar.finish();
        assertThat(render(screen.toString(StandardCharsets.UTF_8))).containsExactly("");
    }

    @Test
    void warnTextsAreShortAndKeepTheErrorCode() {
        String longMessage = "PRODUCE orders/1 sequences 8..8 (1 records, 0 retries, IN_FLIGHT) answered TIMEOUT "
                + "(13): batch not durable within 30000 ms (timeoutMs); outcome unknown, retry with the same sequence";
        assertThat(LogText.brief(new DefiniteFailureException(ErrorCode.TIMEOUT, longMessage))).isEqualTo("TIMEOUT");
        String cut = LogText.brief(new IllegalStateException(longMessage));
        assertThat(cut).hasSize(LogText.WARN_DETAIL_CHARS_MAX).endsWith("...");
        assertThat(LogText.brief(new IllegalStateException("short"))).isEqualTo("short");
    }
}
