package io.semel.simulation;

import java.util.PriorityQueue;

/**
 * The simulation's only thread of control: events ordered by simulated time, ties broken by the
 * order they were scheduled in, so a seed always replays the same run. Running an event advances
 * the {@link SimClock} to its time; nothing sleeps.
 */
final class Scheduler {
    private record Event(long atNanos, long order, Runnable action) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            int c = Long.compare(atNanos, o.atNanos);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }

    private final SimClock clock;
    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private long scheduled;
    private long steps;

    Scheduler(SimClock clock) {
        this.clock = clock;
    }

    long now() {
        return clock.nanoTime();
    }

    void after(long delayNanos, Runnable action) {
        queue.add(new Event(clock.nanoTime() + Math.max(0, delayNanos), scheduled++, action));
    }

    /** Runs the next event; false when none is left. */
    boolean step() {
        Event e = queue.poll();
        if (e == null) {
            return false;
        }
        clock.advanceTo(e.atNanos());
        steps++;
        e.action().run();
        return true;
    }

    long steps() {
        return steps;
    }
}
