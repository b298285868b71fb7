package io.semel.console.internal;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/** The static bundle, served from the jar: a fixed list of names, nothing else. Stateless. */
final class StaticAssets {
    private static final Map<String, String> TYPES = Map.of(
            "console.js", "text/javascript; charset=utf-8",
            "console.css", "text/css; charset=utf-8");

    private StaticAssets() {
    }

    static void serve(HttpExchange ex, String name) throws IOException {
        String type = TYPES.get(name);
        if (type == null) {
            ConsoleServer.send(ex, 404, "text/plain; charset=utf-8", "404: no asset " + name + "\n");
            return;
        }
        try (InputStream in = StaticAssets.class.getResourceAsStream("/io/semel/console/static/" + name)) {
            if (in == null) {
                throw new IllegalStateException("asset " + name + " is missing from the console jar");
            }
            ConsoleServer.send(ex, 200, type, in.readAllBytes());
        }
    }
}
