package io.semel.console;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Console settings, every limit with its unit in its name. Immutable; build with {@link #builder(int)}.
 *
 * @param host address the HTTP server binds; loopback by default because the console speaks plain HTTP
 * @param port HTTP port (0 picks a free one)
 * @param passwordFile file of {@code user:password} lines for HTTP Basic authentication; null for none
 * @param reportsDir directory searched for {@code semel verify}/{@code demo} reports; null for none
 * @param sampleIntervalMs how often the broker's counters are sampled for the charts
 * @param historySamplesMax samples the charts keep (ring buffer), so history = this × sampleIntervalMs
 * @param refreshIntervalMs how often an open page fetches fresh content
 * @param browseRecordsMax records one message-browse page shows at most
 * @param redriveMessagesMax dead letters one redrive request may move at most
 * @param brokerReadTimeoutMs how long a page waits for the broker's partition writers or group coordinator
 * @param redriveTimeoutMs how long one redrive request may take (collecting the dead letters, appending, marking)
 * @param httpThreads threads answering HTTP requests
 */
public record ConsoleConfig(String host, int port, Path passwordFile, Path reportsDir, long sampleIntervalMs,
        int historySamplesMax, long refreshIntervalMs, int browseRecordsMax, int redriveMessagesMax,
        long brokerReadTimeoutMs, long redriveTimeoutMs, int httpThreads) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final long SAMPLE_INTERVAL_MS_DEFAULT = 1000;
    public static final int HISTORY_SAMPLES_MAX_DEFAULT = 600;
    public static final int HISTORY_SAMPLES_LIMIT = 86_400;
    public static final long REFRESH_INTERVAL_MS_DEFAULT = 2000;
    public static final int BROWSE_RECORDS_MAX_DEFAULT = 200;
    public static final int REDRIVE_MESSAGES_MAX_DEFAULT = 10_000;
    public static final long BROKER_READ_TIMEOUT_MS_DEFAULT = 10_000;
    public static final long REDRIVE_TIMEOUT_MS_DEFAULT = 30_000;
    public static final int HTTP_THREADS_DEFAULT = 2;

    public ConsoleConfig {
        Objects.requireNonNull(host, "host");
        check("port", port, 0, 65_535);
        check("sampleIntervalMs", sampleIntervalMs, 100, 60_000);
        check("historySamplesMax", historySamplesMax, 2, HISTORY_SAMPLES_LIMIT);
        check("refreshIntervalMs", refreshIntervalMs, 200, 600_000);
        check("browseRecordsMax", browseRecordsMax, 1, 10_000);
        check("redriveMessagesMax", redriveMessagesMax, 1, 1_000_000);
        check("brokerReadTimeoutMs", brokerReadTimeoutMs, 100, 600_000);
        check("redriveTimeoutMs", redriveTimeoutMs, 1000, 3_600_000);
        check("httpThreads", httpThreads, 1, 64);
    }

    private static void check(String name, long v, long min, long max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException("console setting " + name + " = " + v + " is outside " + min + ".."
                    + max);
        }
    }

    public static Builder builder(int port) {
        return new Builder(port);
    }

    /** Not thread-safe. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private final int port;
        private Path passwordFile;
        private Path reportsDir;
        private long sampleIntervalMs = SAMPLE_INTERVAL_MS_DEFAULT;
        private int historySamplesMax = HISTORY_SAMPLES_MAX_DEFAULT;
        private long refreshIntervalMs = REFRESH_INTERVAL_MS_DEFAULT;
        private int browseRecordsMax = BROWSE_RECORDS_MAX_DEFAULT;
        private int redriveMessagesMax = REDRIVE_MESSAGES_MAX_DEFAULT;
        private long brokerReadTimeoutMs = BROKER_READ_TIMEOUT_MS_DEFAULT;
        private long redriveTimeoutMs = REDRIVE_TIMEOUT_MS_DEFAULT;
        private int httpThreads = HTTP_THREADS_DEFAULT;

        private Builder(int port) {
            this.port = port;
        }

        public Builder host(String v) {
            host = v;
            return this;
        }

        public Builder passwordFile(Path v) {
            passwordFile = v;
            return this;
        }

        public Builder reportsDir(Path v) {
            reportsDir = v;
            return this;
        }

        public Builder sampleIntervalMs(long v) {
            sampleIntervalMs = v;
            return this;
        }

        public Builder historySamplesMax(int v) {
            historySamplesMax = v;
            return this;
        }

        public Builder refreshIntervalMs(long v) {
            refreshIntervalMs = v;
            return this;
        }

        public Builder browseRecordsMax(int v) {
            browseRecordsMax = v;
            return this;
        }

        public Builder redriveMessagesMax(int v) {
            redriveMessagesMax = v;
            return this;
        }

        public Builder brokerReadTimeoutMs(long v) {
            brokerReadTimeoutMs = v;
            return this;
        }

        public Builder redriveTimeoutMs(long v) {
            redriveTimeoutMs = v;
            return this;
        }

        public Builder httpThreads(int v) {
            httpThreads = v;
            return this;
        }

        public ConsoleConfig build() {
            return new ConsoleConfig(host, port, passwordFile, reportsDir, sampleIntervalMs, historySamplesMax,
                    refreshIntervalMs, browseRecordsMax, redriveMessagesMax, brokerReadTimeoutMs, redriveTimeoutMs, httpThreads);
        }
    }
}
