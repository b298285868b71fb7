package io.semel.cli;

import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * What this JVM spent beside the code being measured: JIT compilation time and garbage collections, as cumulative
 * totals from the platform MXBeans. A bench takes one where its measured part starts and one where it ends
 * ({@link OneAtATime}, {@link BenchClock}), and prints the difference beside its figures, so a reader can tell a tail made by the system under test from one
 * made by the JIT still compiling it (on two cores a C2 compile holds a whole core for up to seconds) or by a
 * collection. Covers this JVM only: an embedded broker is in it; a broker or Kafka node in its own JVM is not.
 *
 * @param compileMs total JIT compilation time in ms, or -1 where the JVM does not measure it
 * @param gcCount   collections of every collector
 * @param gcMs      accumulated collection time in ms of every collector (its pauses and, for concurrent
 *                  collectors, their cycles)
 */
record JvmWork(long compileMs, long gcCount, long gcMs) {

    /** The totals now. */
    static JvmWork now() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long compile = jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
        long count = 0;
        long ms = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            ms += Math.max(0, gc.getCollectionTime());
        }
        return new JvmWork(compile, count, ms);
    }

    /** How long {@link #awaitJitQuiet} waited, and whether the JIT did go quiet. */
    record Settling(long waitedMs, boolean quiet) {
        /** For result lines: {@code JIT quiet after 1,250 ms} or {@code JIT still compiling after 10,000 ms}. */
        String summary() {
            return String.format(quiet ? "JIT quiet after %,d ms" : "JIT still compiling after %,d ms", waitedMs);
        }
    }

    /** How often {@link #awaitJitQuiet} reads the compilation total. */
    static final long QUIET_POLL_MS = 50;

    /**
     * Waits until this JVM's JIT has compiled nothing for {@code quietMs}, at most {@code maxMs}: a throughput
     * benchmark calls it between its warm-up and its clock, so the timed part runs compiled code rather than beside
     * a compiler holding one of two cores (Kafka's plain consumer read 0.8-1.1M msgs/s while the bench's C2 thread
     * used 30-60 % of a core, and 3.4-4.0M otherwise). Returns at once where the JVM does not time its JIT.
     */
    static Settling awaitJitQuiet(long quietMs, long maxMs) throws InterruptedException {
        long start = System.nanoTime();
        long last = now().compileMs;
        if (last < 0) {
            return new Settling(0, false);
        }
        long quietSince = start;
        while (true) {
            long now = System.nanoTime();
            if ((now - quietSince) / 1_000_000 >= quietMs) {
                return new Settling((now - start) / 1_000_000, true);
            }
            if ((now - start) / 1_000_000 >= maxMs) {
                return new Settling((now - start) / 1_000_000, false);
            }
            Thread.sleep(QUIET_POLL_MS);
            long total = now().compileMs;
            if (total != last) {
                last = total;
                quietSince = System.nanoTime();
            }
        }
    }

    /** The work done between {@code earlier} and this. */
    JvmWork since(JvmWork earlier) {
        long compile = compileMs < 0 || earlier.compileMs < 0 ? -1 : compileMs - earlier.compileMs;
        return new JvmWork(compile, gcCount - earlier.gcCount, gcMs - earlier.gcMs);
    }

    /** For an output line: {@code JIT compiling 412 ms, 3 GCs 18 ms}. */
    String summary() {
        String jit = compileMs < 0 ? "JIT time not measured by this JVM" : "JIT compiling " + compileMs + " ms";
        return jit + ", " + gcCount + " GC" + (gcCount == 1 ? "" : "s") + " " + gcMs + " ms";
    }
}
