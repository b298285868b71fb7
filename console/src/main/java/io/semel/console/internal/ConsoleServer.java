package io.semel.console.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.semel.broker.Broker;
import io.semel.console.ConsoleAuthenticator;
import io.semel.console.ConsoleConfig;
import io.semel.console.Redriver;
import java.time.Clock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's HTTP side on the JDK's {@link HttpServer}: authentication on every request (before
 * any routing), pages as whole documents or, with {@code ?fragment=1}, as their main part for the
 * live refresh; a POST must carry the console's CSRF token. Requests run on {@code console-http-*}
 * threads, which may block on broker reads (bounded by brokerReadTimeoutMs) but never run on a broker
 * thread. Thread-safe.
 */
public final class ConsoleServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleServer.class);
    /** Largest request body accepted (a redrive form with many ticked dead letters), bytes. */
    static final int BODY_BYTES_MAX = 4 * 1024 * 1024;

    private final HttpServer server;
    private final ExecutorService threads;
    private final ConsoleAuthenticator auth;
    private final ConsoleContext ctx;
    private final List<Page> pages;
    private final MessagesPage messages;
    private final VerificationPage verification;

    public ConsoleServer(BrokerView view, Redriver redriver, SampleRing samples, ConsoleConfig config, Broker broker,
            String csrfToken, Clock clock, boolean fsyncAvailable, ConsoleAuthenticator auth) throws IOException {
        this.ctx = new ConsoleContext(broker, view, redriver, samples, config, csrfToken, clock, clock.millis(),
                fsyncAvailable);
        this.auth = auth;
        this.messages = new MessagesPage(ctx);
        this.verification = new VerificationPage(ctx);
        this.pages = List.of(new OverviewPage(ctx), new TopicsPage(ctx), new GroupsPage(ctx), messages, verification);
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(ctx.config().httpThreads(), r -> {
            Thread t = new Thread(r, "console-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.server = HttpServer.create(new InetSocketAddress(ctx.config().host(), ctx.config().port()), 0);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String host() {
        return server.getAddress().getHostString();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!authorized(ex)) {
                ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"semel console\", charset=\"UTF-8\"");
                send(ex, 401, "text/plain; charset=utf-8", "401 Unauthorized: this console needs a user and password "
                        + "(HTTP Basic; see --console-password-file)\n");
                return;
            }
            route(ex);
        } catch (RuntimeException e) {
            LOG.warn("console request {} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
            try {
                send(ex, e instanceof IllegalArgumentException ? 400 : 500, "text/plain; charset=utf-8",
                        "request failed: " + e.getMessage() + "\n");
            } catch (IOException | RuntimeException ignored) {
                // headers already sent: the client sees a cut response
            }
        }
    }

    private boolean authorized(HttpExchange ex) {
        if (!auth.required()) {
            return true;
        }
        String h = ex.getRequestHeaders().getFirst("Authorization");
        if (h == null || !h.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(h.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        return colon > 0 && auth.check(decoded.substring(0, colon),
                decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8));
    }

    private void route(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        Query q = Query.parse(ex.getRequestURI().getRawQuery());
        String method = ex.getRequestMethod();
        if (path.startsWith("/static/")) {
            StaticAssets.serve(ex, path.substring("/static/".length()));
            return;
        }
        if (path.equals("/api/metrics")) {
            send(ex, 200, "application/json", MetricsJson.render(ctx.samples().snapshot(), ctx.fsyncAvailable()));
            return;
        }
        if (path.equals(MessagesPage.REDRIVE_PATH) && method.equals("POST")) {
            Query form = Query.parse(body(ex));
            if (!MessageDigest.isEqual(ctx.csrfToken().getBytes(StandardCharsets.UTF_8),
                    String.valueOf(form.get("csrf")).getBytes(StandardCharsets.UTF_8))) {
                send(ex, 403, "text/plain; charset=utf-8", "403: missing or wrong form token; reload the page\n");
                return;
            }
            String location = messages.redrive(form);
            ex.getResponseHeaders().set("Location", location);
            send(ex, 303, "text/plain; charset=utf-8", "see " + location + "\n");
            return;
        }
        if (path.equals(VerificationPage.FILE_PATH)) {
            verification.serveFile(ex, q.get("path"));
            return;
        }
        for (Page p : pages) {
            if (p.path().equals(path) && method.equals("GET")) {
                Html main = new Html();
                p.render(q, main);
                String body = "1".equals(q.get("fragment")) ? main.toString() : Layout.page(ctx, pages, p, main);
                send(ex, 200, "text/html; charset=utf-8", body);
                return;
            }
        }
        send(ex, 404, "text/plain; charset=utf-8", "404: no page " + path + "\n");
    }

    private static String body(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            byte[] b = in.readNBytes(BODY_BYTES_MAX + 1);
            if (b.length > BODY_BYTES_MAX) {
                throw new IllegalArgumentException("request body is larger than " + BODY_BYTES_MAX + " bytes");
            }
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        send(ex, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** Stops accepting, gives running requests up to a second, stops the threads. */
    @Override
    public void close() {
        server.stop(1);
        threads.shutdownNow();
    }
}
