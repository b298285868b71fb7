package io.semel.protocol.internal;

/**
 * Updates a CRC32C after a few bytes of the covered data changed, without reading the rest: the
 * record-batch header is patched (its base offset stamped by the log) while the records it covers
 * are neither re-encoded nor re-read. Stateless; thread-safe.
 *
 * <p>Why it works: CRC32C is affine over GF(2), so for two messages of equal length
 * {@code crc(a) ^ crc(b) == raw(a ^ b)}, where {@code raw} is the CRC register with zero initial
 * value and no final xor, which is linear. {@code a ^ b} is zero except for the changed bytes;
 * leading zeros leave a zero register unchanged, and trailing zeros multiply it by
 * {@code x^(8 * trailingBytes)} modulo the polynomial (the technique of zlib's {@code crc32_combine}).
 * Cost: O(changed bytes + log(trailing bytes)), independent of the message size.
 */
public final class Crc32cPatch {
    /** CRC32C (Castagnoli) polynomial, reflected. */
    private static final int POLY = 0x82F63B78;
    /** X2N[k] = x^(2^k) mod P, reflected: the power table for shifting by zeros. */
    private static final int[] X2N = new int[32];

    static {
        int p = 1 << 30; // x^1
        X2N[0] = p;
        for (int k = 1; k < 32; k++) {
            p = multiplyModP(p, p);
            X2N[k] = p;
        }
    }

    private Crc32cPatch() {
    }

    /**
     * The CRC32C of a message after {@code oldBytes} at some position were replaced by {@code newBytes}
     * (same length), given its CRC32C before and how many bytes follow the changed span.
     */
    public static int patch(int oldCrc, long oldValue, long newValue, long bytesAfter) {
        long delta = oldValue ^ newValue;
        if (delta == 0) {
            return oldCrc;
        }
        int register = 0;
        for (int shift = 56; shift >= 0; shift -= 8) { // big-endian, as written
            register ^= (int) (delta >>> shift) & 0xFF;
            for (int bit = 0; bit < 8; bit++) {
                register = (register & 1) != 0 ? (register >>> 1) ^ POLY : register >>> 1;
            }
        }
        return oldCrc ^ multiplyModP(xPow8nModP(bytesAfter), register);
    }

    /** a * b modulo P, both reflected polynomials. */
    private static int multiplyModP(int a, int b) {
        int m = 1 << 31;
        int p = 0;
        while (true) {
            if ((a & m) != 0) {
                p ^= b;
                if ((a & (m - 1)) == 0) {
                    break;
                }
            }
            m >>>= 1;
            b = (b & 1) != 0 ? (b >>> 1) ^ POLY : b >>> 1;
        }
        return p;
    }

    /** x^(8 * n) modulo P: shifting a register by n zero bytes. */
    private static int xPow8nModP(long n) {
        int p = 1 << 31; // x^0
        int k = 3; // x^(n * 2^3)
        while (n != 0) {
            if ((n & 1) != 0) {
                p = multiplyModP(X2N[k & 31], p);
            }
            n >>>= 1;
            k++;
        }
        return p;
    }
}
