package io.semel.verify.proxy;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One switch-on of a policy for one connection (or the template for new connections). A fresh instance per
 * connection per {@link FaultProxy#setPolicy} call, so "fires once per connection and activation" is a
 * compare-and-set on {@link #fired}. Thread-safe.
 */
final class Activation {
    static final Activation NONE = new Activation(FaultPolicy.NONE, FaultParams.DEFAULTS, System.nanoTime());

    final FaultPolicy policy;
    final FaultParams params;
    final long activatedNs;
    private final AtomicBoolean fired = new AtomicBoolean();

    Activation(FaultPolicy policy, FaultParams params, long activatedNs) {
        this.policy = policy;
        this.params = params;
        this.activatedNs = activatedNs;
    }

    /** A copy for one more connection, not yet fired. */
    Activation forConnection() {
        return new Activation(policy, params, activatedNs);
    }

    /** True exactly once: the caller applies the one-shot policy. */
    boolean fire() {
        return fired.compareAndSet(false, true);
    }

    /** Nanosecond deadline of a STALL, {@link Long#MAX_VALUE} if it lasts until healed. */
    long stallUntilNs() {
        long d = params.stall().toNanos();
        return d == 0 ? Long.MAX_VALUE : activatedNs + d;
    }
}
