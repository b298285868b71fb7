package io.semel.verify.process;

/** Receives every {@link ProcessEvent}, on the thread that acted; must be quick and thread-safe. */
@FunctionalInterface
public interface ProcessListener {
    ProcessListener NONE = e -> { };

    void onEvent(ProcessEvent event);
}
