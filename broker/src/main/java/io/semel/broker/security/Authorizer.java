package io.semel.broker.security;

/**
 * The one authorization decision: may principal P do operation O on resource R? The request
 * dispatch maps each request to its (operation, resource) pairs ({@code RequestActions}) and asks
 * this once per pair before doing anything; an API without a mapping is denied whenever
 * authorization is on. Implementations must be thread-safe, fast and non-blocking: they run on
 * the broker's network threads.
 */
@FunctionalInterface
public interface Authorizer {
    boolean authorize(Principal principal, Operation operation, Resource resource);

    /** Allows everything: the authorizer of a broker with security off. */
    Authorizer ALLOW_ALL = (p, o, r) -> true;
}
