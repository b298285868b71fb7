package io.semel.verify.run.child;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The processor child's command line, {@code --key value} pairs, built by the harness
 * ({@code ProcessorNode}) and parsed here. Immutable after parsing.
 */
public final class ChildArgs {
    private final Map<String, String> values;

    private ChildArgs(Map<String, String> values) {
        this.values = values;
    }

    public static ChildArgs parse(String[] args) {
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("expected --key value pairs, got " + List.of(args));
        }
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected an option at '" + args[i] + "'");
            }
            m.put(args[i].substring(2), args[i + 1]);
        }
        return new ChildArgs(m);
    }

    public String get(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing --" + key);
        }
        return v;
    }

    public String get(String key, String dflt) {
        return values.getOrDefault(key, dflt);
    }

    public int getInt(String key) {
        return Integer.parseInt(get(key));
    }

    public static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("expected HOST:PORT, got '" + hostPort + "'");
        }
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
