package io.semel.processor.state;

/** The user's bytes encoding of a state, stored in snapshots. {@code decode(encode(s))} must equal s. */
public interface StateCodec<S> {
    byte[] encode(S state);

    /**
     * @throws IllegalArgumentException the bytes are not a state (the snapshot's CRC matched, so
     *     this is a codec bug or an incompatible codec change)
     */
    S decode(byte[] bytes);
}
