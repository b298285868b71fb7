package io.semel.broker.internal;

/**
 * The array an I/O thread encodes its answers into, kept from one answer to the next: a POLL
 * answer of thousands of messages (hundreds of KiB) is then written into memory that is already
 * allocated and in cache, and copied once into the channel's pooled buffer, instead of filling a
 * fresh array each time (allocating and zeroing 400 KiB cost about four times copying it, and a
 * consuming member asks for one every millisecond).
 *
 * <p>One per thread, so connections on one event loop share it and the memory kept is bounded by
 * the number of I/O threads, not of connections: at most {@link #BYTES_MAX} each. Only the owning
 * thread may use it, and only between {@link #take()} and {@link #keep}: what was encoded must be
 * copied out before the next answer is encoded.
 */
final class EncodeScratch {
    /** Bytes of the array a thread starts with. */
    static final int BYTES_INITIAL = 64 * 1024;
    /** Largest array kept for the next answer, bytes; a larger answer's array is left to the GC. */
    static final int BYTES_MAX = 4 * 1024 * 1024;

    private static final ThreadLocal<EncodeScratch> PER_THREAD = ThreadLocal.withInitial(EncodeScratch::new);

    private byte[] array = new byte[BYTES_INITIAL];

    private EncodeScratch() {
    }

    /** The calling thread's. */
    static EncodeScratch ofThisThread() {
        return PER_THREAD.get();
    }

    /** The array to encode the next answer into. */
    byte[] take() {
        return array;
    }

    /**
     * After an answer was encoded and copied out: keeps {@code used}, the array it ended in, when the
     * encoding outgrew the one taken and {@code used} is within {@link #BYTES_MAX}; null keeps the old one.
     */
    void keep(byte[] used) {
        if (used != null && used != array && used.length > array.length && used.length <= BYTES_MAX) {
            array = used;
        }
    }

    /** Bytes of the array kept now: for tests. */
    int bytes() {
        return array.length;
    }
}
