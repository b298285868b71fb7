package io.semel.kafka.internal;

import java.nio.charset.StandardCharsets;

/**
 * The progress record a Kafka outbox relay writes inside each of its transactions, keyed by relay
 * name on a compacted topic: the store it belongs to, and the outbox id range
 * {@code (previousLastId, lastId]} the transaction published. Immutable.
 *
 * <p>Value: UTF-8 {@code v1 store=<storeId> prev=<previousLastId> last=<lastId>}.
 */
public record RelayProgress(long storeId, long previousLastId, long lastId) {
    private static final String VERSION = "v1";

    public byte[] encode() {
        return (VERSION + " store=" + storeId + " prev=" + previousLastId + " last=" + lastId)
                .getBytes(StandardCharsets.UTF_8);
    }

    /** @throws IllegalStateException the value is not a progress record this code can read */
    public static RelayProgress decode(byte[] value) {
        String s = value == null ? "" : new String(value, StandardCharsets.UTF_8);
        String[] f = s.split(" ");
        if (f.length != 4 || !f[0].equals(VERSION) || !f[1].startsWith("store=") || !f[2].startsWith("prev=")
                || !f[3].startsWith("last=")) {
            throw new IllegalStateException("unreadable relay progress record '" + s + "'; expected '" + VERSION
                    + " store=<id> prev=<id> last=<id>' (written by a newer Semel, or not a Semel progress topic)");
        }
        try {
            return new RelayProgress(Long.parseLong(f[1].substring(6)), Long.parseLong(f[2].substring(5)),
                    Long.parseLong(f[3].substring(5)));
        } catch (NumberFormatException e) {
            throw new IllegalStateException("unreadable relay progress record '" + s + "': " + e.getMessage(), e);
        }
    }
}
