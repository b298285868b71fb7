package io.semel.simulation;

/** Counts of what a run injected and what its producers saw; plain fields, one thread. */
final class SimStats {
    long requestsDropped;
    long repliesDropped;
    long staleArrivals;
    long replays;
    long requestTimeouts;
    long sends;
    long confirmed;
    long failed;
    long unknown;
    long producerStops;
    long producerRestarts;
    long staleInitFences;

    @Override
    public String toString() {
        return "sends=" + sends + " confirmed=" + confirmed + " failed=" + failed + " unknown=" + unknown
                + " stops=" + producerStops + " restarts=" + producerRestarts + " fencedByStaleInit=" + staleInitFences + " | dropped requests=" + requestsDropped + " replies=" + repliesDropped
                + " staleArrivals=" + staleArrivals + " replays=" + replays + " requestTimeouts=" + requestTimeouts;
    }
}
