package io.semel.verify.proxy;

/**
 * Receives every {@link ProxyEvent}. Called on the thread that switched the policy or on a proxy thread;
 * must be thread-safe, quick and must not call back into the proxy.
 */
@FunctionalInterface
public interface ProxyListener {
    ProxyListener NONE = e -> { };

    void onEvent(ProxyEvent event);
}
