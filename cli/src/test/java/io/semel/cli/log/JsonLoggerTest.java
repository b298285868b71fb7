package io.semel.cli.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

class JsonLoggerTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final JsonLogger log = new JsonLogger("io.semel.X", Level.INFO, new PrintStream(bytes, true,
            StandardCharsets.UTF_8), Clock.fixed(Instant.parse("2026-12-06T04:10:00.123Z"), ZoneOffset.UTC));

    @Test
    void eachEventIsOneJsonLineWithItsFieldsEscaped() {
        log.info("topic {} has \"{}\" partitions\nand a tab\t", "orders", 3);
        log.debug("below the threshold");
        assertThat(out()).isEqualTo("{\"time\":\"2026-12-06T04:10:00.123Z\",\"level\":\"INFO\",\"logger\":\"io.semel.X\","
                + "\"thread\":\"" + Thread.currentThread().getName() + "\",\"message\":\"topic orders has \\\"3\\\" "
                + "partitions\\nand a tab\\t\"}\n");
    }

    @Test
    void anExceptionAddsItsErrorAndItsStackAsOneString() {
        log.warn("failed", new IllegalStateException("boom\u0001"));
        String line = out();
        assertThat(line.lines()).hasSize(1);
        assertThat(line).contains("\"level\":\"WARN\"", "\"message\":\"failed\"",
                "\"error\":\"java.lang.IllegalStateException: boom\\u0001\"",
                "\"stack\":\"java.lang.IllegalStateException: boom\\u0001\\n\\tat io.semel.cli.log.JsonLoggerTest");
        assertThat(log.isDebugEnabled()).isFalse();
        assertThat(log.isWarnEnabled()).isTrue();
    }

    @Test
    void theFormatIsChosenByEnvironmentAndAnUnknownOneIsRefused() {
        String before = System.getProperty("slf4j.provider");
        try {
            System.clearProperty("slf4j.provider");
            JsonLogProvider.selectIfRequested(Map.of());
            assertThat(System.getProperty("slf4j.provider")).isNull();
            JsonLogProvider.selectIfRequested(Map.of(JsonLogProvider.FORMAT_ENV, "JSON"));
            assertThat(System.getProperty("slf4j.provider")).isEqualTo(JsonLogProvider.class.getName());
            assertThatThrownBy(() -> JsonLogProvider.selectIfRequested(Map.of(JsonLogProvider.FORMAT_ENV, "xml")))
                    .hasMessage("SEMEL_LOG_FORMAT is \"xml\"; use text or json");
        } finally {
            if (before == null) {
                System.clearProperty("slf4j.provider");
            } else {
                System.setProperty("slf4j.provider", before);
            }
        }
    }

    private String out() {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
