package io.semel.processor.state;

/**
 * Crash points for kill tests from the system property {@value #PROPERTY} (comma separated names):
 * reaching a listed one halts the JVM with status 137, as a SIGKILL would. Package-private stand-in
 * until it is unified with the runtime's crash points.
 */
final class CrashPoints {
    static final String PROPERTY = "semel.crashPoints";

    interface Hook {
        void reached(String name);
    }

    static final Hook SYSTEM = CrashPoints::check;

    private CrashPoints() {
    }

    static void check(String name) {
        String spec = System.getProperty(PROPERTY);
        if (spec == null) {
            return;
        }
        for (String s : spec.split(",")) {
            if (s.trim().equals(name)) {
                System.err.println("crash point " + name + " reached: halting with status 137");
                System.err.flush();
                Runtime.getRuntime().halt(137);
            }
        }
    }
}
