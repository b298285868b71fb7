package io.semel.verify.proxy;

import java.util.Locale;

/**
 * The network faults a {@link FaultProxy} injects, one value per behaviour (okhttp {@code SocketPolicy}
 * style). A policy is active from {@link FaultProxy#setPolicy} until the next call or {@link FaultProxy#heal()};
 * while active it applies to every connection in its scope, existing and new. One-shot policies (drop, cut,
 * reset, replay) fire at most once per connection per activation.
 */
public enum FaultPolicy {
    /** Forward both directions unchanged. */
    NONE,
    /**
     * Forward the client's next whole request (frame) to the broker, then close the client connection before
     * any response reaches it: the request is applied, the reply is lost. Responses the broker still sends
     * are read and discarded. The duplicate generator (background F7).
     */
    DROP_AFTER_REQUEST,
    /**
     * Forward part of the next response ({@link FaultParams#cutAfterBytes()}, by default half of the frame),
     * then close both sides: the client sees a torn reply.
     */
    CUT_DURING_RESPONSE,
    /** Stop forwarding both ways for {@link FaultParams#stall()} (zero: until healed); bytes are held, not lost. */
    STALL,
    /** Close both sides abruptly (SO_LINGER 0, a TCP RST); new connections are reset on accept while active. */
    RESET,
    /** Delay every forwarded chunk by {@link FaultParams#latency()} plus a seeded jitter in [0, jitter]. */
    DELAY,
    /**
     * Forward the client's next request (frame) and keep a copy; after {@link FaultParams#replayDelay()},
     * when the client has moved on, send the copy again on a new connection to the broker and discard the
     * responses. A stale request arriving late (background F9).
     */
    REPLAY_STALE,
    /**
     * One-way partition, client to broker: every request (frame) is read and discarded while active; the
     * connection stays open and replies to earlier requests still flow. Nothing sent meanwhile takes effect.
     */
    DROP_REQUESTS,
    /**
     * One-way partition, broker to client: requests are forwarded and take effect, every reply (frame) is read
     * and discarded while active; the connection stays open.
     */
    DROP_REPLIES;

    /** The name used in histories and schedules, e.g. {@code drop-after-request}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** True for the policies that fire once per connection and activation. */
    public boolean isOneShot() {
        return this == DROP_AFTER_REQUEST || this == CUT_DURING_RESPONSE || this == RESET || this == REPLAY_STALE;
    }
}
