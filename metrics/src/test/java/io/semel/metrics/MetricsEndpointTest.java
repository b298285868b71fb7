package io.semel.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    @Test
    void servesTheRegistryAfterItsRefreshersAndAnswersHealthAndOtherPaths() throws Exception {
        Counter c = Counter.builder("demo.events").register(registry);
        AtomicInteger refreshes = new AtomicInteger();
        AtomicBoolean ready = new AtomicBoolean();
        Runnable failing = () -> {
            throw new IllegalStateException("store down");
        };
        try (MetricsEndpoint e = MetricsEndpoint.start("127.0.0.1", 0, registry,
                List.of(failing, () -> c.increment(refreshes.incrementAndGet())),
                () -> ready.get() ? MetricsEndpoint.Health.ready("up") : MetricsEndpoint.Health.notReady("starting"))) {
            HttpResponse<String> m = get(e, "/metrics", null, "GET");
            assertThat(m.statusCode()).isEqualTo(200);
            assertThat(m.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            assertThat(m.body()).as("a failing refresher does not stop the others or the scrape")
                    .contains("demo_events_total 1.0");
            HttpResponse<String> open = get(e, "/metrics", "application/openmetrics-text; version=1.0.0", "GET");
            assertThat(open.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/openmetrics-text");
            assertThat(open.body()).contains("demo_events_total 3.0").endsWith("# EOF\n");
            assertThat(get(e, "/health/ready", null, "GET").statusCode()).isEqualTo(503);
            assertThat(get(e, "/health/ready", null, "GET").body()).isEqualTo("not ready: starting\n");
            ready.set(true);
            assertThat(get(e, "/health/ready", null, "GET").body()).isEqualTo("ready: up\n");
            assertThat(get(e, "/health/live", null, "HEAD").statusCode()).isEqualTo(200);
            assertThat(get(e, "/health/live", null, "POST").statusCode()).isEqualTo(405);
            assertThat(get(e, "/other", null, "GET").statusCode()).isEqualTo(404);
        }
    }

    private HttpResponse<String> get(MetricsEndpoint e, String path, String accept, String method) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + e.port() + path))
                .timeout(Duration.ofSeconds(20)).method(method, HttpRequest.BodyPublishers.noBody());
        if (accept != null) {
            b.header("Accept", accept);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
