package io.semel.console.internal;

/** One page of the console: renders its main part; {@link Layout} wraps it. Implementations are thread-safe. */
interface Page {
    String path();

    String title();

    void render(Query query, Html out);
}
