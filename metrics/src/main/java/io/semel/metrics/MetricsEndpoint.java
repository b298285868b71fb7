package io.semel.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP endpoint for monitoring, embeddable in any process that has a Micrometer
 * {@link PrometheusMeterRegistry}: the broker starts one when {@code metricsPort} is set, and a
 * processor application starts one around its registry. It serves
 *
 * <ul>
 *   <li>{@code GET /metrics}: the registry's scrape in the Prometheus text format (OpenMetrics when
 *       the request's {@code Accept} header asks for it), after running the refresh hooks that
 *       update gauges computed on demand;
 *   <li>{@code GET /health/live}: 200 while the process serves HTTP at all;
 *   <li>{@code GET /health/ready}: 200 when the {@link Health} supplier says ready, else 503, with
 *       the supplier's one-line detail as the body.
 * </ul>
 *
 * <p>Threads: one daemon thread, {@code metrics-http-<port>}, answers requests one at a time, so
 * a slow scrape never competes with another; it runs the refresh hooks and the supplier. Thread-safe:
 * {@link #close()} may be called from any thread, more than once.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);
    /** Seconds {@link #close()} lets an answer in progress finish. */
    private static final int STOP_DELAY_SECONDS = 1;

    /** Readiness: {@code ready} and a one-line reason, shown as the body of {@code /health/ready}. */
    public record Health(boolean ready, String detail) {
        public static Health ready(String detail) {
            return new Health(true, detail);
        }

        public static Health notReady(String detail) {
            return new Health(false, detail);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final PrometheusMeterRegistry registry;
    private final List<Runnable> refreshers;
    private final Supplier<Health> health;
    private final AtomicBoolean closed = new AtomicBoolean();

    private MetricsEndpoint(HttpServer server, ExecutorService executor, PrometheusMeterRegistry registry,
            List<Runnable> refreshers, Supplier<Health> health) {
        this.server = server;
        this.executor = executor;
        this.registry = registry;
        this.refreshers = refreshers;
        this.health = health;
    }

    /**
     * Binds {@code host:port} (0 picks a free port) and starts serving.
     *
     * @param refreshers run before every scrape, in order (e.g. to update per-partition gauges); one
     *     that throws is logged and the scrape goes on with the values it had
     * @param health what {@code /health/ready} answers
     * @throws IOException naming the address and what to do, when the port cannot be bound
     */
    public static MetricsEndpoint start(String host, int port, PrometheusMeterRegistry registry,
            List<Runnable> refreshers, Supplier<Health> health) throws IOException {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(health, "health");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("metrics port " + port + " is outside 0..65535 (0 picks a free port)");
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (BindException e) {
            throw new IOException("cannot serve metrics on " + host + ":" + port + " (" + e.getMessage()
                    + "); the port is in use or not allowed: choose another metrics port, or 0 for a free one", e);
        }
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "metrics-http-" + server.getAddress().getPort());
            t.setDaemon(true);
            return t;
        });
        MetricsEndpoint endpoint = new MetricsEndpoint(server, executor, registry, List.copyOf(refreshers), health);
        server.createContext("/", endpoint::handle);
        server.setExecutor(executor);
        server.start();
        LOG.info("metrics and health endpoint on http://{}:{}/metrics", host, endpoint.port());
        return endpoint;
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                send(exchange, 405, "text/plain; charset=utf-8", "only GET is served\n");
                return;
            }
            switch (exchange.getRequestURI().getPath()) {
                case "/metrics" -> metrics(exchange);
                case "/health/live" -> send(exchange, 200, "text/plain; charset=utf-8", "live\n");
                case "/health/ready" -> ready(exchange);
                default -> send(exchange, 404, "text/plain; charset=utf-8",
                        "not found; try /metrics, /health/live or /health/ready\n");
            }
        } catch (RuntimeException e) {
            LOG.warn("metrics request {} failed: {}", exchange.getRequestURI(), e.toString());
        }
    }

    private void metrics(HttpExchange exchange) throws IOException {
        for (Runnable r : refreshers) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("refreshing metrics before a scrape failed; serving the previous values: {}", e.toString());
            }
        }
        String accept = exchange.getRequestHeaders().getFirst("Accept");
        String contentType = accept != null && accept.contains("application/openmetrics-text")
                ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                : "text/plain; version=0.0.4; charset=utf-8";
        send(exchange, 200, contentType, registry.scrape(contentType));
    }

    private void ready(HttpExchange exchange) throws IOException {
        Health h;
        try {
            h = health.get();
        } catch (RuntimeException e) {
            h = Health.notReady("readiness check failed: " + e);
        }
        send(exchange, h.ready() ? 200 : 503, "text/plain; charset=utf-8",
                (h.ready() ? "ready" : "not ready") + (h.detail() == null ? "" : ": " + h.detail()) + "\n");
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Stops serving; an answer in progress gets up to a second to finish. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.stop(STOP_DELAY_SECONDS);
        executor.shutdownNow();
    }
}
