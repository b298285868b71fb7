package io.semel.console.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parameters of a query string or a url-encoded form. Immutable. */
final class Query {
    /** Parameters one request may carry (a "redrive selected" form carries one per ticked dead letter). */
    static final int PARAMS_MAX = 100_000;

    private final Map<String, List<String>> params;

    private Query(Map<String, List<String>> params) {
        this.params = params;
    }

    static Query parse(String encoded) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (encoded != null && !encoded.isEmpty()) {
            String[] pairs = encoded.split("&");
            if (pairs.length > PARAMS_MAX) {
                throw new IllegalArgumentException("request has " + pairs.length + " parameters, more than "
                        + PARAMS_MAX);
            }
            for (String pair : pairs) {
                int eq = pair.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
            }
        }
        return new Query(out);
    }

    String get(String name) {
        List<String> v = params.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    List<String> all(String name) {
        return params.getOrDefault(name, List.of());
    }

    long getLong(String name, long dflt) {
        String v = get(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("parameter " + name + " = '" + v + "' is not a whole number");
        }
    }
}
