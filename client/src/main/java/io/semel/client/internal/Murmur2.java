package io.semel.client.internal;

import java.nio.charset.StandardCharsets;

/**
 * MurmurHash2 (32-bit, seed 0x9747b28c), as used for Kafka's default partitioner, so a key maps
 * to the same partition number in Semel and Kafka. Stateless; thread-safe.
 */
public final class Murmur2 {
    private static final int SEED = 0x9747b28c;
    private static final int M = 0x5bd1e995;
    private static final int R = 24;

    private Murmur2() {
    }

    @SuppressWarnings("fallthrough") // the tail bytes are mixed in cumulatively, as in the reference
    public static int hash(byte[] data) {
        int length = data.length;
        int h = SEED ^ length;
        int blocks = length / 4;
        for (int i = 0; i < blocks; i++) {
            int o = i * 4;
            // Little-endian 4-byte block.
            int k = (data[o] & 0xff) | (data[o + 1] & 0xff) << 8 | (data[o + 2] & 0xff) << 16 | (data[o + 3] & 0xff) << 24;
            k *= M;
            k ^= k >>> R;
            k *= M;
            h *= M;
            h ^= k;
        }
        int tail = blocks * 4;
        switch (length - tail) {
            case 3:
                h ^= (data[tail + 2] & 0xff) << 16;
                // fall through
            case 2:
                h ^= (data[tail + 1] & 0xff) << 8;
                // fall through
            case 1:
                h ^= data[tail] & 0xff;
                h *= M;
                break;
            default:
                break;
        }
        h ^= h >>> 13;
        h *= M;
        h ^= h >>> 15;
        return h;
    }

    /** {@code (murmur2(key) & 0x7fffffff) mod partitions}: never negative, even for Integer.MIN_VALUE. */
    public static int partition(byte[] key, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
        }
        return (hash(key) & 0x7fffffff) % partitions;
    }

    public static int hash(String s) {
        return hash(s.getBytes(StandardCharsets.UTF_8));
    }
}
